package knowledge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
)

// EvalQuestion is one line of a question file (cli.md, "Question files").
type EvalQuestion struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	Docs       []string `json:"docs"`
	ExpectAny  []string `json:"expect_any"`
	Answerable bool     `json:"answerable"`
}

// ReadQuestions reads a JSON-lines question file. An error names the line.
func ReadQuestions(r io.Reader) ([]EvalQuestion, error) {
	var out []EvalQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var q EvalQuestion
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if strings.TrimSpace(q.Question) == "" {
			return nil, fmt.Errorf("line %d: question: empty", line)
		}
		if q.Answerable && len(q.Docs) == 0 {
			return nil, fmt.Errorf("line %d: docs: an answerable question needs at least one", line)
		}
		if q.ID == "" {
			q.ID = fmt.Sprintf("line%d", line)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}

// EvalResult is how one question fared.
type EvalResult struct {
	Question EvalQuestion
	Answer   Answer
	Rank     int  // 1-based rank of the first hit, 0 if none
	Correct  bool // hit within k, or rightly refused
}

// EvalReport sums up retrieval on a question file.
type EvalReport struct {
	K          int
	Answerable int     // answerable questions
	Hit1, HitK float64 // shares of answerable questions
	MRR        float64
	// Unanswerable counts out-of-scope questions; Refused those rightly
	// refused; WronglyRefused answerable questions refused.
	Unanswerable, Refused, WronglyRefused int
	Results                               []EvalResult
}

// Misses are the questions not answered right.
func (r EvalReport) Misses() []EvalResult {
	var out []EvalResult
	for _, x := range r.Results {
		if !x.Correct {
			out = append(out, x)
		}
	}
	return out
}

// Eval asks every question and scores retrieval as cli.md defines: a hit at
// rank r when citation r comes from one of the question's docs and its
// text contains one of expect_any.
func (s *Service) Eval(ctx context.Context, qs []EvalQuestion, k int) (EvalReport, error) {
	return s.EvalWith(ctx, qs, AskOptions{K: k})
}

// EvalWith is Eval with the other options of Ask too: with
// OtherExamples, a question the examples hold is ranked without its own
// example, as a new one would be.
func (s *Service) EvalWith(ctx context.Context, qs []EvalQuestion, opt AskOptions) (EvalReport, error) {
	k := opt.K
	if k <= 0 {
		k = DefaultK
	}
	rep := EvalReport{K: k}
	var rr float64
	for _, q := range qs {
		opt.K = k
		ans, err := s.Ask(ctx, q.Question, opt)
		if err != nil {
			return rep, fmt.Errorf("question %s: %w", q.ID, err)
		}
		res := EvalResult{Question: q, Answer: ans}
		if !q.Answerable {
			rep.Unanswerable++
			if !ans.Answered {
				rep.Refused++
				res.Correct = true
			}
			rep.Results = append(rep.Results, res)
			continue
		}
		rep.Answerable++
		if !ans.Answered {
			rep.WronglyRefused++
		} else {
			res.Rank = hitRank(q, ans.Citations)
		}
		if res.Rank > 0 {
			res.Correct = true
			rr += 1 / float64(res.Rank)
			rep.HitK++
			if res.Rank == 1 {
				rep.Hit1++
			}
		}
		rep.Results = append(rep.Results, res)
	}
	if rep.Answerable > 0 {
		n := float64(rep.Answerable)
		rep.Hit1 /= n
		rep.HitK /= n
		rep.MRR = rr / n
	}
	return rep, nil
}

func hitRank(q EvalQuestion, cites []Citation) int {
	for i, c := range cites {
		if !slices.Contains(q.Docs, c.Doc) {
			continue
		}
		text := comparable(c.Text)
		for _, e := range q.ExpectAny {
			if e = comparable(e); e != "" && strings.Contains(text, e) {
				return i + 1
			}
		}
	}
	return 0
}

// comparable folds what cleaning changes but a reader does not see: white
// space ("760 个" in a capture is "760个" in the passage) and full-width
// letters, digits and signs.
func comparable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		}
		return r
	}, s)
}

// String is the report as `safetynet eval` prints it.
func (r EvalReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "questions: %d answerable, %d out of scope\n", r.Answerable, r.Unanswerable)
	fmt.Fprintf(&b, "hit@1: %.3f\nhit@%d: %.3f\nMRR: %.3f\n", r.Hit1, r.K, r.HitK, r.MRR)
	fmt.Fprintf(&b, "refusals: %d of %d out-of-scope refused; %d answerable wrongly refused\n",
		r.Refused, r.Unanswerable, r.WronglyRefused)
	for _, m := range r.Misses() {
		switch {
		case !m.Question.Answerable:
			fmt.Fprintf(&b, "miss %s: answered an out-of-scope question: %s\n", m.Question.ID, m.Question.Question)
		case !m.Answer.Answered:
			fmt.Fprintf(&b, "miss %s: refused: %s\n", m.Question.ID, m.Question.Question)
		default:
			var got []string
			for _, c := range m.Answer.Citations {
				got = append(got, c.Doc+" "+c.Section)
			}
			fmt.Fprintf(&b, "miss %s: not in top %d: %s (got: %s)\n", m.Question.ID, r.K, m.Question.Question, strings.Join(got, "; "))
		}
	}
	return b.String()
}

package console

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

const maxQuestionRunes = 1000

type answerData struct {
	Available bool
	Question  string
	Region    string
	Regions   []eligibility.Profile
	Result    *knowledge.Answer
	ID        int64
	Recent    []recentQuestion
}

type recentQuestion struct {
	ID       int64     `json:"id"`
	Question string    `json:"question"`
	Region   string    `json:"region"`
	Answered bool      `json:"answered"`
	Helpful  *bool     `json:"helpful"`
	AskedAt  time.Time `json:"asked_at"`
}

// regions is the regions for a form's select; a failure to read them
// leaves the select with "all regions" only rather than failing the page.
func (c *Console) regions(ctx context.Context) []eligibility.Profile {
	list, err := c.regionList(ctx)
	if err != nil {
		c.log.Warn("console: regions", "err", err)
	}
	return list
}

// suggest asks the knowledge base and records the lookup (redacted) so the
// staff member sees it among their recent questions and can rate it.
func (c *Console) suggest(ctx context.Context, u User, question, region string) (knowledge.Answer, int64, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return knowledge.Answer{}, 0, errors.New("question: 请输入来电人的问题")
	}
	if utf8.RuneCountInString(question) > maxQuestionRunes {
		return knowledge.Answer{}, 0, fmt.Errorf("question: 问题太长了（最多 %d 字）", maxQuestionRunes)
	}
	// Callers read out their ID and phone numbers; neither goes further.
	clean := pii.Redact(question)
	ans, err := c.know.Ask(ctx, clean, knowledge.AskOptions{Region: region})
	if err != nil {
		return knowledge.Answer{}, 0, fmt.Errorf("suggest: %w", err)
	}
	var id int64
	err = c.pool.QueryRow(ctx, `
		INSERT INTO console_hotline_questions (user_id, question, region, answered) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.ID, clean, region, ans.Answered).Scan(&id)
	if err != nil {
		return knowledge.Answer{}, 0, fmt.Errorf("record question: %w", err)
	}
	return ans, id, nil
}

func (c *Console) recentQuestions(ctx context.Context, u User, limit int) ([]recentQuestion, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT id, question, region, answered, helpful, asked_at FROM console_hotline_questions
		WHERE user_id = $1 ORDER BY asked_at DESC, id DESC LIMIT $2`, u.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent questions: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (recentQuestion, error) {
		var q recentQuestion
		err := row.Scan(&q.ID, &q.Question, &q.Region, &q.Answered, &q.Helpful, &q.AskedAt)
		return q, err
	})
}

// rate stores helpful / not helpful on the staff member's own lookup.
func (c *Console) rate(ctx context.Context, u User, id int64, helpful bool) error {
	tag, err := c.pool.Exec(ctx, `UPDATE console_hotline_questions SET helpful = $3 WHERE id = $1 AND user_id = $2`, id, u.ID, helpful)
	if err != nil {
		return fmt.Errorf("rate answer: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func (c *Console) answerPage(w http.ResponseWriter, r *http.Request, s *session) {
	d := answerData{Available: c.know != nil, Regions: c.regions(r.Context())}
	status := http.StatusOK
	var errMsg string
	if r.Method == http.MethodPost {
		d.Question, d.Region = r.PostFormValue("question"), r.PostFormValue("region")
		if !d.Available {
			c.unavailable(w, r, s, "answer", "建议答复")
			return
		}
		ans, id, err := c.suggest(r.Context(), s.User, d.Question, d.Region)
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "question: "):
			status, errMsg = http.StatusBadRequest, strings.TrimPrefix(err.Error(), "question: ")
		case err != nil:
			c.fail(w, r, s, err)
			return
		default:
			// The box shows what was kept: numbers read out by the caller
			// do not stay on screen.
			d.Question = pii.Redact(d.Question)
			d.Result, d.ID = &ans, id
		}
	} else {
		// A recent question's link only fills the box; asking is a POST.
		d.Question, d.Region = r.URL.Query().Get("q"), r.URL.Query().Get("region")
	}
	recent, err := c.recentQuestions(r.Context(), s.User, 10)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d.Recent = recent
	v := c.newView(s, "answer", "建议答复", d)
	v.Error = errMsg
	c.render(w, r, status, "answer", v)
}

func (c *Console) answerFeedbackForm(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.renderError(w, r, s, http.StatusNotFound, "没有这条记录。")
		return
	}
	if err := c.rate(r.Context(), s.User, id, r.PostFormValue("helpful") == "1"); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/answer", http.StatusSeeOther)
}

// answerSourceForm: the staff member says which source answered the
// question they looked up. The question is stored as an example (knowledge
// examples), so a resident who asks the same thing in other words is
// shown that passage first; the lookup is rated helpful. The question is
// the one recorded (redacted), never the form's.
func (c *Console) answerSourceForm(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.renderError(w, r, s, http.StatusNotFound, "没有这条记录。")
		return
	}
	if c.know == nil {
		c.unavailable(w, r, s, "answer", "建议答复")
		return
	}
	doc, span := strings.TrimSpace(r.PostFormValue("doc")), strings.TrimSpace(r.PostFormValue("span"))
	if doc == "" || span == "" || utf8.RuneCountInString(span) > maxSpanRunes {
		c.renderError(w, r, s, http.StatusBadRequest, "没有说明是哪一条来源。")
		return
	}
	var question string
	err = c.pool.QueryRow(r.Context(), `SELECT question FROM console_hotline_questions WHERE id = $1 AND user_id = $2`,
		id, s.User.ID).Scan(&question)
	if errors.Is(err, pgx.ErrNoRows) {
		c.renderError(w, r, s, http.StatusNotFound, "没有这条记录。")
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	ex := knowledge.Example{Question: question, Answerable: true, Docs: []string{doc}, Spans: []string{span}}
	if _, err := c.know.AddExamples(r.Context(), []knowledge.Example{ex}, "staff:"+s.User.Name); err != nil {
		if strings.Contains(err.Error(), "expect_any") {
			c.renderError(w, r, s, http.StatusBadRequest, "这条来源已不在资料里（可能刚更新过），请重新查找。")
			return
		}
		c.fail(w, r, s, err)
		return
	}
	if err := c.rate(r.Context(), s.User, id, true); err != nil {
		c.fail(w, r, s, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, "example.add", doc, map[string]any{"lookup": id}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/answer", http.StatusSeeOther)
}

// maxSpanRunes bounds the span a source form sends: spanOf makes 24.
const maxSpanRunes = 60

// spanOf is a short verbatim piece of a cited passage that names it to
// the knowledge base: its first 24 characters, white space left out as
// examples store spans.
func spanOf(passage string) string {
	var b strings.Builder
	n := 0
	for _, r := range passage {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
		if n++; n == 24 {
			break
		}
	}
	return b.String()
}

func (c *Console) apiAsk(w http.ResponseWriter, r *http.Request, s *session) {
	if c.know == nil {
		writeError(w, http.StatusServiceUnavailable, "the knowledge base is not wired into this server")
		return
	}
	var in struct {
		Question string `json:"question"`
		Region   string `json:"region"`
	}
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ans, id, err := c.suggest(r.Context(), s.User, in.Question, in.Region)
	if err != nil && strings.HasPrefix(err.Error(), "question: ") {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		ID int64 `json:"id"`
		knowledge.Answer
	}{id, ans})
}

func (c *Console) apiAskFeedback(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	var in struct {
		Helpful *bool `json:"helpful"`
	}
	if err := decodeJSON(r, &in); err != nil || in.Helpful == nil {
		writeError(w, http.StatusBadRequest, "helpful: true or false is required")
		return
	}
	if err := c.rate(r.Context(), s.User, id, *in.Helpful); err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "helpful": *in.Helpful})
}

func (c *Console) apiAskRecent(w http.ResponseWriter, r *http.Request, s *session) {
	recent, err := c.recentQuestions(r.Context(), s.User, 20)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if recent == nil {
		recent = []recentQuestion{}
	}
	writeJSON(w, http.StatusOK, recent)
}

// highlight marks the words of the question that occur in a passage, so
// staff find the sentence that matters at a glance. It matches runs of two
// or more characters shared with the question, longest first.
func highlight(passage, question string) template.HTML {
	p := []rune(passage)
	// The policy terms behind the caller's everyday words count too:
	// "车费" finds "就业成本" in the text.
	terms := []string{question}
	for _, e := range knowledge.Expand(question) {
		terms = append(terms, e.Terms...)
	}
	q := strings.Join(terms, "\n")
	var b strings.Builder
	plain := func(rs []rune) { b.WriteString(template.HTMLEscapeString(string(rs))) }
	start := 0
	for i := 0; i < len(p); {
		best := 0
		for l := 2; i+l <= len(p) && l <= 12; l++ {
			frag := string(p[i : i+l])
			if !strings.Contains(q, frag) {
				break
			}
			if !stopFragment(frag) {
				best = l
			}
		}
		if best == 0 {
			i++
			continue
		}
		plain(p[start:i])
		b.WriteString("<mark>")
		plain(p[i : i+best])
		b.WriteString("</mark>")
		i += best
		start = i
	}
	plain(p[start:])
	return template.HTML(b.String()) //nolint:gosec // every piece is escaped above
}

// stopFragment tells whether a shared fragment is too common to mean
// anything (我们, 什么, punctuation).
func stopFragment(f string) bool {
	switch f {
	case "我们", "什么", "可以", "怎么", "是不", "不是", "的话", "一个", "没有", "如果", "我的", "我家", "请问", "这个", "那个", "是否":
		return true
	}
	return strings.ContainsAny(f, "，。、；：？！,.;:?! \n\t（）()“”\"")
}

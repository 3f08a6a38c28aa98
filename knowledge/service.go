package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/knowledge/place"
)

// DefaultK is how many citations an answer carries unless asked otherwise.
const DefaultK = 5

// MaxQuestion is the longest question accepted, in characters.
const MaxQuestion = 500

// ErrEmptyQuestion and ErrLongQuestion are bad input to Ask.
var (
	ErrEmptyQuestion = errors.New("question: empty")
	ErrLongQuestion  = fmt.Errorf("question: longer than %d characters", MaxQuestion)
)

// Generator writes an answer from a prompt: an OpenAI-compatible chat model
// (internal/llm.Client implements it).
type Generator interface {
	Complete(ctx context.Context, system, user string) (string, error)
}

// Options configure a Service.
type Options struct {
	// Hotline is the number residents are pointed to when the documents do
	// not answer (config Hotline); config.DefaultHotline when empty.
	Hotline string
	// Generator, when set, writes answers from the retrieved passages;
	// without it answers are extractive.
	Generator Generator
	// Logger gets operational events, never questions or personal data.
	Logger *slog.Logger
	// Tuning weighs the signals of retrieval; TuningFor the model when zero.
	Tuning Tuning
}

// Service is the knowledge base: ingest, search and answers. It keeps no
// state beside PostgreSQL, so any number of processes may share one corpus.
type Service struct {
	pool     *pgxpool.Pool
	embedder Embedder
	opts     Options
	log      *slog.Logger
	sql      string
	calib    Calibration
	off      offVectors
}

// New returns a Service over pool using embedder for vectors (NewBuiltin()
// by default). Vectors of other models stored in the same tables are kept
// but not searched.
func New(pool *pgxpool.Pool, embedder Embedder, opts Options) *Service {
	if embedder == nil {
		embedder = NewBuiltin()
	}
	if opts.Hotline == "" {
		opts.Hotline = config.DefaultHotline
	}
	if opts.Tuning == (Tuning{}) {
		opts.Tuning = TuningFor(embedder.Model())
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: pool, embedder: embedder, opts: opts, log: log,
		sql: hybridSQL(embedder.Model(), embedder.Dim()), calib: calibrationFor(embedder.Model())}
}

// AskOptions tune one question.
type AskOptions struct {
	K      int    // citations to return; DefaultK when 0
	Region string // region id ("guizhou-2020") or place name whose documents rank higher
	// Examples says which remembered questions may vouch for passages:
	// all of them (the default), all but the question itself (to measure
	// them on the questions they hold), or none.
	Examples ExampleUse
}

// ExampleUse is which examples a question is ranked with.
type ExampleUse int

const (
	AllExamples ExampleUse = iota
	OtherExamples
	NoExamples
)

// Ask answers one question from the corpus. Personal data is redacted from
// the question before anything else sees it.
func (s *Service) Ask(ctx context.Context, question string, opt AskOptions) (Answer, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return Answer{}, ErrEmptyQuestion
	}
	if utf8.RuneCountInString(question) > MaxQuestion {
		return Answer{}, ErrLongQuestion
	}
	k := opt.K
	if k <= 0 {
		k = DefaultK
	}
	question = pii.Redact(question)
	ans := Answer{Question: question, Citations: []Citation{}, OfferCheck: describesHousehold(question)}

	// The placeholders of redaction are no part of what is asked.
	asked := strings.NewReplacer(pii.IDPlaceholder, " ", pii.PhonePlaceholder, " ", pii.CardPlaceholder, " ").Replace(question)
	rewrite := ""
	if s.opts.Generator != nil {
		rewrite = s.rewrite(ctx, asked)
	}
	q, err := s.prepare(ctx, asked, rewrite, opt.Region)
	if err != nil {
		return Answer{}, err
	}
	q.examples = opt.Examples
	// Whether the documents cover the question is judged on the same
	// number of passages whatever k is: the web chat cites three, eval five.
	fetch := max(k, figurePassages)
	if s.opts.Generator != nil {
		fetch = max(k, rerankPassages)
	}
	hits, qvec, err := s.search(ctx, &q, fetch)
	if err != nil {
		return Answer{}, err
	}
	// Whether the documents cover the question is judged on search's own
	// ranking, which the calibration was fitted on; the model's ranking
	// then decides what is cited first.
	if !s.covered(ctx, q, hits, qvec) {
		ans.Text = s.notCovered(ctx, q, hits)
		return ans, nil
	}
	if s.opts.Generator != nil {
		// The model reads meaning, not where a rule holds: another place's
		// passages stay after those that apply, as search had them.
		hits = elsewhereLast(s.rerank(ctx, asked, hits), q)
	}
	if len(hits) > k {
		hits = hits[:k]
	}
	ans.Answered = true
	for _, h := range hits {
		c := h.Citation
		c.Place = documentPlace(h.Title, h.divisions)
		ans.Citations = append(ans.Citations, c)
	}
	if s.opts.Generator != nil {
		text, err := s.generate(ctx, question, ans.Citations, askedPlace(q))
		if err == nil && text != "" {
			ans.Text = withLostDashNotes(text, ans.Citations)
			// Whose rule each cited passage is, as the extractive answer
			// says it: the model may cite 青海's and 珙县's side by side.
			if note := whoseNote(citedIn(ans.Text), hits, q); note != "" {
				ans.Text += "\n" + note
			}
			return ans, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return Answer{}, ctx.Err()
			}
			s.log.Warn("generated answer failed; answering from the passages", "err", err)
		}
	}
	ans.Text = s.extractive(ctx, q, hits, qvec)
	return ans, nil
}

func (s *Service) notCovered(ctx context.Context, q query, hits []hit) string {
	advice := "建议您拨打热线 " + s.opts.Hotline + " 问一问，或者到乡镇（街道）的社会救助窗口当面咨询。"
	// A question about a place no document applies to ("北京的低保标准")
	// is told so, and which places the documents are of: the resident
	// learns it is not a matter of asking differently.
	if elsewhere := s.placeNotCovered(ctx, q, hits); elsewhere != "" {
		return elsewhere + advice
	}
	return "抱歉，现有的政策文件里没有找到能回答这个问题的内容，我不想乱说误导您。" + advice
}

// placeNotCovered says, for a question that names places no document
// found applies to, that the documents hold no rule of that place, and
// whose they hold: of places inside it, or elsewhere; "" otherwise.
func (s *Service) placeNotCovered(ctx context.Context, q query, hits []hit) string {
	if len(q.askedNames) == 0 {
		return "" // no place named, or only the resident's region
	}
	var inside []string // places inside the one asked that have documents
	for _, h := range hits {
		switch placeRelation(h, q) {
		case place.Same, place.Above:
			return ""
		case place.Inside:
			if !slices.Contains(inside, h.region) {
				inside = append(inside, h.region)
			}
		}
	}
	asked := strings.Join(q.askedNames, "、")
	if len(inside) > 0 {
		// "宜宾市低保渐退期多长时间": only 珙县's rule is there, which
		// holds in 珙县, not in all of 宜宾.
		return "抱歉，现有的政策文件里找不到" + asked + "全境通用的这方面规定，只有其下" + strings.Join(inside, "、") +
			"的文件。您家如果在" + strings.Join(inside, "、") + "，可以直接问“" + inside[0] + "……”。"
	}
	regions, err := s.documentRegions(ctx)
	if err != nil {
		s.log.Warn("listing the documents' places", "err", err)
	}
	text := "抱歉，现有的政策文件里没有" + asked + "的规定，我不想拿别处的规定误导您。"
	if len(regions) > 0 {
		text += "这里收的是" + strings.Join(regions, "、") + "的文件。"
	}
	return text
}

// covered decides whether the documents answer the question, from the
// signals of the best passages weighed by the embedding model's
// calibration (refusal.go).
func (s *Service) covered(ctx context.Context, q query, hits []hit, qvec []float32) bool {
	if len(q.words) == 0 || len(hits) == 0 {
		return false
	}
	return s.calib.score(s.signals(ctx, q, hits, qvec)) >= 0
}

// figurePassages is how many passages are read for the figure a question
// asks (lacks), and retrieved for that whatever k is. With three,
// "珙县低保渐退期多长时间" found 珙县's "3—12个月" fourth and was refused.
const figurePassages = 5

// signals measures the best passages against the question.
func (s *Service) signals(ctx context.Context, q query, hits []hit, qvec []float32) signals {
	var sg signals
	var passages []shown
	// A figure answers a question that names a place when it is of that
	// place or of one that holds it, or when its sentence names the place.
	named := placesOfCorpus(q.places, hits)
	for _, n := range q.askedNames {
		if !slices.Contains(named, n) {
			named = append(named, n)
		}
	}
	for i, h := range hits {
		// The closest item of any passage shown: word scores reorder the
		// passages, but how close the question is to the corpus in meaning
		// does not change with their order.
		sg.Sim = max(sg.Sim, h.sim)
		for _, o := range h.others {
			sg.Sim = max(sg.Sim, o.sim)
		}
		if i < 3 {
			sg.Coverage = max(sg.Coverage, q.coverage(h))
		}
		if i < figurePassages {
			passages = append(passages, shown{text: h.Text, elsewhere: !applies(h, q, named)})
		}
	}
	sg.Off = s.offSignal(ctx, qvec, sg.Sim)
	sg.Strange = q.strangeness()
	sg.Lacks = q.ask.lacks(passages, named)
	if q.near.answered > 0 && q.near.not > 0 {
		sg.Asked, sg.Examples = q.near.answered-q.near.not, true
	}
	if q.nearWords.answered > 0 && q.nearWords.not > 0 {
		sg.AskedWords = q.nearWords.answered - q.nearWords.not
	}
	if sg.Lacks && (len(q.askedNames) > 0 || q.byRegion) {
		// Examples are compared without place names, so a question about
		// one place is like one answered for another: "广东的…几倍" is like
		// "…几倍认定", answered by 青海's rule, which is not 广东's. When
		// the passages here do not state what it asks, the likeness counts
		// for nothing. (For every question that lacks it, not only those
		// of a place: one more answerable question refused in each set.)
		sg.Asked, sg.AskedWords = min(sg.Asked, 0), min(sg.AskedWords, 0)
	}
	return sg
}

// coverage is the idf-weighted share of the question's content words that
// hit h contains, directly, through a part, or through the glossary.
func (q query) coverage(h hit) float64 {
	var total, found float64
	for _, w := range q.words {
		if q.contextWord(w.text) {
			continue
		}
		wi := q.idf(q.df[w.text]) * topicWeight(w.pos)
		total += wi
		if q.wordFound(w.text, h) {
			found += wi
		}
	}
	if total == 0 {
		return 0
	}
	return found / total
}

// contextWord reports whether w only says who or when ("奶奶", "马上"):
// such words count neither for nor against coverage.
func (q query) contextWord(w string) bool {
	for _, e := range q.expanded {
		if e.Context && (strings.Contains(e.Phrase, w) || strings.Contains(w, e.Phrase)) {
			return true
		}
	}
	return false
}

func (q query) wordFound(w string, h hit) bool {
	if h.matched[w] {
		return true
	}
	parts := wordParts(w)
	for _, p := range parts {
		// A part found alone stands for the word only when it is itself a
		// content word of two or more characters.
		if h.matched[p] && utf8.RuneCountInString(p) >= 2 {
			return true
		}
	}
	for _, e := range q.expanded {
		if !strings.Contains(e.Phrase, w) && !strings.Contains(w, e.Phrase) {
			continue
		}
		for _, t := range e.Terms {
			for _, tw := range queryWords(t) {
				if h.matched[tw.text] {
					return true
				}
			}
		}
	}
	return false
}

// strangeness is the topic-weighted share of the question's content words
// that the corpus never uses, neither whole nor through a part of two or
// more characters, nor through a glossary term it calls up.
func (q query) strangeness() float64 {
	var total, strange float64
	for _, w := range q.words {
		if q.contextWord(w.text) {
			continue
		}
		wt := topicWeight(w.pos)
		total += wt
		if q.df[w.text] > 0 || q.expandsTo(w.text) {
			continue
		}
		known := false
		for _, p := range wordParts(w.text) {
			if utf8.RuneCountInString(p) >= 2 && q.df[p] > 0 {
				known = true
				break
			}
		}
		if !known {
			strange += wt
		}
	}
	if total == 0 {
		return 0
	}
	return strange / total
}

// expandsTo reports whether the glossary calls up a policy term for w.
func (q query) expandsTo(w string) bool {
	for _, e := range q.expanded {
		if !e.Context && (strings.Contains(e.Phrase, w) || strings.Contains(w, e.Phrase)) {
			return true
		}
	}
	return false
}

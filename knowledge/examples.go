package knowledge

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// Example is a question a resident asked with where its answer is: the
// documents and short spans of the passage that answers it, or none when
// the documents do not answer it. Search remembers examples: a new
// question close in meaning to one is likely answered by its passage, so
// the everyday words of many residents teach the ranking what the
// documents call things ("吃饭的地方" is 幸福食堂) without a glossary line
// for each.
type Example struct {
	Question   string
	Answerable bool
	Docs       []string // file names, as documents are named
	Spans      []string // short verbatim spans of the answering passage
}

// seedExamplesText is our own resident questions about the shared corpus,
// written from the documents alone (knowledge/testdata: the tuning sets,
// hold-outs 1–3 and resident_more_a/b; not hold-out 4, which measures
// them). Ingest adds those whose documents it holds.
//
//go:embed data/examples.jsonl
var seedExamplesText string

// examplesNearest is how many of the examples closest to the question
// vouch for their passages (Tuning.Asked; knowledge/testdata/README.md,
// "Answered questions"): 1 to 10 measured alike.
const examplesNearest = 5

// nearExamples is how close the question is to the closest answered
// example and to the closest one the documents do not answer (0: none).
type nearExamples struct {
	answered, not float64
}

// ExamplesFrom turns question-file lines (cli.md's eval format) into
// examples. An answerable line needs docs and expect_any: they say where
// the answer is.
func ExamplesFrom(qs []EvalQuestion) ([]Example, error) {
	out := make([]Example, 0, len(qs))
	for _, q := range qs {
		e := Example{Question: strings.TrimSpace(q.Question), Answerable: q.Answerable}
		if e.Answerable {
			for _, d := range q.Docs {
				if d = strings.TrimSpace(d); d != "" {
					e.Docs = append(e.Docs, d)
				}
			}
			for _, sp := range q.ExpectAny {
				if sp = foldSpan(sp); sp != "" {
					e.Spans = append(e.Spans, sp)
				}
			}
			if len(e.Docs) == 0 {
				return nil, fmt.Errorf("%s: docs: an answerable example names the documents that answer it", q.ID)
			}
			if len(e.Spans) == 0 {
				return nil, fmt.Errorf("%s: expect_any: an answerable example quotes the passage that answers it", q.ID)
			}
		} else if len(q.Docs) > 0 || len(q.ExpectAny) > 0 {
			return nil, fmt.Errorf("%s: answerable: false with docs or expect_any; an example the documents do not answer names no passage", q.ID)
		}
		out = append(out, e)
	}
	return out, nil
}

// foldSpan drops white space, as the stored passages are matched without it.
func foldSpan(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// AddExamples stores examples in one transaction (all or none) and embeds
// them. A question already stored is replaced: the newest word on where its
// answer is wins. An answered example must name a stored document with a
// passage that holds one of its spans: a misspelt name or span would
// otherwise be stored and vouch for nothing. It returns how many were new.
func (s *Service) AddExamples(ctx context.Context, exs []Example, source string) (int, error) {
	if source == "" {
		return 0, errors.New("add examples: source: empty")
	}
	added := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for i, e := range exs {
			if e.Answerable {
				var found bool
				if err := tx.QueryRow(ctx, `
					SELECT EXISTS (SELECT 1 FROM documents d JOIN chunks c ON c.document_id = d.id
						WHERE d.name = ANY ($1) AND EXISTS (SELECT 1 FROM unnest($2::text[]) sp
							WHERE sp <> '' AND strpos(regexp_replace(c.context, '\s', '', 'g'), sp) > 0))`,
					nonNil(e.Docs), nonNil(e.Spans)).Scan(&found); err != nil {
					return fmt.Errorf("example %d (%q): %w", i+1, e.Question, err)
				}
				if !found {
					return fmt.Errorf("example %d (%q): expect_any: no passage of %s holds any of its spans",
						i+1, e.Question, strings.Join(e.Docs, ", "))
				}
			}
			var inserted bool
			if err := tx.QueryRow(ctx, `
				INSERT INTO examples (question, answerable, docs, spans, source) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (question) DO UPDATE SET answerable = excluded.answerable, docs = excluded.docs,
					spans = excluded.spans, source = excluded.source, added_at = now()
				RETURNING xmax = 0`, e.Question, e.Answerable, nonNil(e.Docs), nonNil(e.Spans), source).Scan(&inserted); err != nil {
				return fmt.Errorf("example %d (%q): %w", i+1, e.Question, err)
			}
			if inserted {
				added++
			}
		}
		// A replaced example's vector is of its question, unchanged.
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("add examples: %w", err)
	}
	// Replaced examples may name other passages: found again whatever
	// was embedded.
	if err := s.embedExamples(ctx); err != nil {
		return added, err
	}
	return added, s.findExamplePassages(ctx)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// seedExamples adds the bundled examples of the documents stored (the
// shared corpus's), and the bundled out-of-scope ones with them. Examples
// already stored are left as they are.
func (s *Service) seedExamples(ctx context.Context) (int, error) {
	qs, err := ReadQuestions(strings.NewReader(seedExamplesText))
	if err != nil {
		return 0, fmt.Errorf("bundled examples: %w", err)
	}
	exs, err := ExamplesFrom(qs)
	if err != nil {
		return 0, fmt.Errorf("bundled examples: %w", err)
	}
	names := map[string]bool{}
	rows, err := s.pool.Query(ctx, `SELECT name FROM documents`)
	if err != nil {
		return 0, fmt.Errorf("seed examples: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("seed examples: %w", err)
		}
		names[n] = true
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("seed examples: %w", err)
	}
	var ours []Example
	for _, e := range exs {
		for _, d := range e.Docs {
			if names[d] {
				ours = append(ours, e)
				break
			}
		}
	}
	if len(ours) == 0 {
		return 0, nil // another corpus: the bundled examples are not about it
	}
	for _, e := range exs {
		if !e.Answerable {
			ours = append(ours, e)
		}
	}
	added := 0
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, e := range ours {
			tag, err := tx.Exec(ctx, `
				INSERT INTO examples (question, answerable, docs, spans, source) VALUES ($1, $2, $3, $4, 'seed')
				ON CONFLICT (question) DO NOTHING`, e.Question, e.Answerable, nonNil(e.Docs), nonNil(e.Spans))
			if err != nil {
				return err
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seed examples: %w", err)
	}
	return added, nil
}

// embedExamples embeds the examples the current model has no vector of
// (new ones, or all after a switch of models), and with the built-in
// embedder too when search compares their words (Tuning.AskedWords).
func (s *Service) embedExamples(ctx context.Context) error {
	if err := s.embedExamplesWith(ctx, s.embedder); err != nil {
		return err
	}
	if s.opts.Tuning.AskedWords > 0 && s.embedder.Model() != BuiltinModel {
		return s.embedExamplesWith(ctx, NewBuiltin())
	}
	return nil
}

func (s *Service) embedExamplesWith(ctx context.Context, embedder Embedder) error {
	model := embedder.Model()
	rows, err := s.pool.Query(ctx, `
		SELECT e.id, e.question FROM examples e
		WHERE NOT EXISTS (SELECT 1 FROM example_embeddings v WHERE v.example_id = e.id AND v.model = $1)
		ORDER BY e.id`, model)
	if err != nil {
		return fmt.Errorf("find examples to embed: %w", err)
	}
	var ids []int64
	var texts []string
	for rows.Next() {
		var id int64
		var q string
		if err := rows.Scan(&id, &q); err != nil {
			rows.Close()
			return err
		}
		names, _ := askedPlaces(q)
		ids, texts = append(ids, id), append(texts, withoutPlaces(q, names))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find examples to embed: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	vs, err := queryVectors(ctx, embedder, texts)
	if err != nil {
		return fmt.Errorf("embed examples: %w", err)
	}
	batch := &pgx.Batch{}
	for i, id := range ids {
		batch.Queue(`INSERT INTO example_embeddings (example_id, model, embedding) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, id, model, pgvector.NewVector(vs[i]))
	}
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("store example vectors: %w", err)
	}
	return nil
}

// findExamplePassages finds again the items each example's spans are in,
// after examples or documents changed.
func (s *Service) findExamplePassages(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `REFRESH MATERIALIZED VIEW example_passages`); err != nil {
		return fmt.Errorf("find the examples' passages: %w", err)
	}
	return nil
}

// withoutPlaces is a question with the place names it holds (names, as
// askedPlaces reads them) taken out: an example and a question are alike
// by what they ask, and a shared place name made every question about 刚察
// look like "刚察县低保渐退期多久".
func withoutPlaces(question string, names []string) string {
	for _, n := range names {
		question = strings.ReplaceAll(question, n, " ")
	}
	return question
}

// QueriesEmbedder embeds many queries at once (in parallel batches).
type QueriesEmbedder interface {
	EmbedQueries(ctx context.Context, queries []string) ([][]float32, error)
}

// queryVectors embeds texts as a question is embedded.
func queryVectors(ctx context.Context, embedder Embedder, texts []string) ([][]float32, error) {
	var vs [][]float32
	var err error
	switch e := embedder.(type) {
	case QueriesEmbedder:
		vs, err = e.EmbedQueries(ctx, texts)
	case QueryEmbedder:
		for _, t := range texts {
			v, err := e.EmbedQuery(ctx, t)
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
	default:
		vs, err = embedder.Embed(ctx, texts)
	}
	if err != nil {
		return nil, err
	}
	if len(vs) != len(texts) {
		return nil, fmt.Errorf("got %d vectors for %d texts", len(vs), len(texts))
	}
	return vs, nil
}

// ExampleCount is how many examples are stored, answerable and not.
func (s *Service) ExampleCount(ctx context.Context) (answerable, not int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE answerable), count(*) FILTER (WHERE NOT answerable)
		FROM examples`).Scan(&answerable, &not)
	if err != nil {
		return 0, 0, fmt.Errorf("count examples: %w", err)
	}
	return answerable, not, nil
}

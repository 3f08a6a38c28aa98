package knowledge

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/safetynet/safetynet/knowledge/place"
)

// Weights of query terms before idf: the resident's own words count most,
// the parts of a long word and the glossary's policy terms less.
const (
	weightWord      = 1.0
	weightPart      = 0.5
	weightExpansion = 0.7
)

// Tuning weighs the signals of hybrid retrieval. Each candidate item's
// score is
//
//	Dense/(RRFK+dense rank) + Keyword/(RRFK+keyword rank)
//	  + Sim·cosine + Overlap·(keyword score / best keyword score)
//
// so that both plain reciprocal-rank fusion and a fusion of the scores
// themselves can be measured; TuningFor is what the measurements on our
// own tuning questions chose (knowledge/testdata/README.md).
type Tuning struct {
	Dense, Keyword, RRFK float64
	Sim, Overlap         float64
	// Bigram weighs the question's Han character bigrams as full-text
	// terms beside its words: they find a passage however gse cut either.
	Bigram float64
	// Place multiplies the score of passages from a place the question
	// names, or from a place inside it.
	Place float64
	// Elsewhere multiplies the score of passages from a place that
	// neither is, holds nor lies inside the place the question names:
	// 青海's rule does not apply in 珙县.
	Elsewhere float64
	// Asked adds, to the items of the passage of an answered example
	// close to the question, Asked × (its cosine − AskedFloor): residents
	// ask the same things in words the documents never use, and a
	// question like one answered before is likely answered by the same
	// passage (examples.go).
	Asked, AskedFloor float64
	// AskedWords does the same by the examples closest in words (the
	// built-in embedder's vectors): AskedWords × (cosine −
	// AskedWordsFloor). Off where the built-in embedder is the model.
	AskedWords, AskedWordsFloor float64
	// Okapi adds, to each item the fusion brought, its Okapi BM25 score
	// over the question's Han characters and bigrams, as a share of the
	// best item's. Unlike the overlap above it saturates a repeated term
	// and weighs down long items, which otherwise win by their length.
	Okapi float64
	// PlainQuery embeds the question as asked, without the glossary's
	// terms (they still reach the full-text side).
	PlainQuery bool
	// Candidates is how many items each side brings to the fusion.
	Candidates int
}

// TuningFor is the fusion used for an embedding model unless Options say
// otherwise: a model that reads meaning leans on the cosine, the built-in
// embedder (a hashed bag of words) more on the words themselves.
func TuningFor(model string) Tuning {
	t := Tuning{Sim: 1, Overlap: 0.1, Bigram: 0.4, Place: 1.1, Elsewhere: 0.9, Okapi: 0.15, PlainQuery: true, Candidates: 40,
		Asked: 1, AskedFloor: 0.6, AskedWords: 1, AskedWordsFloor: 0.2}
	if model == BuiltinModel {
		// A hashed bag of words puts paraphrases further apart.
		t.Overlap, t.Asked, t.AskedFloor, t.AskedWords = 0.3, 2, 0.2, 0
	}
	return t
}

const (
	efSearch      = 100
	keywordBudget = 1000 // rows the full-text side may score, by document frequency
)

// queryTerm is one term of the full-text query.
type queryTerm struct {
	term   string
	weight float64 // before idf
	idf    float64
	df     int64
}

// query is a question prepared for search.
type query struct {
	question string      // the question as asked (redacted)
	text     string      // the question as embedded
	words    []qword     // the question's own content words
	terms    []queryTerm // everything the full-text side looks for
	grams    []queryTerm // the question's Han characters and bigrams, with their frequencies, for Okapi
	// df is how many items hold each term (by their words), as read once
	// in prepare for the terms, the characters and the bigrams.
	df       map[string]int64
	expanded []Expansion // glossary entries the question called up
	places   []string    // the place names the question holds ("珙县")
	// asked are the administrative divisions the question names, from
	// the gazetteer: what a document's place is measured against.
	asked      []place.Division
	askedNames []string
	// byRegion: asked is the resident's region (regionName), not a place
	// the question names.
	byRegion   bool
	regionName string
	// ask is what kind of fact the question asks for, about what.
	ask ask
	// near is how close the closest examples are, answered and not;
	// search reads it.
	near, nearWords nearExamples
	// examples is which examples may vouch (AskOptions.Examples).
	examples ExampleUse
	nChunks  float64
	// vector waits for the question's vector, which prepare starts making
	// before it reads the word statistics: the two are independent, and the
	// model is the slower (a query costs it about 10 ms on two cores).
	vector func() ([]float32, error)
}

// hit is one retrieved chunk.
type hit struct {
	Citation
	chunkID int64
	region  string
	// divisions are where the document's rules hold, read from region.
	divisions []place.Division
	heading   string
	item      string // the item ranked; Citation.Text is its context
	parent    int    // the chunk the item was cut from, within its document
	others    []hit  // lower-ranked items of the same context
	// superseded: the item is of a note that summarises a document which
	// is itself ingested (the bundled starter notes name their source).
	superseded bool
	matched    map[string]bool // query terms the chunk contains
	semantic   int             // rank on the vector side, 0 if absent
	sim        float64         // cosine similarity to the question
	// vouch is what the examples added to the score.
	vouch   float64
	keyword int // rank on the full-text side, 0 if absent
}

// prepare readies a question for search. rewrite, when not empty, is the
// question said in policy terms (by the language model): it is searched
// for like the glossary's terms, but the question's own words alone decide
// whether the documents cover it.
//
// region is the resident's (an id such as "guizhou-2020", or a place
// name): a question that names no place is about it.
func (s *Service) prepare(ctx context.Context, question, rewrite, region string) (query, error) {
	q, err := s.prepareTerms(ctx, question, rewrite)
	if err != nil {
		return q, err
	}
	if len(q.askedNames) == 0 && region != "" {
		// Another province's standard is no answer to the resident either.
		q.byRegion, q.regionName = true, regionPlace(region)
		q.asked = divisionsOf(q.regionName)
	}
	q.ask = readAsk(q.question, q.subject())
	return q, nil
}

// prepareTerms reads the question's words, terms and their statistics, and
// starts embedding it.
func (s *Service) prepareTerms(ctx context.Context, question, rewrite string) (query, error) {
	q := query{question: question, words: queryWords(question), expanded: Expand(question),
		places: places.FindAllString(question, -1)}
	q.askedNames, q.asked = askedPlaces(question)
	weights := map[string]float64{}
	add := func(t string, w float64) {
		if w > weights[t] {
			weights[t] = w
		}
	}
	for _, w := range q.words {
		add(w.text, weightWord)
		for _, p := range wordParts(w.text) {
			add(p, weightPart)
		}
	}
	if bw := s.opts.Tuning.Bigram; bw > 0 {
		for _, b := range bigrams(question) {
			add(b, bw)
		}
	}
	var extra []string
	if rewrite != "" {
		extra = append(extra, rewrite)
		for _, w := range queryWords(rewrite) {
			add(w.text, weightExpansion)
		}
	}
	for _, t := range expandedTerms(question) {
		extra = append(extra, t)
		for _, w := range queryWords(t) {
			add(w.text, weightExpansion)
			for _, p := range wordParts(w.text) {
				add(p, weightPart*weightExpansion)
			}
		}
	}
	q.text = question
	if len(extra) > 0 && !s.opts.Tuning.PlainQuery {
		q.text += "\n" + strings.Join(extra, " ")
	}
	type embedded struct {
		vec []float32
		err error
	}
	done := make(chan embedded, 1) // buffered: prepare may return first
	go func() {
		v, err := s.queryVector(ctx, q.text)
		done <- embedded{v, err}
	}()
	q.vector = sync.OnceValues(func() ([]float32, error) {
		e := <-done
		return e.vec, e.err
	})
	if len(weights) == 0 {
		return q, nil
	}
	terms := make([]string, 0, len(weights))
	for t := range weights {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	// Okapi scores the question's characters and bigrams: their document
	// frequencies are read with the terms'.
	var chars, grams []string
	if s.opts.Tuning.Okapi > 0 {
		chars, grams = hanChars(question), bigrams(question)
	}
	lookup := append([]string(nil), terms...)
	for _, more := range [][]string{chars, grams} {
		for _, g := range more {
			if _, ok := weights[g]; !ok { // bigrams are terms already when Bigram > 0
				lookup = append(lookup, g)
			}
		}
	}

	// Document frequencies come from the statistics ingest keeps; the number
	// of chunks from the planner's row estimate, which ingest refreshes.
	rows, err := s.pool.Query(ctx, `
		SELECT t, coalesce(st.ndoc, 0), coalesce(cs.ndoc, 0),
		       greatest((SELECT reltuples FROM pg_class WHERE oid = 'chunks'::regclass), 1)
		FROM unnest($1::text[]) AS t
		LEFT JOIN chunk_word_stats st ON st.word = t
		LEFT JOIN chunk_char_stats cs ON cs.ch = t`, lookup)
	if err != nil {
		return q, fmt.Errorf("read word statistics: %w", err)
	}
	q.df = map[string]int64{}     // items whose words hold t
	charDFs := map[string]int64{} // items whose text holds the character t
	for rows.Next() {
		var t string
		var df, cdf int64
		if err := rows.Scan(&t, &df, &cdf, &q.nChunks); err != nil {
			rows.Close()
			return q, fmt.Errorf("read word statistics: %w", err)
		}
		q.df[t], charDFs[t] = df, cdf
	}
	if err := rows.Err(); err != nil {
		return q, fmt.Errorf("read word statistics: %w", err)
	}
	for _, t := range terms {
		df := q.df[t]
		q.terms = append(q.terms, queryTerm{term: t, weight: weights[t], df: df, idf: q.idf(df)})
	}
	for _, c := range chars {
		if df := charDFs[c]; df > 0 {
			q.grams = append(q.grams, queryTerm{term: c, weight: 1, df: df, idf: okapiIDF(q.nChunks, df)})
		}
	}
	for _, b := range grams {
		if df := q.df[b]; df > 0 {
			q.grams = append(q.grams, queryTerm{term: b, weight: 1, df: df, idf: okapiIDF(q.nChunks, df)})
		}
	}
	return q, nil
}

// idf of a word found in df chunks; an unknown word gets the highest value.
func (q query) idf(df int64) float64 {
	d := float64(df)
	if d <= 0 {
		d = 0.5
	}
	return math.Log(1 + q.nChunks/d)
}

// hybridSQL is the one statement of hybrid search: HNSW cosine top-N and
// full-text top-N (terms weighted by idf, summed over the terms an item
// contains), fused as Tuning says. The model is a literal, not a
// parameter: only then can the planner prove the partial index's predicate.
func hybridSQL(model string, dim int) string {
	lit := "'" + strings.ReplaceAll(model, "'", "''") + "'"
	vec := fmt.Sprintf("vector(%d)", dim)
	return `
WITH q AS MATERIALIZED (
    SELECT t.term, t.w, t.sel, plainto_tsquery('simple', t.term) AS tq
    FROM unnest($1::text[], $2::float8[], $5::bool[]) AS t(term, w, sel)
),
semantic AS (
    SELECT chunk_id AS id, row_number() OVER (ORDER BY dist) AS rank, 1 - dist AS sim
    FROM (
        SELECT chunk_id, embedding::` + vec + ` <=> $3::` + vec + ` AS dist
        FROM chunk_embeddings
        WHERE model = ` + lit + `
        ORDER BY embedding::` + vec + ` <=> $3::` + vec + `
        LIMIT $4
    ) s
),
examples_meaning AS MATERIALIZED (
    -- The question's cosine to every example that may vouch ($15: all,
    -- all but the question itself, none); a few thousand at most, so an
    -- exact scan, once.
    SELECT v.example_id, e.answerable, 1 - (v.embedding::` + vec + ` <=> $20::` + vec + `) AS sim
    FROM example_embeddings v JOIN examples e ON e.id = v.example_id
    WHERE v.model = ` + lit + ` AND $15::int < 2 AND NOT ($15::int = 1 AND e.question = $16::text)
),
examples_words AS MATERIALIZED (
    -- The same in words (the built-in embedder's hashed words and
    -- bigrams): residents who ask about one thing use the same everyday
    -- words, which the model may place apart.
    SELECT v.example_id, e.answerable, 1 - (v.embedding::vector(` + strconv.Itoa(BuiltinDim) + `) <=> $17::vector(` + strconv.Itoa(BuiltinDim) + `)) AS sim
    FROM example_embeddings v JOIN examples e ON e.id = v.example_id
    WHERE v.model = '` + BuiltinModel + `' AND $18::float8 > 0
      AND $15::int < 2 AND NOT ($15::int = 1 AND e.question = $16::text)
),
near AS (
    SELECT example_id, answerable, sim FROM examples_meaning ORDER BY sim DESC, example_id LIMIT $13
),
near_words AS (
    SELECT example_id, sim FROM examples_words WHERE answerable ORDER BY sim DESC, example_id LIMIT $13
),
asked AS (
    -- The items those of them that were answered vouch for, by the
    -- closest example in meaning and in words.
    SELECT id, max(asim) AS asim, max(wsim) AS wsim FROM (
        SELECT p.chunk_id AS id, n.sim AS asim, 0::float8 AS wsim
        FROM near n JOIN example_passages p ON p.example_id = n.example_id
        WHERE n.answerable
        UNION ALL
        SELECT p.chunk_id, 0, w.sim
        FROM near_words w JOIN example_passages p ON p.example_id = w.example_id
    ) x
    GROUP BY id
),
keyword AS (
    -- Each selective term's items come from the GIN index; an item's
    -- score is the sum of the weights of the terms it holds. Summing per
    -- term avoids reading (de-TOASTing) each item's tsvector per term.
    SELECT id, row_number() OVER (ORDER BY s DESC, id) AS rank, s
    FROM (
        SELECT m.id, sum(q.w) AS s
        FROM q CROSS JOIN LATERAL (
            -- A term in very many items is read only up to the budget.
            SELECT c.id FROM chunks c WHERE c.tsv @@ q.tq LIMIT ` + strconv.Itoa(keywordBudget) + `
        ) m
        WHERE q.sel
        GROUP BY m.id
        ORDER BY s DESC, m.id
        LIMIT $4
    ) k
),
cand AS (
    SELECT i.id, coalesce(s.rank, 0) AS srank, coalesce(k.rank, 0) AS krank,
           coalesce(s.sim, 0) AS sim, coalesce(k.s, 0) AS ks, coalesce(a.asim, 0) AS asim,
           coalesce(a.wsim, 0) AS wsim
    FROM (SELECT id FROM semantic UNION SELECT id FROM keyword UNION SELECT id FROM asked) i
    LEFT JOIN semantic s ON s.id = i.id
    LEFT JOIN keyword k ON k.id = i.id
    LEFT JOIN asked a ON a.id = i.id
),
sims AS (
    -- Cosines of the candidates the vector side did not bring.
    SELECT c.id, c.srank, c.krank, c.ks, c.asim, c.wsim, ch.document_id AS doc, ch.parent,
           CASE WHEN c.srank > 0 THEN c.sim ELSE 1 - (e.embedding::` + vec + ` <=> $3::` + vec + `) END AS sim
    FROM cand c
    JOIN chunk_embeddings e ON e.chunk_id = c.id AND e.model = ` + lit + `
    JOIN chunks ch ON ch.id = c.id
),
fused AS (
    SELECT id, srank, krank, sim, asim, doc, parent,
           $12::float8 * greatest(asim - $14::float8, 0) + $18::float8 * greatest(wsim - $19::float8, 0) AS vouch,
           CASE WHEN srank > 0 THEN $6::float8 / ($8::float8 + srank) ELSE 0 END
         + CASE WHEN krank > 0 THEN $7::float8 / ($8::float8 + krank) ELSE 0 END
         + $10::float8 * sim
         + $11::float8 * coalesce(ks / nullif(max(ks) OVER (), 0), 0)
         + $12::float8 * greatest(asim - $14::float8, 0)
         + $18::float8 * greatest(wsim - $19::float8, 0) AS score
    FROM sims
),
best AS (
    -- At most three items of a passage: an example vouches for every item
    -- of its passage, and they must not crowd the other passages out.
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY doc, parent ORDER BY score DESC, id) AS nth FROM fused
    ) r
    WHERE nth <= 3
    ORDER BY score DESC, id
    LIMIT $9
)
SELECT f.id, d.name, d.title, d.region, c.section, c.heading, c.text, c.context, c.parent,
       f.score, f.srank, f.krank, ARRAY(SELECT q.term FROM q WHERE c.tsv @@ q.tq) AS matched, f.sim,
       d.source <> '' AND EXISTS (SELECT 1 FROM documents o WHERE o.name = d.source) AS superseded,
       f.vouch, coalesce(n.answered, 0), coalesce(n.unanswered, 0),
       coalesce(nw.answered, 0), coalesce(nw.unanswered, 0)
FROM best f
CROSS JOIN (
    -- How close the closest answered and unanswered examples are.
    SELECT max(sim) FILTER (WHERE answerable) AS answered, max(sim) FILTER (WHERE NOT answerable) AS unanswered
    FROM examples_meaning
) n
CROSS JOIN (
    SELECT max(sim) FILTER (WHERE answerable) AS answered, max(sim) FILTER (WHERE NOT answerable) AS unanswered
    FROM examples_words
) nw
JOIN chunks c ON c.id = f.id
JOIN documents d ON d.id = c.document_id
ORDER BY f.score DESC, f.id`
}

// search runs hybrid retrieval and returns up to limit hits, best first.
func (s *Service) search(ctx context.Context, q *query, limit int) ([]hit, []float32, error) {
	// The full-text side reads every chunk a selected term is in, so it
	// selects by the rarest terms only, up to a budget of rows; chunks with
	// only common terms would rank low anyway. When even the rarest term is
	// in more chunks than the budget, none is selected: reading an
	// arbitrary thousand of its chunks cost 2-3 ms a question at 100k
	// chunks and found nothing the vector side would not. On a corpus of a
	// few hundred chunks every term is selected (the commonest term of our
	// 362 questions is in 252 of the shared corpus's 310 items).
	var known []queryTerm
	for _, t := range q.terms {
		if t.df > 0 { // a term in no chunk finds nothing
			known = append(known, t)
		}
	}
	sort.Slice(known, func(i, j int) bool { return known[i].df < known[j].df })
	terms := make([]string, len(known))
	weights := make([]float64, len(known))
	sel := make([]bool, len(known))
	var rowsBudget int64
	for i, t := range known {
		terms[i], weights[i] = t.term, t.weight*t.idf
		if rowsBudget+t.df <= keywordBudget {
			sel[i] = true
			rowsBudget += t.df
		}
	}
	// Items, not passages, are ranked: several items of one passage may
	// come first, so more are fetched than passages are wanted.
	fetch := max(limit*4, 20)
	if q.byRegion {
		fetch *= 2
	}
	vec, err := q.vector()
	if err != nil {
		return nil, nil, err
	}
	// Examples are compared by what is asked, not where: "刚察县…" is not
	// like every question about 刚察.
	asked, avec := withoutPlaces(q.question, q.askedNames), vec
	if asked != q.question && q.examples != NoExamples {
		if avec, err = s.queryVector(ctx, asked); err != nil {
			return nil, nil, err
		}
	}

	// One round trip: the transaction only scopes SET LOCAL, so the
	// statements go together as a batch.
	var hits []hit
	batch := &pgx.Batch{}
	batch.Queue("BEGIN")
	batch.Queue(fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", efSearch))
	t := s.opts.Tuning
	batch.Queue(s.sql, terms, weights, pgvector.NewVector(vec), t.Candidates, sel,
		t.Dense, t.Keyword, t.RRFK, fetch, t.Sim, t.Overlap, t.Asked, examplesNearest, t.AskedFloor,
		int(q.examples), q.question, pgvector.NewVector(NewBuiltin().vector(asked)),
		t.AskedWords, t.AskedWordsFloor, pgvector.NewVector(avec)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var h hit
			var matched []string
			if err := rows.Scan(&h.chunkID, &h.Doc, &h.Title, &h.region, &h.Section, &h.heading, &h.item, &h.Text,
				&h.parent, &h.Score, &h.semantic, &h.keyword, &matched, &h.sim, &h.superseded,
				&h.vouch, &q.near.answered, &q.near.not, &q.nearWords.answered, &q.nearWords.not); err != nil {
				return err
			}
			h.divisions = divisionsOf(h.region)
			h.matched = make(map[string]bool, len(matched))
			for _, m := range matched {
				h.matched[m] = true
			}
			hits = append(hits, h)
		}
		return rows.Err()
	})
	batch.Queue("COMMIT")
	err = s.pool.SendBatch(ctx, batch).Close()
	if err != nil {
		return nil, nil, fmt.Errorf("hybrid search: %w", err)
	}
	preferOriginals(hits)
	okapi(hits, q.grams, s.opts.Tuning.Okapi)
	switch {
	case q.byRegion:
		// The resident's region, when the question names no place.
		weighPlaces(hits, *q, regionBoost, s.opts.Tuning.Elsewhere)
	case len(q.places) > 0 || len(q.askedNames) > 0:
		// "珙县低保渐退期…": the place the resident names is the one whose
		// documents answer first, among passages that say the same, and
		// another province's rule comes after both its own and its
		// province's.
		weighPlaces(hits, *q, s.opts.Tuning.Place, s.opts.Tuning.Elsewhere)
	}
	hits = byContext(hits)
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, vec, nil
}

// queryVector embeds the question as a query: with the model's query
// instruction where the embedder has one.
func (s *Service) queryVector(ctx context.Context, text string) ([]float32, error) {
	vecs, err := queryVectors(ctx, s.embedder, []string{text})
	if err != nil {
		return nil, fmt.Errorf("embed question: %w", err)
	}
	return vecs[0], nil
}

// byContext keeps the best item of each passage, in order, with the
// passage's other items beside it: a passage is cited once, however many
// of its items rank.
func byContext(hits []hit) []hit {
	type key struct {
		doc    string
		parent int
	}
	at := map[key]int{}
	var out []hit
	for _, h := range hits {
		k := key{h.Doc, h.parent}
		if i, ok := at[k]; ok {
			out[i].others = append(out[i].others, h)
			continue
		}
		at[k] = len(out)
		out = append(out, h)
	}
	return out
}

// bigrams are the distinct pairs of adjacent Han characters of text.
func bigrams(text string) []string {
	var out []string
	seen := map[string]bool{}
	var prev rune
	for _, r := range text {
		if !unicode.Is(unicode.Han, r) {
			prev = 0
			continue
		}
		if prev != 0 {
			b := string([]rune{prev, r})
			if !seen[b] {
				seen[b] = true
				out = append(out, b)
			}
		}
		prev = r
	}
	return out
}

// supersededFactor weighs down a note's passages when the document it
// summarises is ingested too: the original is what a citation should
// quote; the note, in plainer words, would otherwise win on similarity.
const supersededFactor = 0.5

func preferOriginals(hits []hit) {
	found := false
	for i := range hits {
		if hits[i].superseded {
			hits[i].Score *= supersededFactor
			found = true
		}
	}
	if found {
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	}
}

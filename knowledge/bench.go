package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/safetynet/safetynet/knowledge/document"
)

// BenchOptions configure BenchRetrieve.
type BenchOptions struct {
	Chunks  int      // chunks to index in all: the real ones plus variations
	Queries int      // questions timed and checked for recall
	Extra   []string // questions to time beside generated ones
	Seed    uint64
	// Progress, when set, gets a line per stage.
	Progress func(string)
	// Model, when set, embeds the timed questions (and a sample of the real
	// passages, for the ingest rate of the model). The index holds
	// built-in vectors of the same dimension: building 100k model vectors
	// on two cores takes long, and what is timed is a whole query with the
	// model's embedding in it.
	Model QueryEmbedder
}

// BenchReport is what `safetynet bench retrieve` prints.
type BenchReport struct {
	Chunks        int
	RealChunks    int
	Prepare       time.Duration // segmenting and embedding the chunks
	Copy          time.Duration // COPY into the tables, tsvectors included
	IngestRate    float64       // chunks a second, preparation and load together
	HNSWBuild     time.Duration
	Queries       int
	P50, P95, P99 time.Duration // hybrid search, one question end to end
	RecallAt10    float64       // HNSW top-10 against an exact scan
	EfSearch      int
	// ModelName and ModelRate: the model timed, and the passages a second
	// it embeds at ingest (real passages, in its batches).
	ModelName string
	ModelRate float64
}

func (r BenchReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chunks: %d (%d real, %d generated variations)\n", r.Chunks, r.RealChunks, r.Chunks-r.RealChunks)
	fmt.Fprintf(&b, "ingest: %.0f chunks/s (segment+embed %v, COPY %v)\n", r.IngestRate, r.Prepare.Round(time.Millisecond), r.Copy.Round(time.Millisecond))
	if r.ModelName != "" {
		fmt.Fprintf(&b, "model %s: %.1f passages/s embedded at ingest; the timed questions are embedded with it\n", r.ModelName, r.ModelRate)
	}
	fmt.Fprintf(&b, "HNSW build: %v\n", r.HNSWBuild.Round(time.Millisecond))
	fmt.Fprintf(&b, "hybrid query latency (%d questions): p50 %v, p95 %v, p99 %v\n", r.Queries,
		r.P50.Round(10*time.Microsecond), r.P95.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond))
	fmt.Fprintf(&b, "HNSW recall@10 vs exact scan (ef_search %d): %.3f\n", r.EfSearch, r.RecallAt10)
	return b.String()
}

// BenchRetrieve fills the service's (scratch!) database with docs' chunks
// and generated variations of them up to opt.Chunks, builds the HNSW index,
// and measures hybrid search latency and HNSW recall. It replaces whatever
// the database's knowledge tables hold.
func (s *Service) BenchRetrieve(ctx context.Context, docs []document.Document, opt BenchOptions) (BenchReport, error) {
	builtin, ok := s.embedder.(Builtin)
	if !ok {
		return BenchReport{}, fmt.Errorf("bench: the benchmark uses the built-in embedder, not %s", s.embedder.Model())
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string) {}
	}
	if opt.Queries <= 0 {
		opt.Queries = 200
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5afe))
	type src struct {
		doc   int
		chunk document.Chunk // Text is the item's
	}
	var real []src
	for i, d := range docs {
		for _, it := range itemsOf(d) {
			real = append(real, src{doc: i, chunk: it.Chunk})
		}
	}
	if len(real) == 0 {
		return BenchReport{}, fmt.Errorf("bench: no chunks in the documents")
	}
	n := max(opt.Chunks, len(real))
	rep := BenchReport{Chunks: n, RealChunks: len(real), EfSearch: efSearch}

	// Sentences of the whole corpus, to make variations from: each one a
	// real chunk with sentences swapped in from others and its numbers changed.
	var sentences []string
	for _, r := range real {
		sentences = append(sentences, splitSentences(r.chunk.Text)...)
	}
	type row struct {
		doc, ord        int
		section, header string
		text, words     string
		vec             []float32
	}
	rows := make([]row, n)
	for i := range rows {
		r := real[i%len(real)]
		text := r.chunk.Text
		if i >= len(real) {
			text = vary(rng, r.chunk.Text, sentences)
		}
		rows[i] = row{doc: r.doc, ord: i, section: r.chunk.Section, header: r.chunk.Heading, text: text}
	}
	progress(fmt.Sprintf("segmenting and embedding %d chunks", n))
	start := time.Now()
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				c := document.Chunk{Heading: rows[i].header, Text: rows[i].text}
				rows[i].words = chunkWords(docs[rows[i].doc].Title, c)
				rows[i].vec = builtin.vector(embedText(c.Heading, "", c.Text))
			}
		}()
	}
	wg.Wait()
	rep.Prepare = time.Since(start)

	progress("loading with COPY")
	copyStart := time.Now()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return rep, err
	}
	defer conn.Release()
	steps := []string{
		`TRUNCATE documents, chunks, chunk_embeddings`,
		`DROP INDEX IF EXISTS chunk_embeddings_builtin_v1_idx`,
		`DROP INDEX IF EXISTS chunks_tsv_idx`,
		`CREATE TEMP TABLE bench_chunks (id bigint, document_id bigint, ord int, section text, heading text, text text, words text) ON COMMIT DROP`,
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return rep, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st); err != nil {
			return rep, fmt.Errorf("bench: %s: %w", st, err)
		}
	}
	for i, d := range docs {
		if _, err := tx.Exec(ctx, `INSERT INTO documents (id, name, title, hash) VALUES ($1, $2, $3, 'bench')`, i+1, d.Name, d.Title); err != nil {
			return rep, err
		}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"bench_chunks"}, []string{"id", "document_id", "ord", "section", "heading", "text", "words"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			r := rows[i]
			return []any{int64(i + 1), int64(r.doc + 1), r.ord, r.section, r.header, r.text, r.words}, nil
		}))
	if err != nil {
		return rep, fmt.Errorf("bench: copy chunks: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO chunks (id, document_id, ord, section, heading, text, content_hash, words, tsv, context, parent)
		SELECT id, document_id, ord, section, heading, text, md5(text), words, to_tsvector('simple', words), text, ord FROM bench_chunks`); err != nil {
		return rep, fmt.Errorf("bench: chunks: %w", err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"chunk_embeddings"}, []string{"chunk_id", "model", "embedding"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return []any{int64(i + 1), BuiltinModel, pgvector.NewVector(rows[i].vec)}, nil
		}))
	if err != nil {
		return rep, fmt.Errorf("bench: copy vectors: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv)`); err != nil {
		return rep, err
	}
	if err := tx.Commit(ctx); err != nil {
		return rep, err
	}
	rep.Copy = time.Since(copyStart)
	rep.IngestRate = float64(n) / (rep.Prepare + rep.Copy).Seconds()

	progress("building the HNSW index")
	for _, st := range []string{`SET maintenance_work_mem = '1GB'`, `SET max_parallel_maintenance_workers = 1`} {
		if _, err := conn.Exec(ctx, st); err != nil {
			return rep, err
		}
	}
	hnswStart := time.Now()
	if _, err := conn.Exec(ctx, `CREATE INDEX chunk_embeddings_builtin_v1_idx ON chunk_embeddings
		USING hnsw ((embedding::vector(512)) vector_cosine_ops) `+hnswBuild+` WHERE model = 'builtin-v1'`); err != nil {
		return rep, fmt.Errorf("bench: hnsw: %w", err)
	}
	rep.HNSWBuild = time.Since(hnswStart)
	for _, st := range []string{`RESET maintenance_work_mem`, `RESET max_parallel_maintenance_workers`, `VACUUM ANALYZE chunks`, `VACUUM ANALYZE chunk_embeddings`} {
		if _, err := conn.Exec(ctx, st); err != nil {
			return rep, err
		}
	}
	if err := s.refreshStats(ctx); err != nil {
		return rep, err
	}

	// Questions: the given ones, then pieces of random chunks as people
	// would quote them.
	qs := slices.Clone(opt.Extra)
	for len(qs) < opt.Queries {
		sent := sentences[rng.IntN(len(sentences))]
		rs := []rune(sent)
		if len(rs) > 24 {
			st := rng.IntN(len(rs) - 20)
			rs = rs[st : st+20]
		}
		qs = append(qs, string(rs))
	}
	qs = qs[:opt.Queries]
	timed := s
	if m := opt.Model; m != nil {
		if m.Dim() != BuiltinDim {
			return rep, fmt.Errorf("bench: model %s has %d dimensions, the index %d", m.Model(), m.Dim(), BuiltinDim)
		}
		rep.ModelName = m.Model()
		progress(fmt.Sprintf("embedding %d passages with %s", min(len(real), 400), m.Model()))
		texts := make([]string, 0, 400)
		for _, r := range real[:min(len(real), 400)] {
			texts = append(texts, embedText(r.chunk.Heading, "", r.chunk.Text))
		}
		t := time.Now()
		if _, err := m.Embed(ctx, texts); err != nil {
			return rep, fmt.Errorf("bench: embed passages: %w", err)
		}
		rep.ModelRate = float64(len(texts)) / time.Since(t).Seconds()
		timed = New(s.pool, modelQueries{Builtin: builtin, model: m}, s.opts)
	}
	progress(fmt.Sprintf("timing %d hybrid queries", len(qs)))
	for _, q := range qs[:min(20, len(qs))] { // warm caches
		if _, err := timed.Retrieve(ctx, q, DefaultK); err != nil {
			return rep, err
		}
	}
	lat := make([]time.Duration, len(qs))
	for i, q := range qs {
		t := time.Now()
		if _, err := timed.Retrieve(ctx, q, DefaultK); err != nil {
			return rep, err
		}
		lat[i] = time.Since(t)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	rep.Queries, rep.P50, rep.P95, rep.P99 = len(qs), pct(0.50), pct(0.95), pct(0.99)

	progress("measuring recall against an exact scan")
	var found, total int
	for _, q := range qs {
		vec := pgvector.NewVector(builtin.vector(q))
		approx, err := s.topIDs(ctx, vec, true)
		if err != nil {
			return rep, err
		}
		exact, err := s.topIDs(ctx, vec, false)
		if err != nil {
			return rep, err
		}
		for _, id := range exact {
			if slices.Contains(approx, id) {
				found++
			}
		}
		total += len(exact)
	}
	if total > 0 {
		rep.RecallAt10 = float64(found) / float64(total)
	}
	return rep, nil
}

// modelQueries searches the built-in index with questions embedded by a
// model, for timing only: the vectors are of another space.
type modelQueries struct {
	Builtin
	model QueryEmbedder
}

func (m modelQueries) EmbedQuery(ctx context.Context, q string) ([]float32, error) {
	return m.model.EmbedQuery(ctx, q)
}

// topIDs returns the ten nearest chunks by the HNSW index, or by an exact
// scan (the index disabled).
func (s *Service) topIDs(ctx context.Context, vec pgvector.Vector, index bool) ([]int64, error) {
	var ids []int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		set := fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", efSearch)
		if !index {
			set = "SET LOCAL enable_indexscan = off"
		}
		if _, err := tx.Exec(ctx, set); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT chunk_id FROM chunk_embeddings WHERE model = 'builtin-v1'
			ORDER BY embedding::vector(512) <=> $1::vector(512) LIMIT 10`, vec)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	return ids, err
}

// vary makes a plausible new passage from a real one: some sentences
// replaced by sentences of other passages, some numbers changed.
func vary(rng *rand.Rand, text string, pool []string) string {
	ss := splitSentences(text)
	for i := range ss {
		if rng.IntN(3) == 0 {
			ss[i] = pool[rng.IntN(len(pool))]
		}
	}
	if rng.IntN(2) == 0 {
		ss = append(ss, pool[rng.IntN(len(pool))])
	}
	rng.Shuffle(len(ss), func(i, j int) { ss[i], ss[j] = ss[j], ss[i] })
	// A few fragments of other sentences, so no two variations embed alike.
	for range 2 + rng.IntN(3) {
		p := []rune(pool[rng.IntN(len(pool))])
		if len(p) > 10 {
			st := rng.IntN(len(p) - 8)
			ss = append(ss, string(p[st:st+4+rng.IntN(5)])+"。")
		}
	}
	out := []rune(strings.Join(ss, ""))
	for i, r := range out {
		if r >= '0' && r <= '9' && rng.IntN(2) == 0 {
			out[i] = rune('0' + rng.IntN(10))
		}
	}
	return string(out)
}

// Retrieve is hybrid search alone: the k best passages for a question,
// best first, without the relevance floor or an answer.
func (s *Service) Retrieve(ctx context.Context, question string, k int) ([]Citation, error) {
	if k <= 0 {
		k = DefaultK
	}
	q, err := s.prepare(ctx, question, "", "")
	if err != nil {
		return nil, err
	}
	hits, _, err := s.search(ctx, &q, k)
	if err != nil {
		return nil, err
	}
	out := make([]Citation, len(hits))
	for i, h := range hits {
		out[i] = h.Citation
	}
	return out, nil
}

package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/safetynet/safetynet/knowledge/document"
)

// IngestReport counts what one ingest did, document by document.
type IngestReport struct {
	DocsAdded, DocsUpdated, DocsUnchanged       int
	ChunksAdded, ChunksUpdated, ChunksUnchanged int
	// Reembedded counts chunks of unchanged documents that got a vector for
	// the current model (after a model switch).
	Reembedded int
	// Failed lists files that could not be read or stored, by name, with the
	// reason; the other files were ingested all the same.
	Failed []FileError
	// Doubts are places in the documents read that a capture has probably
	// damaged ("312个月" for "3—12个月"): the bot quotes them word for word,
	// so they are reported until the document is fixed.
	Doubts []DocDoubt
}

// DocDoubt is a doubt about one document's text.
type DocDoubt struct {
	Doc string
	document.Doubt
}

// ShownDoubt is a doubt as the CLI and the console list it.
type ShownDoubt struct {
	DocDoubt
	// Masked is, on a document's first masked figure, how many it has in
	// all; the others are not listed.
	Masked int
}

// ShowDoubts lists every damaged range and garbled place, and of the masked
// figures, which come by the dozen in a document published that way, only
// each document's first with their count.
func ShowDoubts(doubts []DocDoubt) []ShownDoubt {
	masked := map[string]int{}
	for _, d := range doubts {
		if d.Kind == document.DoubtPlaceholder {
			masked[d.Doc]++
		}
	}
	var out []ShownDoubt
	for _, d := range doubts {
		if d.Kind != document.DoubtPlaceholder {
			out = append(out, ShownDoubt{DocDoubt: d})
		} else if n := masked[d.Doc]; n > 0 {
			out = append(out, ShownDoubt{DocDoubt: d, Masked: n})
			masked[d.Doc] = 0
		}
	}
	return out
}

// Explain says in a sentence what looks wrong, for the CLI.
func (d DocDoubt) Explain() string {
	switch d.Kind {
	case document.DoubtLostDash:
		return fmt.Sprintf("a range seems to have lost its dash (%s?)", d.Guess)
	case document.DoubtPlaceholder:
		return "a figure or name is masked as xx"
	case document.DoubtGarbled:
		return "characters were lost to a wrong encoding"
	}
	return string(d.Kind)
}

// FileError is one file that could not be ingested.
type FileError struct {
	Path string
	Err  error
}

func (e FileError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }

// String is the report as `safetynet ingest` prints it.
func (r IngestReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "documents: %d added, %d updated, %d unchanged\n", r.DocsAdded, r.DocsUpdated, r.DocsUnchanged)
	fmt.Fprintf(&b, "chunks: %d added, %d updated, %d unchanged\n", r.ChunksAdded, r.ChunksUpdated, r.ChunksUnchanged)
	if r.Reembedded > 0 {
		fmt.Fprintf(&b, "re-embedded: %d chunks\n", r.Reembedded)
	}
	for _, f := range r.Failed {
		fmt.Fprintf(&b, "failed: %s\n", f.Error())
	}
	for _, d := range ShowDoubts(r.Doubts) {
		fmt.Fprintf(&b, "check: %s %s: %s: %q\n", d.Doc, d.Section, d.Explain(), d.Quote)
		if d.Masked > 1 {
			fmt.Fprintf(&b, "check: %s: %d places in all masked as xx\n", d.Doc, d.Masked)
		}
	}
	if len(r.Doubts) > 0 {
		b.WriteString("check: the bot quotes these as they are; fix them from the original and ingest again\n")
	}
	return b.String()
}

// ErrNoFiles means the paths given to Ingest held no document to read.
var ErrNoFiles = errors.New("no txt, md, html or docx files found")

// Ingest reads the files and folders at paths and stores their documents.
// Each document is stored in its own transaction: an unchanged document is
// left alone, a changed one has all its chunks replaced at once. A file that
// cannot be read or stored is listed in the report and the rest go on.
func (s *Service) Ingest(ctx context.Context, paths ...string) (IngestReport, error) {
	return s.IngestProgress(ctx, nil, paths...)
}

// IngestProgress is Ingest with a line to progress for each document whose
// passages are embedded: a model embeds a few dozen passages a second, so
// a large corpus takes minutes.
func (s *Service) IngestProgress(ctx context.Context, progress func(string), paths ...string) (IngestReport, error) {
	if progress == nil {
		progress = func(string) {}
	}
	var rep IngestReport
	files, err := collectFiles(paths, &rep)
	if err != nil {
		return rep, err
	}
	if len(files) == 0 && len(rep.Failed) == 0 {
		return rep, ErrNoFiles
	}
	changed := false
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		doc, err := document.Load(f)
		if err != nil {
			rep.Failed = append(rep.Failed, FileError{Path: f, Err: err})
			continue
		}
		c, err := s.ingestDocument(ctx, doc, &rep, progress)
		if err == nil {
			err = s.recordSource(ctx, doc.Name, f)
		}
		if err != nil {
			if ctx.Err() != nil {
				return rep, err
			}
			rep.Failed = append(rep.Failed, FileError{Path: f, Err: err})
			continue
		}
		changed = changed || c
	}
	if changed {
		if err := s.refreshStats(ctx); err != nil {
			return rep, err
		}
	}
	// The bundled examples of the documents now here, and vectors of the
	// current model for every example (after a switch of models too).
	seeded, err := s.seedExamples(ctx)
	if err != nil {
		return rep, err
	}
	if err := s.embedExamples(ctx); err != nil {
		return rep, err
	}
	if seeded > 0 {
		return rep, s.findExamplePassages(ctx)
	}
	return rep, nil
}

// collectFiles expands folders into the supported files under them, sorted.
// A path that does not exist is a failure of that path only.
func collectFiles(paths []string, rep *IngestReport) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			rep.Failed = append(rep.Failed, FileError{Path: p, Err: err})
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				rep.Failed = append(rep.Failed, FileError{Path: path, Err: err})
				return nil
			}
			if !d.IsDir() && document.Supported(d.Name()) && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
	}
	sort.Strings(files)
	return files, nil
}

// storedChunk is one item of a chunk ready to store: words segmented, hash
// computed. Rows of the chunks table are items (document.Items); Ord
// numbers them within the document and parent is the Ord of the chunk they
// were cut from.
type storedChunk struct {
	document.Chunk
	item   document.Item
	parent int
	hash   string
	words  string
}

// itemsOf cuts a document's chunks into the items that are stored.
func itemsOf(doc document.Document) []storedChunk {
	var out []storedChunk
	for _, c := range doc.Chunks {
		for _, it := range document.Items(c) {
			sc := storedChunk{Chunk: c, item: it, parent: c.Ord}
			sc.Ord = len(out)
			sc.Text = it.Text
			sc.hash = itemHash(sc)
			sc.words = chunkWords(doc.Title, sc.Chunk)
			out = append(out, sc)
		}
	}
	return out
}

// indexVersion names how documents are cut and indexed (items, the words
// of the full-text vector); a change stores every document again.
const indexVersion = "items-2 words+bigrams-1 embed-item-first\x00"

// contentHash identifies what is stored of a document: the parsed content,
// not the file bytes, so a better parser also updates unchanged files.
func contentHash(doc document.Document, chunks []storedChunk) string {
	h := sha256.New()
	h.Write([]byte(indexVersion))
	for _, s := range []string{doc.Title, doc.Issuer, doc.Date, doc.Source} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, c := range chunks {
		h.Write([]byte(c.hash))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// itemHash identifies what an item's vector is made of, so that a vector is
// reused while its text stays; its context is stored again with it anyway.
func itemHash(c storedChunk) string {
	sum := sha256.Sum256([]byte(indexVersion + c.Section + "\x00" + c.Heading + "\x00" + c.Text + "\x00" + c.item.Lead))
	return hex.EncodeToString(sum[:])
}

// IngestDocument stores one parsed document in one transaction and adds
// its counts to rep. It reports whether anything was written.
func (s *Service) IngestDocument(ctx context.Context, doc document.Document, rep *IngestReport) (bool, error) {
	return s.ingestDocument(ctx, doc, rep, func(string) {})
}

func (s *Service) ingestDocument(ctx context.Context, doc document.Document, rep *IngestReport, say func(string)) (bool, error) {
	if doc.Name == "" {
		return false, errors.New("document without a name")
	}
	doubts := document.Doubts(doc)
	for _, d := range doubts {
		rep.Doubts = append(rep.Doubts, DocDoubt{Doc: doc.Name, Doubt: d})
	}
	chunks := itemsOf(doc)
	hash := contentHash(doc, chunks)
	model := s.embedder.Model()

	var (
		docID     int64
		oldHash   string
		oldDoubts *int // NULL: stored before doubts were counted
	)
	err := s.pool.QueryRow(ctx, `SELECT id, hash, doubts FROM documents WHERE name = $1`, doc.Name).Scan(&docID, &oldHash, &oldDoubts)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return false, fmt.Errorf("look up document %s: %w", doc.Name, err)
	case oldHash == hash:
		n, err := s.embedMissing(ctx, docID)
		if err != nil {
			return false, err
		}
		// Same text, same doubts: written only for a document stored before
		// they were counted (or by a version that counted otherwise).
		if oldDoubts == nil || *oldDoubts != len(doubts) {
			if _, err := s.pool.Exec(ctx, `UPDATE documents SET doubts = $2 WHERE id = $1`, docID, len(doubts)); err != nil {
				return false, fmt.Errorf("count doubts of %s: %w", doc.Name, err)
			}
		}
		rep.DocsUnchanged++
		rep.ChunksUnchanged += len(chunks)
		rep.Reembedded += n
		return n > 0, nil
	}

	// Vectors of chunks whose text did not change are kept; only new text is
	// embedded, and before the transaction, so a slow model holds no locks.
	old := map[string]pgvector.Vector{}
	if docID != 0 {
		rows, err := s.pool.Query(ctx, `
			SELECT c.content_hash, e.embedding FROM chunks c
			JOIN chunk_embeddings e ON e.chunk_id = c.id AND e.model = $2
			WHERE c.document_id = $1`, docID, model)
		if err != nil {
			return false, fmt.Errorf("read vectors of %s: %w", doc.Name, err)
		}
		for rows.Next() {
			var h string
			var v pgvector.Vector
			if err := rows.Scan(&h, &v); err != nil {
				rows.Close()
				return false, fmt.Errorf("read vectors of %s: %w", doc.Name, err)
			}
			old[h] = v
		}
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("read vectors of %s: %w", doc.Name, err)
		}
	}
	vectors := make([]pgvector.Vector, len(chunks))
	var todo []int
	for i, c := range chunks {
		if v, ok := old[c.hash]; ok {
			vectors[i] = v
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) > 0 {
		texts := make([]string, len(todo))
		for j, i := range todo {
			texts[j] = embedText(chunks[i].Heading, chunks[i].item.Lead, chunks[i].Text)
		}
		say(fmt.Sprintf("%s: embedding %d passages with %s", doc.Name, len(texts), s.embedder.Model()))
		start := time.Now()
		vs, err := s.embedder.Embed(ctx, texts)
		if err != nil {
			return false, fmt.Errorf("embed %s: %w", doc.Name, err)
		}
		took := time.Since(start)
		say(fmt.Sprintf("%s: %d passages in %v (%.1f a second)", doc.Name, len(texts), took.Round(time.Millisecond), float64(len(texts))/took.Seconds()))
		if len(vs) != len(texts) {
			return false, fmt.Errorf("embed %s: got %d vectors for %d texts", doc.Name, len(vs), len(texts))
		}
		for j, i := range todo {
			vectors[i] = pgvector.NewVector(vs[j])
		}
	}

	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var existed bool
		var oldCount int
		err := tx.QueryRow(ctx, `
			INSERT INTO documents (name, title, issuer, date, source, region, hash, doubts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (name) DO UPDATE SET title = $2, issuer = $3, date = $4, source = $5,
				region = $6, hash = $7, doubts = $8, updated_at = now()
			RETURNING id, (xmax <> 0), (SELECT count(*) FROM chunks WHERE document_id = documents.id)`,
			doc.Name, doc.Title, doc.Issuer, doc.Date, doc.Source, regionOf(doc), hash, len(doubts),
		).Scan(&docID, &existed, &oldCount)
		if err != nil {
			return fmt.Errorf("store document: %w", err)
		}
		oldHashes := map[string]bool{}
		if existed {
			rows, err := tx.Query(ctx, `DELETE FROM chunks WHERE document_id = $1 RETURNING content_hash`, docID)
			if err != nil {
				return fmt.Errorf("replace chunks: %w", err)
			}
			for rows.Next() {
				var h string
				if err := rows.Scan(&h); err != nil {
					rows.Close()
					return err
				}
				oldHashes[h] = true
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("replace chunks: %w", err)
			}
		}
		batch := &pgx.Batch{}
		for i, c := range chunks {
			batch.Queue(`
				WITH c AS (
					INSERT INTO chunks (document_id, ord, section, heading, text, content_hash, words, tsv, context, parent, lead)
					VALUES ($1, $2, $3, $4, $5, $6, $7, to_tsvector('simple', $7), $10, $11, $12)
					RETURNING id)
				INSERT INTO chunk_embeddings (chunk_id, model, embedding) SELECT id, $8, $9 FROM c`,
				docID, c.Ord, c.Section, c.Heading, c.Text, c.hash, c.words, model, vectors[i],
				c.item.Context, c.parent, c.item.Lead)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("store chunks: %w", err)
		}
		if existed {
			rep.DocsUpdated++
		} else {
			rep.DocsAdded++
		}
		for _, c := range chunks {
			switch {
			case !existed:
				rep.ChunksAdded++
			case oldHashes[c.hash]:
				rep.ChunksUnchanged++
			default:
				rep.ChunksUpdated++
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("ingest %s: %w", doc.Name, err)
	}
	return true, nil
}

// embedMissing embeds the chunks of a document that have no vector for the
// current model yet, as after switching models.
func (s *Service) embedMissing(ctx context.Context, docID int64) (int, error) {
	model := s.embedder.Model()
	rows, err := s.pool.Query(ctx, `
		SELECT c.id, c.heading, c.lead, c.text FROM chunks c
		WHERE c.document_id = $1
		  AND NOT EXISTS (SELECT 1 FROM chunk_embeddings e WHERE e.chunk_id = c.id AND e.model = $2)
		ORDER BY c.ord`, docID, model)
	if err != nil {
		return 0, fmt.Errorf("find chunks to embed: %w", err)
	}
	var ids []int64
	var texts []string
	for rows.Next() {
		var id int64
		var heading, lead, text string
		if err := rows.Scan(&id, &heading, &lead, &text); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
		texts = append(texts, embedText(heading, lead, text))
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find chunks to embed: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	vs, err := s.embedder.Embed(ctx, texts)
	if err != nil {
		return 0, fmt.Errorf("embed: %w", err)
	}
	if len(vs) != len(ids) {
		return 0, fmt.Errorf("embed: got %d vectors for %d texts", len(vs), len(ids))
	}
	batch := &pgx.Batch{}
	for i, id := range ids {
		batch.Queue(`INSERT INTO chunk_embeddings (chunk_id, model, embedding) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, id, model, pgvector.NewVector(vs[i]))
	}
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return 0, fmt.Errorf("store vectors: %w", err)
	}
	return len(ids), nil
}

// refreshStats recomputes the word frequencies that weight query terms.
func (s *Service) refreshStats(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `REFRESH MATERIALIZED VIEW chunk_word_stats`); err != nil {
		return fmt.Errorf("refresh word statistics: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `REFRESH MATERIALIZED VIEW chunk_char_stats`); err != nil {
		return fmt.Errorf("refresh character statistics: %w", err)
	}
	// Passages changed: where the examples' answers are, too.
	if err := s.findExamplePassages(ctx); err != nil {
		return err
	}
	// Search reads the number of chunks from the planner's statistics.
	if _, err := s.pool.Exec(ctx, `ANALYZE chunks`); err != nil {
		return fmt.Errorf("analyze chunks: %w", err)
	}
	return nil
}

// chunkWords is the text the chunk's tsvector is built from: the gse words
// of the document title, the headings and the passage. The title's words
// let "贵州…" find a passage of the Guizhou plan that does not repeat it.
func chunkWords(title string, c document.Chunk) string {
	words := Words(title + "\n" + c.Heading + "\n" + c.Text)
	// The item's character bigrams too, for the question's bigram terms.
	words = append(words, bigrams(c.Heading+"\n"+c.Text)...)
	return strings.Join(words, " ")
}

// embedText is what an item's vector is computed from: the item, after the
// sentence that introduces its list when it has one ("（二）…的。" says
// little alone), then its headings. Headings come last and weigh less that
// way: a heading shared by many items ("重点任务 > …") would otherwise pull
// them all towards every question about it (measured in
// knowledge/testdata/README.md).
func embedText(heading, lead, text string) string {
	var b strings.Builder
	b.WriteString(lead)
	b.WriteString(text)
	if heading != "" {
		b.WriteString("\n")
		b.WriteString(heading)
	}
	return b.String()
}

// places are the regions the corpus speaks of; a document's region is the
// names found in its title and issuer, used for the --region boost.
var places = regexp.MustCompile(`(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|[\p{Han}]{1,6}?(?:省|自治区|市|州|县|区|旗))`)

func regionOf(doc document.Document) string {
	seen := map[string]bool{}
	var out []string
	for _, m := range places.FindAllString(doc.Title+" "+doc.Issuer, -1) {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return strings.Join(out, " ")
}

// hnswEfConstruction is how widely the HNSW indexes are built (migration
// 00107 builds the built-in model's alike). pgvector's default ef_construction of 64 left
// the graph poorly connected where many passages are near copies of each
// other: `bench retrieve --corpus ../shared/corpus` (100k passages varied
// from the shared documents' 310 items) measured recall@10 0.856–0.868 at
// ef_search 100; ef_construction 128 gave 0.939, 200 gave 0.954–0.964
// (ef_search 400 on the default graph gave only 0.941). The price: the
// build takes about 2.5 times as long (33 s → 87 s there), and on that
// clustered set a query's p95 rose from 20.6 to 24.8 ms; on the bundled
// corpus's 100k, recall 0.961 → 0.981 with no slower queries.
const hnswEfConstruction = 200

// hnswBuild is the index options; EnsureIndex reads ef_construction back
// from an index's options to tell one built with pgvector's defaults.
var hnswBuild = fmt.Sprintf("WITH (m = 16, ef_construction = %d)", hnswEfConstruction)

// EnsureIndex creates the HNSW index of the embedder's model when it has
// none yet: the built-in model's comes with the migrations, a model chosen
// by configuration gets its own partial index over its dimension.
func (s *Service) EnsureIndex(ctx context.Context) error {
	model, dim := s.embedder.Model(), s.embedder.Dim()
	if model == BuiltinModel {
		return nil
	}
	sum := sha256.Sum256([]byte(model))
	name := "chunk_embeddings_" + hex.EncodeToString(sum[:6]) + "_idx"
	lit := "'" + strings.ReplaceAll(model, "'", "''") + "'"
	create := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON chunk_embeddings
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) %s WHERE model = %s`, name, dim, hnswBuild, lit)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Processes starting together take turns; the lock ends with the
		// transaction.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, name); err != nil {
			return err
		}
		// An index built before hnswBuild (pgvector's defaults) is built
		// again once, here.
		var built bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'i'
			AND NOT ($2 = ANY (coalesce(reloptions, '{}'))))`, name, fmt.Sprintf("ef_construction=%d", hnswEfConstruction)).Scan(&built); err != nil {
			return err
		}
		if built {
			if _, err := tx.Exec(ctx, `DROP INDEX `+name); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, create)
		return err
	})
	if err != nil {
		return fmt.Errorf("vector index for model %s: %w", model, err)
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/corpus"
	"github.com/safetynet/safetynet/knowledge/document"
)

func init() {
	registerBench(benchmark{name: "retrieve", usage: "retrieve [--chunks N] [--queries N] [--corpus DIR] [--json]: index size, HNSW build, hybrid latency, recall@10", run: runBenchRetrieve})
}

func runBenchRetrieve(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bench retrieve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	chunks := fs.Int("chunks", 100000, "chunks to index: the corpus's own plus generated variations")
	queries := fs.Int("queries", 300, "questions to time and check for recall")
	dir := fs.String("corpus", "", "policy documents to start from (default: the bundled starter corpus)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	builtinOnly := fs.Bool("builtin", false, "embed the timed questions with the built-in embedder, not the model")
	keep := fs.Bool("keep-db", false, "keep the scratch database (to look into the timings with EXPLAIN)")
	flags, rest := flagArgs(args, map[string]bool{"json": true, "builtin": true, "keep-db": true})
	if err := fs.Parse(flags); err != nil {
		return badInput("%v", err)
	}
	if len(rest) > 0 {
		return badInput("bench retrieve: unexpected argument %q", rest[0])
	}
	if *chunks < 1 || *chunks > 5_000_000 {
		return badInput("--chunks: want 1 to 5000000, got %d", *chunks)
	}
	if *queries < 1 {
		return badInput("--queries: want at least 1, got %d", *queries)
	}
	docs, err := benchDocuments(*dir)
	if err != nil {
		return err
	}

	// A scratch database: the benchmark replaces the knowledge tables.
	name, drop, err := scratchDatabase(ctx, env.Cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(env.Stderr, "scratch database kept: %s\n", name)
	} else {
		defer drop()
	}
	pool, err := db.Open(ctx, withDatabase(env.Cfg.DatabaseURL, name))
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	// The index holds built-in vectors (see BenchOptions.Model); the timed
	// questions are embedded by the model the service would use.
	var model knowledge.QueryEmbedder
	if !*builtinOnly {
		emb, err := localEmbedder(env)
		if err != nil {
			return err
		}
		model, _ = emb.(knowledge.QueryEmbedder)
	}
	svc := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{Hotline: env.Cfg.Hotline})
	rep, err := svc.BenchRetrieve(ctx, docs, knowledge.BenchOptions{
		Model:    model,
		Chunks:   *chunks,
		Queries:  *queries,
		Extra:    retrieveQuestions,
		Seed:     1,
		Progress: func(s string) { fmt.Fprintln(env.Stderr, "bench retrieve:", s) },
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{
			"chunks": rep.Chunks, "real_chunks": rep.RealChunks,
			"ingest_chunks_per_s": rep.IngestRate, "prepare_ms": rep.Prepare.Milliseconds(), "copy_ms": rep.Copy.Milliseconds(),
			"hnsw_build_ms": rep.HNSWBuild.Milliseconds(), "queries": rep.Queries,
			"p50_ms": ms(rep.P50), "p95_ms": ms(rep.P95), "p99_ms": ms(rep.P99),
			"recall_at_10": rep.RecallAt10, "ef_search": rep.EfSearch,
			"query_model": rep.ModelName, "model_passages_per_s": rep.ModelRate,
		})
	}
	fmt.Fprint(env.Stdout, rep.String())
	return nil
}

func ms(d interface{ Microseconds() int64 }) float64 { return float64(d.Microseconds()) / 1000 }

func benchDocuments(dir string) ([]document.Document, error) {
	if dir == "" {
		return corpus.Documents()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, badInput("--corpus: %v", err)
	}
	var docs []document.Document
	for _, e := range entries {
		if e.IsDir() || !document.Supported(e.Name()) {
			continue
		}
		d, err := document.Load(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, badInput("--corpus %s: no documents", dir)
	}
	return docs, nil
}

// retrieveQuestions are timed first: residents' kinds of questions.
var retrieveQuestions = []string{
	"我出去打零工，来回车费能不能从收入里扣掉？",
	"农村低保标准是多少？",
	"家里老人瘫痪了，没有人照顾，政府能派人上门吗？",
	"孩子的爸妈都不管，孩子能有补助吗？",
	"低保渐退期多长时间？",
	"怎么办理护照？",
	"特困人员的生活标准怎么定？",
	"骗取低保会有什么后果？",
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/safetynet/safetynet/internal/llm"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge"
)

func init() {
	register(command{name: "ingest", usage: "ingest PATH…: store policy documents (txt md html docx, files or folders)", run: runIngest})
}

// newKnowledge wires the knowledge base from the settings: extractive
// answers and the local bge model's vectors by default (the built-in
// embedder when its files are missing); with OPENAI_BASE_URL, model
// answers, and model vectors when OPENAI_EMBED_MODEL is set too.
func newKnowledge(ctx context.Context, env *Env) (*knowledge.Service, error) {
	pool, err := env.DB(ctx)
	if err != nil {
		return nil, err
	}
	opts := knowledge.Options{Hotline: env.Cfg.Hotline, Logger: env.Log}
	var emb knowledge.Embedder
	if env.Cfg.LLMEnabled() {
		client := llm.New(llm.FromConfig(env.Cfg))
		if env.Cfg.OpenAIChatModel != "" {
			opts.Generator = client
		}
		if env.Cfg.OpenAIEmbedModel != "" {
			e, err := llm.NewEmbedder(ctx, client)
			if err != nil {
				return nil, fmt.Errorf("embedding model %s: %w", env.Cfg.OpenAIEmbedModel, err)
			}
			emb = e
		}
	}
	if emb == nil {
		if emb, err = localEmbedder(env); err != nil {
			return nil, err
		}
	}
	svc := knowledge.New(pool, emb, opts)
	if err := svc.EnsureIndex(ctx); err != nil {
		return nil, err
	}
	return svc, nil
}

// localEmbedder is bge-small-zh-v1.5 from SAFETYNET_MODEL_DIR, closed when
// the command ends; the built-in embedder when the files are not there.
func localEmbedder(env *Env) (knowledge.Embedder, error) {
	dir := env.Cfg.ModelDir
	if dir == "" {
		dir = bge.DefaultDir()
	}
	e, err := bge.Open(dir)
	if errors.Is(err, bge.ErrModelMissing) {
		env.Log.Warn("embedding model not found: retrieval falls back to the built-in embedder; run `make model` to fetch bge-small-zh-v1.5, or set SAFETYNET_MODEL_DIR",
			"dir", dir, "err", err)
		return knowledge.NewBuiltin(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("embedding model in %s: %w", dir, err)
	}
	env.Log.Info("embedding model loaded", "model", e.Model(), "dir", dir)
	env.onClose(func() { e.Close() })
	return e, nil
}

func runIngest(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	flags, paths := flagArgs(args, nil)
	if err := fs.Parse(flags); err != nil {
		return badInput("%v", err)
	}
	if len(paths) == 0 {
		return badInput("ingest: name at least one PATH (a file or a folder)")
	}
	svc, err := newKnowledge(ctx, env)
	if err != nil {
		return err
	}
	rep, err := svc.IngestProgress(ctx, func(line string) { fmt.Fprintln(env.Stderr, "ingest:", line) }, paths...)
	if errors.Is(err, knowledge.ErrNoFiles) {
		return badInput("ingest %v: %v", paths, err)
	}
	fmt.Fprint(env.Stdout, rep.String())
	if err != nil {
		return err
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d of the files could not be ingested (named above)", len(rep.Failed))
	}
	return nil
}

-- +goose Up
-- The built-in model's HNSW index, built with a wider search for
-- neighbours (knowledge/store.go hnswBuild says why and what it measured).
-- Indexes of other models are made by the service with the same setting.
DROP INDEX IF EXISTS chunk_embeddings_builtin_v1_idx;
CREATE INDEX chunk_embeddings_builtin_v1_idx ON chunk_embeddings
    USING hnsw ((embedding::vector(512)) vector_cosine_ops)
    WITH (m = 16, ef_construction = 200)
    WHERE model = 'builtin-v1';

-- +goose Down
DROP INDEX IF EXISTS chunk_embeddings_builtin_v1_idx;
CREATE INDEX chunk_embeddings_builtin_v1_idx ON chunk_embeddings
    USING hnsw ((embedding::vector(512)) vector_cosine_ops)
    WHERE model = 'builtin-v1';

-- +goose Up
-- The policy knowledge base: documents, their chunks with a full-text
-- vector over gse-segmented words, and embeddings per chunk per model.

CREATE TABLE documents (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,            -- the file's base name
    title       text NOT NULL DEFAULT '',
    issuer      text NOT NULL DEFAULT '',
    date        text NOT NULL DEFAULT '',         -- as the document gives it
    source      text NOT NULL DEFAULT '',         -- the source a starter note names
    region      text NOT NULL DEFAULT '',         -- place names found in title and issuer
    hash        text NOT NULL,                    -- sha256 of the parsed document
    ingested_at timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chunks (
    id           bigserial PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ord          integer NOT NULL,
    section      text NOT NULL DEFAULT '',
    heading      text NOT NULL DEFAULT '',
    text         text NOT NULL,
    content_hash text NOT NULL,
    -- gse words of heading and text, space separated; tsv is built from it
    -- with the 'simple' configuration (Chinese needs segmenting first).
    words        text NOT NULL DEFAULT '',
    tsv          tsvector NOT NULL,
    UNIQUE (document_id, ord)
);
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

-- One vector per chunk per model, so a model can be switched and the corpus
-- re-embedded beside the old vectors. The column has no fixed dimension;
-- each model gets a partial HNSW index over a cast to its dimension
-- (pgvector's pattern for several models in one table).
CREATE TABLE chunk_embeddings (
    chunk_id  bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    model     text NOT NULL,
    embedding vector NOT NULL,
    PRIMARY KEY (chunk_id, model)
);
CREATE INDEX chunk_embeddings_builtin_v1_idx ON chunk_embeddings
    USING hnsw ((embedding::vector(512)) vector_cosine_ops)
    WHERE model = 'builtin-v1';

-- Document frequency of each word, for weighting query terms (rare words
-- are better evidence) and for the relevance floor. Refreshed by ingest.
CREATE MATERIALIZED VIEW chunk_word_stats AS
    SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks');
CREATE UNIQUE INDEX chunk_word_stats_word_idx ON chunk_word_stats (word);

-- +goose Down
DROP MATERIALIZED VIEW chunk_word_stats;
DROP TABLE chunk_embeddings;
DROP TABLE chunks;
DROP TABLE documents;

-- +goose Up
-- Questions residents ask, each with the passage that answers it (or
-- marked as one the documents do not answer): a memory of answered
-- questions. A new question close in meaning to one of them is likely
-- answered by the same passage; residents ask the same things again and
-- again, in words the documents never use.
CREATE TABLE examples (
    id         bigserial PRIMARY KEY,
    question   text NOT NULL UNIQUE,
    answerable boolean NOT NULL,
    -- Where the answer is: the documents (by file name) and short spans
    -- of their text, folded as eval folds them (no white space). A span
    -- and not a chunk id, so that the example outlives a re-ingest.
    docs       text[] NOT NULL DEFAULT '{}',
    spans      text[] NOT NULL DEFAULT '{}',
    source     text NOT NULL,                 -- 'seed', a file name, a staff account
    added_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (answerable = (cardinality(docs) > 0 AND cardinality(spans) > 0))
);

-- One vector per example per model, embedded as a query is, so that a
-- question and an example are compared like with like.
CREATE TABLE example_embeddings (
    example_id bigint NOT NULL REFERENCES examples (id) ON DELETE CASCADE,
    model      text NOT NULL,
    embedding  vector NOT NULL,
    PRIMARY KEY (example_id, model)
);

-- The items each answerable example's spans are found in: every item of
-- the passage (chunks.context) that holds a span, since a passage is what
-- is cited and shown. Refreshed by ingest and whenever examples are added.
CREATE MATERIALIZED VIEW example_passages AS
    SELECT e.id AS example_id, c.id AS chunk_id
    FROM examples e
    JOIN documents d ON d.name = ANY (e.docs)
    JOIN chunks c ON c.document_id = d.id
    WHERE e.answerable
      AND EXISTS (SELECT 1 FROM unnest(e.spans) sp
                  WHERE strpos(regexp_replace(c.context, '\s', '', 'g'), sp) > 0);
CREATE UNIQUE INDEX example_passages_idx ON example_passages (example_id, chunk_id);

-- +goose Down
DROP MATERIALIZED VIEW example_passages;
DROP TABLE example_embeddings;
DROP TABLE examples;

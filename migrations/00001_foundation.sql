-- +goose Up
-- pgvector must be installed on the server (scripts/setup-db.sh builds it);
-- every other migration may rely on the vector type.
CREATE EXTENSION IF NOT EXISTS vector;

-- +goose Down
DROP EXTENSION IF EXISTS vector;

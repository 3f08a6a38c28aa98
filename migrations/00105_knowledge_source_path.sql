-- +goose Up
-- Where each document was last ingested from and when, so staff can see how
-- fresh the corpus is and re-ingest a document from its file without
-- uploading it again. Documents stored before this have no path ('').
ALTER TABLE documents ADD COLUMN source_path text NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN last_ingested_at timestamptz;
UPDATE documents SET last_ingested_at = updated_at;
ALTER TABLE documents ALTER COLUMN last_ingested_at SET DEFAULT now();
ALTER TABLE documents ALTER COLUMN last_ingested_at SET NOT NULL;

-- +goose Down
ALTER TABLE documents DROP COLUMN last_ingested_at;
ALTER TABLE documents DROP COLUMN source_path;

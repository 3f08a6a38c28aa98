-- +goose Up
-- Where each document was last read from, so staff can re-ingest a document
-- from its file without uploading it again. Documents stored before this
-- have no path (''). Kept beside the content: an ingest that finds the
-- content unchanged and the path the same writes nothing.
ALTER TABLE documents ADD COLUMN source_path text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE documents DROP COLUMN source_path;

-- +goose Up
-- How many places of a document's text look damaged by its capture
-- (knowledge/document/doubts.go), so the document list can say so long
-- after the ingest that found them. NULL: stored before this was counted;
-- the next ingest of the file counts them, changed or not.
ALTER TABLE documents ADD COLUMN doubts int;

-- +goose Down
ALTER TABLE documents DROP COLUMN doubts;

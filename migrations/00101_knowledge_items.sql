-- +goose Up
-- Rows of chunks become items: rule-sized passages ranked one by one. Each
-- keeps the passage around it (context), which residents are shown and
-- citations quote, and the ordinal of the section piece it came from
-- (parent), so that several items of one passage are cited once.
ALTER TABLE chunks ADD COLUMN context text NOT NULL DEFAULT '';
ALTER TABLE chunks ADD COLUMN parent integer NOT NULL DEFAULT 0;
ALTER TABLE chunks ADD COLUMN lead text NOT NULL DEFAULT '';
-- Chunks stored before items existed are their own context.
UPDATE chunks SET context = text, parent = ord WHERE context = '';

-- +goose Down
ALTER TABLE chunks DROP COLUMN lead;
ALTER TABLE chunks DROP COLUMN parent;
ALTER TABLE chunks DROP COLUMN context;

-- +goose Up
-- Every update rewrites its conversation row twice; free room on the page
-- lets PostgreSQL do that as heap-only updates, without touching the index.
ALTER TABLE bot_conversations SET (fillfactor = 70);

-- +goose Down
ALTER TABLE bot_conversations RESET (fillfactor);

-- +goose Up
-- A handoff ticket shows the resident's earlier questions: looked up by
-- chat, newest first.
CREATE INDEX questions_chat ON questions (channel, chat_id, asked_at DESC);

-- +goose Down
DROP INDEX questions_chat;

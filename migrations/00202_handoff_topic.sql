-- +goose Up
-- What each ticket is about, kept on the ticket: the console asks for the
-- queue every few seconds, and working it out from every line of every
-- ticket each time grows with the conversations. It holds the resident's
-- first real question, trimmed, or '' while they have asked none (the queue
-- then shows why the ticket was opened). Tickets opened before this column
-- keep NULL: telling a question from a wizard answer is done in Go, not
-- SQL, so the handoff desk works theirs out the first time it lists them.
-- Numbered in the bot's range because the handoff tables came with 00200.
ALTER TABLE handoff_tickets ADD COLUMN topic text;

-- +goose Down
ALTER TABLE handoff_tickets DROP COLUMN topic;

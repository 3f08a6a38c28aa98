-- +goose Up
-- Chats are addressed as (channel, text id) everywhere: a WeChat openid is
-- a string, and a Telegram chat id fits in text as well. Every existing row
-- is kept: its bigint id becomes its decimal text, and outreach rows, which
-- had no channel column because only Telegram could bind, are Telegram's.
-- Numbered 600 (after outreach's 300) because it changes outreach tables.
ALTER TABLE bot_conversations ALTER COLUMN chat_id TYPE text USING chat_id::text;
ALTER TABLE webchat_outbox ALTER COLUMN chat_id TYPE text USING chat_id::text;
ALTER TABLE questions ALTER COLUMN chat_id TYPE text USING chat_id::text;
ALTER TABLE handoff_tickets ALTER COLUMN chat_id TYPE text USING chat_id::text;

ALTER TABLE outreach_households ALTER COLUMN chat_id TYPE text USING chat_id::text,
    ADD COLUMN chat_channel text;
UPDATE outreach_households SET chat_channel = 'telegram' WHERE chat_id IS NOT NULL;
ALTER TABLE outreach_households ADD CONSTRAINT outreach_households_chat_whole
    CHECK ((chat_channel IS NULL) = (chat_id IS NULL));
DROP INDEX outreach_households_chat;
CREATE INDEX outreach_households_chat ON outreach_households (chat_channel, chat_id) WHERE chat_id IS NOT NULL;

ALTER TABLE outreach_bind_codes ALTER COLUMN used_chat_id TYPE text USING used_chat_id::text,
    ADD COLUMN used_chat_channel text;
UPDATE outreach_bind_codes SET used_chat_channel = 'telegram' WHERE used_chat_id IS NOT NULL;

ALTER TABLE outreach_deliveries ALTER COLUMN chat_id TYPE text USING chat_id::text,
    ALTER COLUMN message_id TYPE text USING message_id::text,
    ADD COLUMN chat_channel text;
UPDATE outreach_deliveries SET chat_channel = 'telegram' WHERE chat_id IS NOT NULL;

ALTER TABLE outreach_pledges ALTER COLUMN chat_id TYPE text USING chat_id::text,
    ADD COLUMN chat_channel text NOT NULL DEFAULT 'telegram';
ALTER TABLE outreach_pledges ALTER COLUMN chat_channel DROP DEFAULT;

ALTER TABLE outreach_events ALTER COLUMN chat_id TYPE text USING chat_id::text,
    ADD COLUMN chat_channel text;
UPDATE outreach_events SET chat_channel = 'telegram' WHERE chat_id IS NOT NULL;

-- Every chat a household bound, on any channel. outreach_households keeps
-- the one last used, which is where a reminder goes: one chat, never all.
-- A chat belongs to one household; binding it again moves it.
CREATE TABLE outreach_bindings (
    channel      text NOT NULL,
    chat_id      text NOT NULL,
    household_id text NOT NULL REFERENCES outreach_households ON DELETE CASCADE,
    bound_at     timestamptz NOT NULL DEFAULT now(),
    used_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id)
);
CREATE INDEX outreach_bindings_household ON outreach_bindings (household_id);
INSERT INTO outreach_bindings (channel, chat_id, household_id, bound_at, used_at)
SELECT DISTINCT ON (chat_channel, chat_id) chat_channel, chat_id, household_id,
       coalesce(bound_at, now()), coalesce(bound_at, now())
FROM outreach_households WHERE chat_id IS NOT NULL
ORDER BY chat_channel, chat_id, bound_at DESC NULLS LAST;

-- +goose Down
-- Only numeric ids fit back into bigint: chats of other channels (WeChat)
-- are dropped from the conversation tables and unbound from households.
DROP TABLE outreach_bindings;
UPDATE outreach_events SET chat_id = NULL WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE outreach_events DROP COLUMN chat_channel, ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;
DELETE FROM outreach_pledges WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE outreach_pledges DROP COLUMN chat_channel, ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;
UPDATE outreach_deliveries SET chat_id = NULL WHERE chat_id !~ '^-?[0-9]+$';
UPDATE outreach_deliveries SET message_id = NULL WHERE message_id !~ '^-?[0-9]+$';
ALTER TABLE outreach_deliveries DROP COLUMN chat_channel, ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint,
    ALTER COLUMN message_id TYPE bigint USING message_id::bigint;
UPDATE outreach_bind_codes SET used_chat_id = NULL WHERE used_chat_id !~ '^-?[0-9]+$';
ALTER TABLE outreach_bind_codes DROP COLUMN used_chat_channel, ALTER COLUMN used_chat_id TYPE bigint USING used_chat_id::bigint;
DROP INDEX outreach_households_chat;
ALTER TABLE outreach_households DROP CONSTRAINT outreach_households_chat_whole;
UPDATE outreach_households SET chat_id = NULL, chat_channel = NULL WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE outreach_households DROP COLUMN chat_channel, ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;
CREATE INDEX outreach_households_chat ON outreach_households (chat_id) WHERE chat_id IS NOT NULL;
DELETE FROM handoff_tickets WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE handoff_tickets ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;
DELETE FROM questions WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE questions ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;
DELETE FROM webchat_outbox WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE webchat_outbox ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;
DELETE FROM bot_conversations WHERE chat_id !~ '^-?[0-9]+$';
ALTER TABLE bot_conversations ALTER COLUMN chat_id TYPE bigint USING chat_id::bigint;

-- +goose Up
-- One row per resident chat (channel + chat id): where the conversation is
-- (wizard step, chosen language), the last turns for a handoff, and the
-- per-chat rate limit as a token bucket, so every server process shares it.
CREATE TABLE bot_conversations (
    channel       text        NOT NULL,
    chat_id       bigint      NOT NULL,
    state         jsonb       NOT NULL DEFAULT '{}',
    history       jsonb       NOT NULL DEFAULT '[]',
    tokens        real        NOT NULL,
    tokens_at     timestamptz NOT NULL DEFAULT now(),
    limited       boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id)
);

-- Events already handled (Telegram update ids), so a redelivered update is
-- handled once. Old keys are pruned; Telegram redelivers within hours.
CREATE TABLE bot_seen_events (
    key     text        PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_seen_events_seen_at ON bot_seen_events (seen_at);

-- Messages waiting for a web chat page to poll them (staff replies).
CREATE TABLE webchat_outbox (
    id         bigserial   PRIMARY KEY,
    chat_id    bigint      NOT NULL,
    text       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webchat_outbox_chat ON webchat_outbox (chat_id, id);

-- The questions residents asked, redacted, with the answer they got and
-- their feedback, for staff to see what the knowledge base lacks.
CREATE TABLE questions (
    id          bigserial   PRIMARY KEY,
    channel     text        NOT NULL,
    chat_id     bigint      NOT NULL,
    lang        text        NOT NULL DEFAULT 'zh-Hans',
    question    text        NOT NULL,
    answered    boolean     NOT NULL,
    answer      text        NOT NULL DEFAULT '',
    citations   jsonb       NOT NULL DEFAULT '[]',
    feedback    smallint    CHECK (feedback IN (-1, 1)),
    feedback_at timestamptz,
    asked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_asked_at ON questions (asked_at DESC);
-- Partial indexes: the console's "unanswered" and "disliked" lists are small
-- slices of a large log.
CREATE INDEX questions_unanswered ON questions (asked_at DESC) WHERE NOT answered;
CREATE INDEX questions_disliked ON questions (asked_at DESC) WHERE feedback = -1;

-- Handoff tickets: a resident asked for a person (or the bot could not
-- help). The conversation so far is kept with personal data masked.
CREATE TABLE handoff_tickets (
    id         bigserial   PRIMARY KEY,
    channel    text        NOT NULL,
    chat_id    bigint      NOT NULL,
    lang       text        NOT NULL DEFAULT 'zh-Hans',
    reason     text        NOT NULL,
    status     text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'closed')),
    claimed_by text        NOT NULL DEFAULT '',
    claimed_at timestamptz,
    closed_by  text        NOT NULL DEFAULT '',
    closed_at  timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoff_tickets_status ON handoff_tickets (status, created_at);
-- At most one ticket not closed per chat: asking again joins it.
CREATE UNIQUE INDEX handoff_tickets_one_open ON handoff_tickets (channel, chat_id) WHERE status <> 'closed';

CREATE TABLE handoff_messages (
    id           bigserial   PRIMARY KEY,
    ticket_id    bigint      NOT NULL REFERENCES handoff_tickets (id) ON DELETE CASCADE,
    author       text        NOT NULL CHECK (author IN ('resident', 'bot', 'staff')),
    staff        text        NOT NULL DEFAULT '',
    text         text        NOT NULL,
    delivered_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoff_messages_ticket ON handoff_messages (ticket_id, id);

-- +goose Down
DROP TABLE handoff_messages;
DROP TABLE handoff_tickets;
DROP TABLE questions;
DROP TABLE webchat_outbox;
DROP TABLE bot_seen_events;
DROP TABLE bot_conversations;

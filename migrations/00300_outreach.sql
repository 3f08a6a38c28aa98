-- +goose Up
-- Households enrolled for outreach. Personal data (name, ID number, phone)
-- is stored only sealed with SAFETYNET_DATA_KEY; a keyed hash finds a
-- household by ID number and the masked forms are what staff see.
CREATE TABLE outreach_households (
    household_id       text PRIMARY KEY,
    head_name_enc      bytea NOT NULL,
    name_masked        text NOT NULL,
    national_id_enc    bytea NOT NULL,
    national_id_hash   text NOT NULL,
    national_id_masked text NOT NULL,
    phone_enc          bytea,
    phone_masked       text NOT NULL DEFAULT '',
    region             text NOT NULL,
    area               text NOT NULL CHECK (area IN ('urban', 'rural')),
    program            text NOT NULL CHECK (program IN ('dibao', 'dibao_phaseout', 'tekun', 'low_income')),
    enrolled_on        date NOT NULL,
    next_review_on     date NOT NULL,
    phaseout_ends_on   date,
    pledge_signed_on   date,
    extra              jsonb NOT NULL DEFAULT '{}',
    chat_id            bigint,
    bound_at           timestamptz,
    opted_out_at       timestamptz,
    unreachable_at     timestamptz,
    unreachable_reason text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outreach_households_id_hash ON outreach_households (national_id_hash);
CREATE INDEX outreach_households_chat ON outreach_households (chat_id) WHERE chat_id IS NOT NULL;
-- Derivation looks households up by the dates a reminder counts back from.
CREATE INDEX outreach_households_review ON outreach_households (next_review_on);
CREATE INDEX outreach_households_phaseout ON outreach_households (phaseout_ends_on) WHERE phaseout_ends_on IS NOT NULL;

-- One-time binding codes; only a hash of the code is kept.
CREATE TABLE outreach_bind_codes (
    code_hash    text PRIMARY KEY,
    household_id text NOT NULL REFERENCES outreach_households ON DELETE CASCADE,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    used_chat_id bigint,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outreach_bind_codes_household ON outreach_bind_codes (household_id);

CREATE TABLE outreach_campaigns (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL,
    template       text NOT NULL DEFAULT '',
    body           text NOT NULL,
    with_pledge    boolean NOT NULL DEFAULT false,
    segment        jsonb NOT NULL DEFAULT '{}',
    start_at       timestamptz NOT NULL,
    window_start   int NOT NULL,  -- minutes after local midnight
    window_end     int NOT NULL,
    rate           double precision NOT NULL,
    pause_after    int NOT NULL,  -- failures within pause_window that pause it
    pause_window_s int NOT NULL,
    status         text NOT NULL CHECK (status IN ('draft', 'running', 'paused', 'cancelled', 'done')),
    status_reason  text NOT NULL DEFAULT '',
    tested_at      timestamptz,
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The send ledger: one row per message a household is owed, keyed by
-- (household, kind, period) so deriving twice queues nothing twice. It is
-- written before the Telegram call (status sending) and after it (sent), so
-- a crash can only repeat the messages that were in flight.
CREATE TABLE outreach_deliveries (
    id              bigserial PRIMARY KEY,
    household_id    text NOT NULL REFERENCES outreach_households ON DELETE CASCADE,
    kind            text NOT NULL,
    period          text NOT NULL,
    campaign_id     bigint REFERENCES outreach_campaigns,
    due_on          date,
    status          text NOT NULL CHECK (status IN ('queued', 'held', 'sending', 'sent', 'acknowledged',
                                                    'failed', 'unreachable', 'opted_out', 'cancelled')),
    reason          text NOT NULL DEFAULT '',
    attempts        int NOT NULL DEFAULT 0,
    job_id          bigint,
    sending_since   timestamptz,
    sent_at         timestamptz,
    chat_id         bigint,
    message_id      bigint,
    pledge_version  text NOT NULL DEFAULT '',
    acknowledged_at timestamptz,
    last_error_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (household_id, kind, period)
);
CREATE INDEX outreach_deliveries_campaign ON outreach_deliveries (campaign_id, status) WHERE campaign_id IS NOT NULL;
CREATE INDEX outreach_deliveries_status ON outreach_deliveries (status);
CREATE INDEX outreach_deliveries_errors ON outreach_deliveries (campaign_id, last_error_at) WHERE last_error_at IS NOT NULL;

CREATE TABLE outreach_pledges (
    id           bigserial PRIMARY KEY,
    household_id text NOT NULL REFERENCES outreach_households ON DELETE CASCADE,
    chat_id      bigint NOT NULL,
    delivery_id  bigint REFERENCES outreach_deliveries,
    version      text NOT NULL,
    signed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outreach_pledges_household ON outreach_pledges (household_id);

-- What happened to a household besides messages: binding, opt-out, buttons.
CREATE TABLE outreach_events (
    id           bigserial PRIMARY KEY,
    household_id text NOT NULL REFERENCES outreach_households ON DELETE CASCADE,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL,
    detail       text NOT NULL DEFAULT '',
    chat_id      bigint
);
CREATE INDEX outreach_events_household ON outreach_events (household_id, at);

-- Pacing shared by every process: 'global' holds the next free sending slot
-- over all chats, 'chat:N' the earliest next message to chat N, 'campaign:N'
-- a campaign's own rate. Slots come from the database clock, so processes
-- on different machines agree.
-- Unlogged: a slot is worthless after a crash, and without WAL a
-- reservation commits without waiting for a disk flush, which would
-- otherwise cap the one hot 'global' row at one message per fsync.
CREATE UNLOGGED TABLE outreach_pace (
    key     text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- outreach_take_slot reserves the next global slot for a message to a chat.
-- If the chat may not receive yet it reserves nothing and returns busy with
-- the seconds to wait; else it returns the seconds until the reserved slot.
-- Rows are locked chat first, then global, by every caller alike.
-- +goose StatementBegin
CREATE FUNCTION outreach_take_slot(p_chat text, p_chat_gap interval, p_global interval,
                                   OUT wait_s double precision, OUT busy boolean)
LANGUAGE plpgsql AS $$
DECLARE
    t         timestamptz := clock_timestamp();
    chat_next timestamptz;
    slot      timestamptz;
BEGIN
    INSERT INTO outreach_pace (key, next_at) VALUES (p_chat, '-infinity') ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO chat_next FROM outreach_pace WHERE key = p_chat FOR UPDATE;
    IF chat_next > t THEN
        wait_s := extract(epoch FROM chat_next - t);
        busy := true;
        RETURN;
    END IF;
    LOOP
        UPDATE outreach_pace SET next_at = greatest(next_at, t) + p_global
         WHERE key = 'global' RETURNING next_at - p_global INTO slot;
        EXIT WHEN FOUND;
        -- The row is gone after a crash emptied the unlogged table.
        INSERT INTO outreach_pace (key, next_at) VALUES ('global', '-infinity') ON CONFLICT (key) DO NOTHING;
    END LOOP;
    UPDATE outreach_pace SET next_at = slot + p_chat_gap WHERE key = p_chat;
    wait_s := greatest(extract(epoch FROM slot - t), 0);
    busy := false;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION outreach_take_slot(text, interval, interval);
DROP TABLE outreach_pace;
DROP TABLE outreach_events;
DROP TABLE outreach_pledges;
DROP TABLE outreach_deliveries;
DROP TABLE outreach_campaigns;
DROP TABLE outreach_bind_codes;
DROP TABLE outreach_households;

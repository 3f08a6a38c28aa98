-- +goose Up
-- outreach_take_slot wrote its channel's pacing row twice a send: once
-- when the channel slot was taken, again after the overall slot. The second
-- value is never earlier than the first, so one write does.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION outreach_take_slot(p_chat text, p_chat_gap interval, p_channel text, p_channel_gap interval,
                                   p_global interval, p_horizon interval,
                                   OUT wait_s double precision, OUT busy boolean)
LANGUAGE plpgsql AS $$
DECLARE
    t         timestamptz := clock_timestamp();
    chat_next timestamptz;
    ch_next   timestamptz;
    ch_slot   timestamptz;
    slot      timestamptz;
BEGIN
    INSERT INTO outreach_pace (key, next_at) VALUES (p_chat, '-infinity') ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO chat_next FROM outreach_pace WHERE key = p_chat FOR UPDATE;
    IF chat_next > t THEN
        wait_s := extract(epoch FROM chat_next - t);
        busy := true;
        RETURN;
    END IF;
    INSERT INTO outreach_pace (key, next_at) VALUES (p_channel, '-infinity') ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO ch_next FROM outreach_pace WHERE key = p_channel FOR UPDATE;
    -- A channel booked beyond the horizon reserves nothing: its slot is
    -- far off, and taking the overall slot now would hold every other
    -- channel up behind it.
    IF ch_next > t + p_horizon THEN
        wait_s := extract(epoch FROM ch_next - t);
        busy := true;
        RETURN;
    END IF;
    ch_slot := greatest(ch_next, t);
    LOOP
        UPDATE outreach_pace SET next_at = greatest(next_at, ch_slot) + p_global
         WHERE key = 'global' RETURNING next_at - p_global INTO slot;
        EXIT WHEN FOUND;
        -- The row is gone after a crash emptied the unlogged table.
        INSERT INTO outreach_pace (key, next_at) VALUES ('global', '-infinity') ON CONFLICT (key) DO NOTHING;
    END LOOP;
    -- The channel's row is locked since it was read, so it is written once,
    -- now the send's time is known: the overall limit may have put it after
    -- its channel slot, and the next send keeps its distance from this one.
    UPDATE outreach_pace SET next_at = slot + p_channel_gap WHERE key = p_channel;
    UPDATE outreach_pace SET next_at = slot + p_chat_gap WHERE key = p_chat;
    wait_s := greatest(extract(epoch FROM slot - t), 0);
    busy := false;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION outreach_take_slot(p_chat text, p_chat_gap interval, p_channel text, p_channel_gap interval,
                                   p_global interval, p_horizon interval,
                                   OUT wait_s double precision, OUT busy boolean)
LANGUAGE plpgsql AS $$
DECLARE
    t         timestamptz := clock_timestamp();
    chat_next timestamptz;
    ch_next   timestamptz;
    ch_slot   timestamptz;
    slot      timestamptz;
BEGIN
    INSERT INTO outreach_pace (key, next_at) VALUES (p_chat, '-infinity') ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO chat_next FROM outreach_pace WHERE key = p_chat FOR UPDATE;
    IF chat_next > t THEN
        wait_s := extract(epoch FROM chat_next - t);
        busy := true;
        RETURN;
    END IF;
    INSERT INTO outreach_pace (key, next_at) VALUES (p_channel, '-infinity') ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO ch_next FROM outreach_pace WHERE key = p_channel FOR UPDATE;
    -- A channel booked beyond the horizon reserves nothing: its slot is
    -- far off, and taking the overall slot now would hold every other
    -- channel up behind it.
    IF ch_next > t + p_horizon THEN
        wait_s := extract(epoch FROM ch_next - t);
        busy := true;
        RETURN;
    END IF;
    ch_slot := greatest(ch_next, t);
    UPDATE outreach_pace SET next_at = ch_slot + p_channel_gap WHERE key = p_channel;
    LOOP
        UPDATE outreach_pace SET next_at = greatest(next_at, ch_slot) + p_global
         WHERE key = 'global' RETURNING next_at - p_global INTO slot;
        EXIT WHEN FOUND;
        -- The row is gone after a crash emptied the unlogged table.
        INSERT INTO outreach_pace (key, next_at) VALUES ('global', '-infinity') ON CONFLICT (key) DO NOTHING;
    END LOOP;
    -- The overall limit may have put the send after its channel slot: the
    -- channel's next send keeps its distance from when this one goes.
    UPDATE outreach_pace SET next_at = greatest(next_at, slot + p_channel_gap) WHERE key = p_channel;
    UPDATE outreach_pace SET next_at = slot + p_chat_gap WHERE key = p_chat;
    wait_s := greatest(extract(epoch FROM slot - t), 0);
    busy := false;
END
$$;
-- +goose StatementEnd

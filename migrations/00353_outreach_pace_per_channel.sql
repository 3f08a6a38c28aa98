-- +goose Up
-- Pacing per channel: each channel the households bound on has its own
-- limits (Telegram's per bot, WeChat's per account), so each gets its own
-- pacing row beside the chat's and the overall one (OUTREACH_RATE).
-- This adds a six-argument outreach_take_slot; the three-argument one
-- stays for processes of the previous version during a rolling update.
-- Every caller locks rows in the same order: chat, channel, 'global'.
-- +goose StatementBegin
CREATE FUNCTION outreach_take_slot(p_chat text, p_chat_gap interval, p_channel text, p_channel_gap interval,
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

-- +goose Down
DROP FUNCTION outreach_take_slot(text, interval, text, interval, interval, interval);

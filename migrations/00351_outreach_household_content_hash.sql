-- +goose Up
-- Sealed columns differ on every import (fresh nonces), so whether a row
-- changed is decided by a keyed hash of its plain content: re-importing an
-- unchanged file then changes nothing and says "0 changed".
ALTER TABLE outreach_households ADD COLUMN content_hash text;

-- +goose Down
ALTER TABLE outreach_households DROP COLUMN content_hash;

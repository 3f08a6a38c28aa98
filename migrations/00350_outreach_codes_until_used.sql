-- +goose Up
-- A binding code stays valid until it is used or rotated, so printing the
-- codes again must give the same codes: each is kept sealed with
-- SAFETYNET_DATA_KEY (like the other personal data) beside its hash, which
-- is still what /start CODE is looked up by. A code may have no expiry.
ALTER TABLE outreach_bind_codes ADD COLUMN code_enc bytea;
ALTER TABLE outreach_bind_codes ALTER COLUMN expires_at DROP NOT NULL;

-- +goose Down
UPDATE outreach_bind_codes SET expires_at = now() WHERE expires_at IS NULL;
ALTER TABLE outreach_bind_codes ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE outreach_bind_codes DROP COLUMN code_enc;

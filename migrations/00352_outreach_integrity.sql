-- +goose Up
-- id_shared: the household's ID number (by its keyed hash) is enrolled
-- under another household id too, which staff must look at: one person
-- counted twice, or a typing mistake. Kept up to date by every import.
ALTER TABLE outreach_households ADD COLUMN id_shared boolean NOT NULL DEFAULT false;
-- Columns of the households file beyond the known ones, sealed like the
-- other personal data: a bureau's extra columns are often a second phone,
-- an address or a bank account. (extra stays for rows imported before.)
ALTER TABLE outreach_households ADD COLUMN extra_enc bytea;

-- +goose Down
ALTER TABLE outreach_households DROP COLUMN extra_enc;
ALTER TABLE outreach_households DROP COLUMN id_shared;

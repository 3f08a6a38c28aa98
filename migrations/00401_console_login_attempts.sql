-- +goose Up
-- Sign-in attempts per (name, client address), counted before the password
-- is checked so that parallel guesses cannot all pass a count read too
-- early. A pair that keeps failing waits longer and longer (not_before);
-- no name is ever locked for everyone, so a guesser elsewhere cannot lock
-- staff out. name = '' is the address's row over all names, against
-- spraying many names from one address.
CREATE TABLE console_login_attempts (
    name        text NOT NULL,
    addr        text NOT NULL,
    attempts    integer NOT NULL,
    not_before  timestamptz NOT NULL,
    grant_token text NOT NULL,
    last_at     timestamptz NOT NULL,
    PRIMARY KEY (name, addr)
);
CREATE INDEX console_login_attempts_last ON console_login_attempts (last_at);

-- +goose Down
DROP TABLE console_login_attempts;

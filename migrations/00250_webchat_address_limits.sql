-- +goose Up
-- Token buckets of the web chat per client address, kept in the database
-- so that every server behind the load balancer draws from the same ones.
-- A browser without a cookie is a new conversation; without a limit by
-- address, one client can open thousands (each a conversation row and a
-- question row) just by not keeping its cookie.
CREATE UNLOGGED TABLE webchat_address_limits (
    addr    text NOT NULL,
    kind    text NOT NULL,
    tokens  double precision NOT NULL,
    at      timestamptz NOT NULL,
    last_ok boolean NOT NULL,
    PRIMARY KEY (addr, kind)
);
CREATE INDEX webchat_address_limits_at ON webchat_address_limits (at);

-- +goose Down
DROP TABLE webchat_address_limits;

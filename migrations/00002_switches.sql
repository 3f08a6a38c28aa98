-- +goose Up
-- Operations switches: staff turn a channel off at once (with a reason)
-- when something is wrong; every process reads them on each use.
CREATE TABLE channel_switches (
    channel    text PRIMARY KEY,
    enabled    boolean NOT NULL DEFAULT true,
    comment    text NOT NULL DEFAULT '',
    changed_by text NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE channel_switches;

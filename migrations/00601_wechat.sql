-- +goose Up
-- The WeChat access token, shared by every process: WeChat issues one
-- token per account and a new one revokes the old after a few minutes, so
-- processes that each fetched their own would keep revoking each other's.
-- One process refreshes it under an advisory lock; the rest read it here.
CREATE TABLE wechat_access_tokens (
    app_id     text PRIMARY KEY,
    token      text NOT NULL,
    expires_at timestamptz NOT NULL,
    fetched_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE wechat_access_tokens;

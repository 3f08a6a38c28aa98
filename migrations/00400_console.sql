-- +goose Up
-- Staff accounts of the console. Passwords are argon2id hashes in PHC form.
CREATE TABLE console_users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'bureau', 'hotline')),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Sessions live here rather than in memory so that any server behind the
-- load balancer can serve any request. Only a hash of the cookie is kept:
-- a leaked table gives no usable session.
CREATE TABLE console_sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

-- Failed logins, counted per name and per address over a window to slow
-- down password guessing on every server at once.
CREATE TABLE console_login_failures (
    id   bigserial PRIMARY KEY,
    name text NOT NULL,
    ip   text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_login_failures_name ON console_login_failures (name, at);
CREATE INDEX console_login_failures_ip ON console_login_failures (ip, at);

-- Who did what: every view of a household's personal data, every switch
-- and campaign action, sign-ins. Rows are only ever added.
CREATE TABLE console_audit (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor_id bigint REFERENCES console_users (id),
    actor    text NOT NULL,
    action   text NOT NULL,
    target   text NOT NULL DEFAULT '',
    detail   jsonb NOT NULL DEFAULT '{}',
    ip       text NOT NULL DEFAULT ''
);
CREATE INDEX console_audit_at ON console_audit (at DESC);
CREATE INDEX console_audit_target ON console_audit (action, target);

-- Questions hotline staff looked up, with their verdict on the suggestion.
-- Text is stored redacted: callers read out ID and phone numbers.
CREATE TABLE console_hotline_questions (
    id        bigserial PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES console_users (id),
    question  text NOT NULL,
    region    text NOT NULL DEFAULT '',
    answered  boolean NOT NULL,
    helpful   boolean,
    asked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_hotline_questions_user ON console_hotline_questions (user_id, asked_at DESC);
CREATE INDEX console_hotline_questions_at ON console_hotline_questions (asked_at);

-- +goose Down
DROP TABLE console_hotline_questions;
DROP TABLE console_audit;
DROP TABLE console_login_failures;
DROP TABLE console_sessions;
DROP TABLE console_users;

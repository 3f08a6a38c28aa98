package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/silenceper/wechat/v2/util"
)

// tokens is the SDK's access-token handle, kept in PostgreSQL so every
// process uses the same token: WeChat revokes a token a few minutes after
// issuing the next one, so per-process caches would keep breaking each
// other. One process refreshes it under an advisory lock; the others wait
// on the lock and then read what it stored.
type tokens struct {
	pool          *pgxpool.Pool
	appID, secret string
}

// refreshMargin: a token this close to expiry is refreshed already.
const refreshMargin = 5 * time.Minute

// GetAccessToken implements credential.AccessTokenHandle.
func (t *tokens) GetAccessToken() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return t.GetAccessTokenContext(ctx)
}

// GetAccessTokenContext implements credential.AccessTokenContextHandle.
func (t *tokens) GetAccessTokenContext(ctx context.Context) (string, error) {
	if tok, err := t.stored(ctx, t.pool); err == nil {
		return tok, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	var tok string
	err := pgx.BeginFunc(ctx, t.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('wechat_access_token:' || $1, 0))`, t.appID); err != nil {
			return err
		}
		// Another process may have refreshed it while this one waited.
		var err error
		if tok, err = t.stored(ctx, tx); err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var ttl time.Duration
		if tok, ttl, err = t.fetch(ctx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO wechat_access_tokens (app_id, token, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
			ON CONFLICT (app_id) DO UPDATE SET token = $2, expires_at = now() + make_interval(secs => $3), fetched_at = now()`,
			t.appID, tok, ttl.Seconds())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("wechat access token: %w", err)
	}
	return tok, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (t *tokens) stored(ctx context.Context, q querier) (string, error) {
	var tok string
	err := q.QueryRow(ctx, `SELECT token FROM wechat_access_tokens WHERE app_id = $1 AND expires_at > now() + make_interval(secs => $2)`,
		t.appID, refreshMargin.Seconds()).Scan(&tok)
	return tok, err
}

// invalidate forgets a token WeChat refused (40001, 42001), unless another
// process has already replaced it.
func (t *tokens) invalidate(ctx context.Context, tok string) error {
	_, err := t.pool.Exec(ctx, `DELETE FROM wechat_access_tokens WHERE app_id = $1 AND token = $2`, t.appID, tok)
	return err
}

// fetch asks WeChat for a new token through the SDK's HTTP client.
func (t *tokens) fetch(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"grant_type": {"client_credential"}, "appid": {t.appID}, "secret": {t.secret}}
	body, err := util.HTTPGetContext(ctx, apiBase+"/cgi-bin/token?"+q.Encode())
	if err != nil {
		return "", 0, err
	}
	var r struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		ErrCode     int64  `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", 0, fmt.Errorf("token answer: %w", err)
	}
	if r.ErrCode != 0 || r.AccessToken == "" {
		// The answer names the setting at fault; the secret itself is not in it.
		return "", 0, fmt.Errorf("WECHAT_APP_ID/WECHAT_APP_SECRET refused: errcode=%d %s", r.ErrCode, r.ErrMsg)
	}
	return r.AccessToken, time.Duration(r.ExpiresIn) * time.Second, nil
}

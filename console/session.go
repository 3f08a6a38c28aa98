package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	sessionCookie = "sn_console"
	loginCSRF     = "sn_login_csrf"
	cookiePath    = "/console/"
	// A session ends after a working day at most, or after two idle hours.
	sessionTTL  = 12 * time.Hour
	sessionIdle = 2 * time.Hour
)

// session is a signed-in staff member's session, loaded from the database
// on every request so that any server can serve it and a sign-out holds
// everywhere at once.
type session struct {
	User      User
	CSRF      string
	tokenHash []byte
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("console: no randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

func (c *Console) secure(r *http.Request) bool { return c.secureCookies || r.TLS != nil }

// startSession creates a session row and sets its cookie.
func (c *Console) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u User) (*session, error) {
	token := randomToken()
	s := &session{User: u, CSRF: randomToken(), tokenHash: hashToken(token)}
	_, err := c.pool.Exec(ctx, `
		INSERT INTO console_sessions (token_hash, user_id, csrf_token, expires_at)
		VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
		s.tokenHash, u.ID, s.CSRF, sessionTTL.Seconds())
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	// Expired rows of anyone are removed now and then, here, rather than by
	// a separate job.
	if _, err := c.pool.Exec(ctx, `DELETE FROM console_sessions WHERE expires_at < now() OR last_seen_at < now() - make_interval(secs => $1)`, sessionIdle.Seconds()); err != nil {
		return nil, fmt.Errorf("prune sessions: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: cookiePath,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r),
		MaxAge: int(sessionTTL.Seconds()),
	})
	return s, nil
}

var errNoSession = errors.New("no session")

// loadSession finds the request's session; errNoSession when there is none
// or it has expired.
func (c *Console) loadSession(r *http.Request) (*session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, errNoSession
	}
	s := &session{tokenHash: hashToken(ck.Value)}
	var lastSeen time.Time
	err = c.pool.QueryRow(r.Context(), `
		SELECT u.id, u.name, u.role, u.created_at, s.csrf_token, s.last_seen_at
		FROM console_sessions s JOIN console_users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now()
		  AND s.last_seen_at > now() - make_interval(secs => $2) AND NOT u.disabled`,
		s.tokenHash, sessionIdle.Seconds()).
		Scan(&s.User.ID, &s.User.Name, &s.User.Role, &s.User.CreatedAt, &s.CSRF, &lastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	// Touch at most once a minute: a write per request would be waste.
	if time.Since(lastSeen) > time.Minute {
		if _, err := c.pool.Exec(r.Context(), `UPDATE console_sessions SET last_seen_at = now() WHERE token_hash = $1`, s.tokenHash); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return s, nil
}

func (c *Console) endSession(ctx context.Context, w http.ResponseWriter, r *http.Request, s *session) error {
	if _, err := c.pool.Exec(ctx, `DELETE FROM console_sessions WHERE token_hash = $1`, s.tokenHash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: cookiePath, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r)})
	return nil
}

// csrfOK checks the token of a state-changing request: the X-CSRF-Token
// header (API calls from script) or the csrf form field (forms).
func csrfOK(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// loginToken is the double-submit token of the sign-in form, which has no
// session yet: a cookie and a hidden field that must match.
func (c *Console) loginToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(loginCSRF); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRF, Value: t, Path: cookiePath,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r), MaxAge: 3600})
	return t
}

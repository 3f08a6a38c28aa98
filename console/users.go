package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Role is what a staff member may do.
type Role string

const (
	RoleAdmin   Role = "admin"   // everything, including operations switches and knowledge uploads
	RoleBureau  Role = "bureau"  // households, campaigns, knowledge
	RoleHotline Role = "hotline" // suggested answers, handoff queue
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.TrimSpace(s)); r {
	case RoleAdmin, RoleBureau, RoleHotline:
		return r, nil
	}
	return "", fmt.Errorf("role: %q is not one of admin, bureau, hotline", s)
}

// Label is the role's name in the UI.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "管理员"
	case RoleBureau:
		return "民政局"
	case RoleHotline:
		return "热线"
	}
	return string(r)
}

// User is a staff account.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Errors of account handling.
var (
	ErrUserExists      = errors.New("name: a staff account with this name already exists")
	ErrWeakPassword    = errors.New("password: too weak")
	ErrBadName         = errors.New("name: 1 to 64 characters, no spaces")
	ErrBadCredentials  = errors.New("wrong name or password")
	ErrTooManyAttempts = errors.New("too many failed sign-ins; wait a few minutes")
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// AddUser creates a staff account. It is how the first admin is made
// (`safetynet user add`) and how admins add colleagues.
func AddUser(ctx context.Context, pool *pgxpool.Pool, name string, role Role, password string) (User, error) {
	name = normalizeName(name)
	if !validName(name) {
		return User{}, ErrBadName
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	if err := checkPassword(password, name); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{Name: name, Role: role}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Look-alike names are compared in Go; the lock keeps two servers
		// from adding "admin" and "admіn" at the same moment.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('console_users.name'))`); err != nil {
			return err
		}
		if err := checkNameFree(ctx, tx, name); err != nil {
			return err
		}
		return tx.QueryRow(ctx,
			`INSERT INTO console_users (name, role, password_hash) VALUES ($1, $2, $3) RETURNING id, created_at`,
			name, string(role), hash).Scan(&u.ID, &u.CreatedAt)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return User{}, ErrUserExists
	}
	if errors.Is(err, ErrUserExists) {
		return User{}, err
	}
	if err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	return u, nil
}

// SetPassword replaces a staff member's password and ends their sessions.
func SetPassword(ctx context.Context, pool *pgxpool.Pool, name, password string) error {
	if err := checkPassword(password, name); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE console_users SET password_hash = $2 WHERE name = $1 RETURNING id`, name, hash).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM console_sessions WHERE user_id = $1`, id)
		return err
	})
}

// ErrNotFound is returned for a missing user, ticket or record.
var ErrNotFound = errors.New("not found")

// Sign-in throttling. Each (name, address) pair may try freeAttempts times
// in a row; after that each attempt must wait a delay that doubles with
// every further attempt, up to maxDelay. Counts fall back to zero after
// loginWindow without attempts, or on a successful sign-in from the pair.
// The address as a whole (name ”) gets a larger allowance, so that one
// address trying many names is slowed down as well.
const (
	loginWindow      = 15 * time.Minute
	freeAttempts     = 5
	freeAddrAttempts = 30
	firstDelay       = 30 * time.Second
	maxDelay         = 15 * time.Minute
)

// LoginWait is returned (wrapping ErrTooManyAttempts) when a pair must wait.
type LoginWait struct{ Until time.Time }

func (e *LoginWait) Error() string { return ErrTooManyAttempts.Error() }
func (e *LoginWait) Unwrap() error { return ErrTooManyAttempts }

// takeAttempt counts one attempt of (name, addr) and says whether it may go
// on to the password check. One statement does both: the row lock orders
// concurrent attempts, each sees the count including all before it, and
// grant_token tells this statement whether it was the one let through.
func takeAttempt(ctx context.Context, pool *pgxpool.Pool, name, addr string, free int) (int, time.Time, bool, error) {
	tok := make([]byte, 12)
	_, _ = rand.Read(tok)
	token := hex.EncodeToString(tok)
	var attempts int
	var notBefore time.Time
	var granted bool
	err := pool.QueryRow(ctx, `
		INSERT INTO console_login_attempts AS a (name, addr, attempts, not_before, grant_token, last_at)
		VALUES ($1, $2, 1, now(), $3, now())
		ON CONFLICT (name, addr) DO UPDATE SET
			attempts = CASE WHEN a.last_at < now() - make_interval(secs => $4) THEN 1 ELSE a.attempts + 1 END,
			grant_token = CASE WHEN a.last_at < now() - make_interval(secs => $4) OR a.attempts < $5 OR now() >= a.not_before
				THEN $3 ELSE a.grant_token END,
			not_before = CASE
				WHEN a.last_at < now() - make_interval(secs => $4) OR a.attempts + 1 < $5 THEN now()
				WHEN a.attempts < $5 OR now() >= a.not_before
					THEN now() + make_interval(secs => least($7, $6 * power(2, a.attempts + 1 - $5)))
				ELSE a.not_before END,
			last_at = now()
		RETURNING attempts, not_before, grant_token = $3`,
		name, addr, token, loginWindow.Seconds(), free, firstDelay.Seconds(), maxDelay.Seconds()).
		Scan(&attempts, &notBefore, &granted)
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("login attempts: %w", err)
	}
	return attempts, notBefore, granted, nil
}

// authenticate checks a name and password. The attempt is counted in the
// database, across servers, before the password is looked at.
func authenticate(ctx context.Context, pool *pgxpool.Pool, name, password, ip string) (User, error) {
	name = normalizeName(name)
	if _, until, ok, err := takeAttempt(ctx, pool, name, ip, freeAttempts); err != nil {
		return User{}, err
	} else if !ok {
		return User{}, &LoginWait{Until: until}
	}
	if _, until, ok, err := takeAttempt(ctx, pool, "", ip, freeAddrAttempts); err != nil {
		return User{}, err
	} else if !ok {
		return User{}, &LoginWait{Until: until}
	}
	var u User
	var hash string
	var disabled bool
	err := pool.QueryRow(ctx,
		`SELECT id, name, role, password_hash, disabled, created_at FROM console_users WHERE name = $1`, name).
		Scan(&u.ID, &u.Name, &u.Role, &hash, &disabled, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		hash, disabled = dummyHash, true
	} else if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	ok, err := verifyPasswordCtx(ctx, hash, password)
	if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	if !ok || disabled {
		return User{}, ErrBadCredentials
	}
	// A success clears the pair's count and prunes old rows; the
	// address's row over all names stays, or a guesser with one account
	// of its own could reset it at will.
	if _, err := pool.Exec(ctx,
		`DELETE FROM console_login_attempts WHERE (name = $1 AND addr = $2) OR last_at < now() - make_interval(secs => $3)`,
		name, ip, loginWindow.Seconds()); err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	return u, nil
}

package console

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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
	ErrWeakPassword    = errors.New("password: must have at least 10 characters")
	ErrBadName         = errors.New("name: 1 to 64 characters, no spaces")
	ErrBadCredentials  = errors.New("wrong name or password")
	ErrTooManyAttempts = errors.New("too many failed sign-ins; wait a few minutes")
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// AddUser creates a staff account. It is how the first admin is made
// (`safetynet user add`) and how admins add colleagues.
func AddUser(ctx context.Context, pool *pgxpool.Pool, name string, role Role, password string) (User, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
		return User{}, ErrBadName
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return User{}, ErrWeakPassword
	}
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{Name: name, Role: role}
	err = pool.QueryRow(ctx,
		`INSERT INTO console_users (name, role, password_hash) VALUES ($1, $2, $3) RETURNING id, created_at`,
		name, string(role), hash).Scan(&u.ID, &u.CreatedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return User{}, ErrUserExists
	}
	if err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	return u, nil
}

// SetPassword replaces a staff member's password and ends their sessions.
func SetPassword(ctx context.Context, pool *pgxpool.Pool, name, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return ErrWeakPassword
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

// Login limits: beyond this many failures within the window, sign-in for
// that name (or from that address) is refused until the window passes.
const (
	loginWindow        = 15 * time.Minute
	maxFailuresPerName = 5
	maxFailuresPerIP   = 20
)

// authenticate checks a name and password, with rate limiting kept in the
// database so that it holds across servers.
func authenticate(ctx context.Context, pool *pgxpool.Pool, name, password, ip string) (User, error) {
	name = strings.TrimSpace(name)
	var byName, byIP int
	err := pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE name = $1), count(*) FILTER (WHERE ip = $2)
		FROM console_login_failures
		WHERE at > now() - make_interval(secs => $3) AND (name = $1 OR ip = $2)`,
		name, ip, loginWindow.Seconds()).Scan(&byName, &byIP)
	if err != nil {
		return User{}, fmt.Errorf("login limits: %w", err)
	}
	if byName >= maxFailuresPerName || byIP >= maxFailuresPerIP {
		return User{}, ErrTooManyAttempts
	}
	var u User
	var hash string
	var disabled bool
	err = pool.QueryRow(ctx,
		`SELECT id, name, role, password_hash, disabled, created_at FROM console_users WHERE name = $1`, name).
		Scan(&u.ID, &u.Name, &u.Role, &hash, &disabled, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		hash, disabled = dummyHash, true
	} else if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	ok, err := verifyPassword(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	if !ok || disabled {
		if _, err := pool.Exec(ctx, `INSERT INTO console_login_failures (name, ip) VALUES ($1, $2)`, name, ip); err != nil {
			return User{}, fmt.Errorf("login: %w", err)
		}
		return User{}, ErrBadCredentials
	}
	// A success clears the name's count and prunes old rows.
	if _, err := pool.Exec(ctx,
		`DELETE FROM console_login_failures WHERE name = $1 OR at < now() - make_interval(secs => $2)`, name, loginWindow.Seconds()); err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	return u, nil
}

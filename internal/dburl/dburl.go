// Package dburl answers the questions scripts and start-up ask of a
// DATABASE_URL — which database, which server, is it this machine — by
// parsing it the way pgx (and libpq) do, so a socket-style URL such as
// postgres://postgres@/NAME?host=/var/run/postgresql is understood rather
// than cut apart by pattern.
package dburl

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Info is what a DATABASE_URL says, as far as set-up needs to know.
type Info struct {
	Database string // the database to use
	Host     string // the server: a host name, an address, or a socket directory
	Port     uint16
	User     string
	// Local is true when the server is on this machine (a Unix socket, or a
	// loopback name or address): only then do our scripts install, start or
	// configure a server, and only then is a development data key acceptable.
	Local bool
}

// Parse reads a URL or keyword/value connection string.
func Parse(conn string) (Info, error) {
	cfg, err := pgconn.ParseConfig(conn)
	if err != nil {
		return Info{}, fmt.Errorf("DATABASE_URL: %w", err)
	}
	in := Info{Database: cfg.Database, Host: cfg.Host, Port: cfg.Port, User: cfg.User}
	if in.Database == "" {
		// libpq's rule: the database defaults to the user's name.
		in.Database = cfg.User
	}
	in.Local = isLocal(cfg.Host)
	for _, fb := range cfg.Fallbacks {
		in.Local = in.Local && isLocal(fb.Host)
	}
	return in, nil
}

func isLocal(host string) bool {
	if strings.HasPrefix(host, "/") || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithDatabase returns conn naming database name instead, keeping every
// other setting (host, socket directory, user, sslmode …). Scripts use it to
// reach the maintenance database `postgres` of the same server.
func WithDatabase(conn, name string) (string, error) {
	if _, err := pgconn.ParseConfig(conn); err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		u, err := url.Parse(conn)
		if err != nil {
			return "", fmt.Errorf("DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		// A dbname in the query would win over the path.
		q := u.Query()
		if q.Has("dbname") {
			q.Set("dbname", name)
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	// Keyword/value form: a later keyword overrides an earlier one.
	return conn + " dbname='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "'", nil
}

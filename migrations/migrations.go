// Package migrations holds the SQL migrations of every package, embedded in
// the binary. Each package owns a range of version numbers so that parts can
// grow independently: 1–99 foundation, 100–199 knowledge, 200–299 bot,
// 300–399 outreach, 400–499 console.
package migrations

import "embed"

// FS holds the goose migrations (NNNNN_name.sql).
//
//go:embed *.sql
var FS embed.FS

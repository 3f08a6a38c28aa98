package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoDocument means no document of that name is stored.
var ErrNoDocument = errors.New("no such document")

// ErrNoSource means a document's file is no longer where it was ingested
// from (or it was ingested before paths were kept), so it cannot be read
// again; upload it anew.
var ErrNoSource = errors.New("the document's source file is gone")

// DocumentInfo is one stored document as staff list it.
type DocumentInfo struct {
	Name       string    `json:"name"` // the file's base name, what citations carry
	Title      string    `json:"title"`
	Issuer     string    `json:"issuer"`
	Date       string    `json:"date"`
	Passages   int       `json:"passages"`
	SourcePath string    `json:"-"`           // a server path: not for the page
	IngestedAt time.Time `json:"ingested_at"` // first stored
	// UpdatedAt is when its content was last stored: an ingest that finds
	// it unchanged leaves it alone, as it leaves every row.
	UpdatedAt time.Time `json:"updated_at"`
	// Doubts counts the places of its text that look damaged by the
	// capture (see IngestReport.Doubts); 0 also for a document stored
	// before they were counted and not ingested since.
	Doubts int `json:"doubts"`
	// Place is where its rules hold as the bot reads it from the title and
	// issuer ("四川省宜宾市珙县", "全国"); "" when it names no place, and
	// then it is ranked the same whatever place is asked.
	Place string `json:"place"`
}

// recordSource notes where a document was read from, when that changed.
func (s *Service) recordSource(ctx context.Context, name, path string) error {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	_, err := s.pool.Exec(ctx, `UPDATE documents SET source_path = $2 WHERE name = $1 AND source_path <> $2`, name, path)
	if err != nil {
		return fmt.Errorf("record source of %s: %w", name, err)
	}
	return nil
}

// Documents lists the stored documents, by title.
func (s *Service) Documents(ctx context.Context) ([]DocumentInfo, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT d.name, d.title, d.issuer, d.date, count(c.id), d.source_path, d.ingested_at, d.updated_at, coalesce(d.doubts, 0), d.region
		FROM documents d LEFT JOIN chunks c ON c.document_id = d.id
		GROUP BY d.id ORDER BY d.title, d.name`)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	out := []DocumentInfo{}
	for rows.Next() {
		var d DocumentInfo
		var region string
		if err := rows.Scan(&d.Name, &d.Title, &d.Issuer, &d.Date, &d.Passages, &d.SourcePath, &d.IngestedAt, &d.UpdatedAt, &d.Doubts, &region); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		d.Place = documentPlace(d.Title, divisionsOf(region))
		out = append(out, d)
	}
	return out, rows.Err()
}

// RemoveDocument deletes a document with its passages and vectors. also
// runs in the same transaction (the caller's audit record), so the one is
// never done without the other.
func (s *Service) RemoveDocument(ctx context.Context, name string, also func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM documents WHERE name = $1`, name)
		if err != nil {
			return fmt.Errorf("remove document %s: %w", name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("remove document %s: %w", name, ErrNoDocument)
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.refreshStats(ctx)
}

// Reingest reads a stored document again from the file it was last
// ingested from.
func (s *Service) Reingest(ctx context.Context, name string) (IngestReport, error) {
	var path string
	err := s.pool.QueryRow(ctx, `SELECT source_path FROM documents WHERE name = $1`, name).Scan(&path)
	if errors.Is(err, pgx.ErrNoRows) {
		return IngestReport{}, fmt.Errorf("reingest %s: %w", name, ErrNoDocument)
	}
	if err != nil {
		return IngestReport{}, fmt.Errorf("reingest %s: %w", name, err)
	}
	if path == "" {
		return IngestReport{}, fmt.Errorf("reingest %s: %w", name, ErrNoSource)
	}
	if _, err := os.Stat(path); err != nil {
		return IngestReport{}, fmt.Errorf("reingest %s from %s: %w", name, path, ErrNoSource)
	}
	return s.Ingest(ctx, path)
}

// documentRegions are the places the stored documents are of, as read from
// their titles and issuers, in the order they were first stored.
func (s *Service) documentRegions(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT region FROM documents WHERE region <> '' GROUP BY region ORDER BY min(id)`)
	if err != nil {
		return nil, fmt.Errorf("document regions: %w", err)
	}
	regions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("document regions: %w", err)
	}
	return regions, nil
}

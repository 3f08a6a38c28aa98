// Package corpus is the starter knowledge: short policy notes written in
// our own words from the documents in the shared corpus, each naming its
// source, issuer and date in front matter. `safetynet` ingests them when
// no other documents are given.
package corpus

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/safetynet/safetynet/knowledge/document"
)

// FS holds the notes (*.md), parsed with document.Parse.
//
//go:embed *.md
var FS embed.FS

// Documents parses every note, in file-name order.
func Documents() ([]document.Document, error) {
	names, err := fs.Glob(FS, "*.md")
	if err != nil {
		return nil, fmt.Errorf("list starter notes: %w", err)
	}
	docs := make([]document.Document, 0, len(names))
	for _, name := range names {
		raw, err := FS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read starter note %s: %w", name, err)
		}
		doc, err := document.Parse(name, raw)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

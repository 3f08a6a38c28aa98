// Package corpus is the starter knowledge: short policy notes written in
// our own words from the documents in the shared corpus, each naming its
// source, issuer and date in front matter. `safetynet` ingests them when
// no other documents are given.
package corpus

import "embed"

// FS holds the notes (*.md), parsed with document.Parse.
//
//go:embed *.md
var FS embed.FS

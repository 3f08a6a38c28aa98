// Package document is the front end of ingestion: it turns a policy file
// (txt, md, html, docx) into cleaned text split along the document's own
// structure (一、 / (一) / 1. / 一是) into chunks that keep their section path.
// It is pure Go and touches no database.
package document

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Document is one parsed policy file.
type Document struct {
	Name   string // file base name, e.g. "001_5a044e6a7ae10426.txt": the citation's doc
	Title  string // document title where the text gives it
	Issuer string // issuing body (several separated by a space) where given
	Date   string // YYYY-MM-DD where given
	Source string // the original document a note is based on (markdown front matter "source")
	Hash   string // sha256 hex of the raw file bytes
	Chunks []Chunk
}

// Chunk is one retrievable passage of a document.
type Chunk struct {
	Ord     int    // position in document, from 0
	Section string // section path, e.g. "二、(一) 1."; "" for the preamble
	Heading string // section heading texts, e.g. "重点任务 > 完善兜底保障配套政策"
	Text    string // cleaned chunk text (policy prose only)
}

var (
	// ErrUnsupported means the file's extension is not one we read.
	ErrUnsupported = errors.New("unsupported document format")
	// ErrNoText means nothing of the file was left after cleaning.
	ErrNoText = errors.New("no text in document")
)

// Formats lists the extensions Load and Parse accept.
var Formats = []string{".txt", ".md", ".markdown", ".html", ".htm", ".docx"}

// Supported reports whether a file name has an extension Parse reads; ingest
// uses it to skip other files when walking folders.
func Supported(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, f := range Formats {
		if ext == f {
			return true
		}
	}
	return false
}

// Load reads and parses one file; the format follows its extension.
func Load(path string) (Document, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", path, err)
	}
	doc, err := Parse(filepath.Base(path), raw)
	if err != nil {
		// Parse names the base name; the full path helps the operator more.
		return Document{}, fmt.Errorf("document %s: %w", path, errors.Unwrap(err))
	}
	return doc, nil
}

// Parse parses the bytes of a file named name; the name's extension decides
// the format. The error names the file.
func Parse(name string, raw []byte) (Document, error) {
	base := filepath.Base(name)
	sum := sha256.Sum256(raw)
	doc := Document{Name: base, Hash: hex.EncodeToString(sum[:])}

	var (
		text  string
		hints meta
		err   error
	)
	switch ext := strings.ToLower(filepath.Ext(base)); ext {
	case ".txt":
		text = decodeText(raw)
	case ".md", ".markdown":
		text, hints = markdownText(decodeText(raw))
	case ".html", ".htm":
		text, hints, err = htmlText(raw)
	case ".docx":
		text, hints, err = docxText(raw)
	default:
		err = fmt.Errorf("%w %q (want one of %s)", ErrUnsupported, ext, strings.Join(Formats, " "))
	}
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", base, err)
	}

	text = normalize(text)
	m := extractMeta(text, hints)
	doc.Title, doc.Issuer, doc.Date, doc.Source = m.title, m.issuer, m.date, m.source
	cleaned := Clean(text)
	if doc.Title == "" {
		doc.Title = firstTitleLine(cleaned)
	}
	doc.Chunks = split(cleaned, doc.Title)
	if len(doc.Chunks) == 0 {
		return Document{}, fmt.Errorf("document %s: %w", base, ErrNoText)
	}
	return doc, nil
}

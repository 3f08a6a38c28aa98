// Package csvexport writes CSV that staff open in a spreadsheet. Excel,
// LibreOffice and WPS read a cell that starts with = + - @ (or a tab or
// carriage return before one) as a formula, so a household id or a name
// such as `=cmd|' /C calc'!A0` would run when the file is opened. Every
// export goes through this one writer, so no export can forget it.
package csvexport

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaStarts are the first characters a spreadsheet treats as the start
// of a formula, with their full-width forms, which some spreadsheets fold.
const formulaStarts = "=+-@\t\r＝＋－＠"

// Neutralize prefixes a cell that a spreadsheet would read as a formula
// with an apostrophe, which spreadsheets show as text and do not evaluate.
func Neutralize(cell string) string {
	// Leading spaces are skipped by some spreadsheets before they look for
	// the formula sign.
	t := strings.TrimLeft(cell, " ")
	if t == "" {
		return cell
	}
	for _, r := range formulaStarts {
		if strings.HasPrefix(t, string(r)) {
			return "'" + cell
		}
	}
	return cell
}

// Writer is a csv.Writer that neutralises every cell it writes.
type Writer struct {
	cw  *csv.Writer
	row []string
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{cw: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised.
func (w *Writer) Write(record []string) error {
	w.row = w.row[:0]
	for _, c := range record {
		w.row = append(w.row, Neutralize(c))
	}
	return w.cw.Write(w.row)
}

// Flush writes buffered data out; Error reports any error of a Write or Flush.
func (w *Writer) Flush() { w.cw.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error { return w.cw.Error() }

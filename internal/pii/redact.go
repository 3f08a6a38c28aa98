// Package pii keeps residents' personal data where it belongs: redacted from
// free text before it is logged or sent to a model, encrypted at rest, and
// masked when shown.
package pii

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Placeholders that replace what Redact removes; they are plain words a
// model and a person both understand.
const (
	IDPlaceholder    = "[身份证号已隐去]"
	PhonePlaceholder = "[电话已隐去]"
	CardPlaceholder  = "[卡号已隐去]"
)

// Redact replaces ID numbers (18 and 15 digits), phone numbers (mobiles
// with or without +86/0086, landlines with an area code) and bank card
// numbers in s.
//
// People write these numbers in many shapes: grouped 4-4-4-4-2, with dashes
// or dots, full-width digits from a Chinese keyboard, zero-width characters
// pasted from elsewhere, or in Chinese numerals (一三八…, 壹叁捌…, 幺 for 1).
// Matching a pattern on the raw text misses most of them, so Redact first
// reads s as a sequence of digits and separators, finds the numbers in that
// normalised view, and then cuts the corresponding spans out of the
// original text; everything around them stays as written.
func Redact(s string) string {
	toks := tokenize(s)
	if len(toks) == 0 {
		return s
	}
	spans := findNumbers(s, toks)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString(sp.repl)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// HasPersonalData tells whether Redact would change s, so the bot can warn a
// resident not to send such numbers.
func HasPersonalData(s string) bool { return Redact(s) != s }

// token is one rune of the original text seen as a digit or a separator.
type token struct {
	start, end int  // byte span in the original text
	digit      byte // '0'…'9', 'X', or 0 for a separator
}

// chineseDigits are the numerals people use to spell numbers digit by
// digit, including the financial forms and 幺 (how 1 is read out in phone
// numbers). Positional words (十, 百) do not spell digit strings and are
// left out.
var chineseDigits = map[rune]byte{
	'〇': '0', '零': '0',
	'一': '1', '幺': '1', '壹': '1',
	'二': '2', '贰': '2', '貳': '2',
	'三': '3', '叁': '3', '參': '3',
	'四': '4', '肆': '4',
	'五': '5', '伍': '5',
	'六': '6', '陆': '6', '陸': '6',
	'七': '7', '柒': '7',
	'八': '8', '捌': '8',
	'九': '9', '玖': '9',
}

// classify says what a rune is in a number: a digit (after NFKC, so
// full-width and circled digits count), X, a separator people put between
// digit groups, or nothing (0, false).
func classify(r rune) (digit byte, sep bool) {
	if d, ok := chineseDigits[r]; ok {
		return d, false
	}
	if r < 0x80 {
		switch {
		case r >= '0' && r <= '9':
			return byte(r), false
		case r == 'x' || r == 'X':
			return 'X', false
		case r == ' ' || r == '\t' || r == '-' || r == '.' || r == '_' || r == '/':
			return 0, true
		}
		return 0, false
	}
	if isInvisible(r) {
		return 0, true
	}
	if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '·' || r == '・' || r == '•' {
		return 0, true
	}
	n := norm.NFKC.String(string(r))
	if len(n) == 1 {
		return classify(rune(n[0]))
	}
	return 0, false
}

// isInvisible reports zero-width and other format characters that render
// as nothing but split a number for a naive matcher.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// StripInvisible removes zero-width and other format characters, which
// carry no meaning in a question but hide words and numbers from checks.
func StripInvisible(s string) string {
	if !strings.ContainsFunc(s, isInvisible) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// tokenize returns the text's runes that are digits or separators, in order;
// any other rune ends a number and is left out (a gap in the offsets marks it).
func tokenize(s string) []token {
	var toks []token
	hasDigit := false
	for i, r := range s {
		d, sep := classify(r)
		if d == 0 && !sep {
			continue
		}
		if d != 0 && d != 'X' {
			hasDigit = true
		}
		toks = append(toks, token{start: i, end: i + len(string(r)), digit: d})
	}
	if !hasDigit {
		return nil
	}
	return toks
}

// group is digits written together; a run is groups joined by at most
// maxSeps separators, as in "5201 0219 8001 0112 30".
type group struct {
	digits     string
	start, end int
}

const maxSeps = 3

// landline marks a phone match whose grouping is still to be checked.
const landline = "landline"

type span struct {
	start, end int
	repl       string
}

// findNumbers splits the tokens into runs of digit groups and looks for
// personal numbers in each run, longest first, so that a number typed in
// groups is taken whole rather than as pieces.
func findNumbers(s string, toks []token) []span {
	var spans []span
	var run []group
	flush := func() {
		spans = append(spans, scanRun(s, run)...)
		run = run[:0]
	}
	var cur *group
	seps := 0
	prevEnd := -1
	for _, t := range toks {
		adjacent := t.start == prevEnd
		prevEnd = t.end
		if !adjacent {
			cur = nil
			flush()
			seps = 0
		}
		if t.digit == 0 {
			seps++
			cur = nil
			if seps > maxSeps {
				flush()
			}
			continue
		}
		if cur == nil || seps > 0 {
			if seps > maxSeps {
				flush()
			}
			run = append(run, group{start: t.start})
			cur = &run[len(run)-1]
		}
		seps = 0
		cur.digits += string(t.digit)
		cur.end = t.end
	}
	flush()
	return spans
}

func scanRun(s string, run []group) []span {
	var out []span
	for i := 0; i < len(run); {
		found := false
		// Longest window of whole groups first.
		for j := len(run) - 1; j >= i && !found; j-- {
			var digits strings.Builder
			for _, g := range run[i : j+1] {
				digits.WriteString(g.digits)
			}
			if digits.Len() > 19 {
				continue
			}
			repl, ok := personalNumber(digits.String())
			if !ok {
				continue
			}
			if repl == landline {
				// An area code is written as its own group (0851-…) or the
				// number is unbroken; "01.01-2024.12" is a date, not a phone.
				if a := len(run[i].digits); j > i && (a < 3 || a > 4 || j-i > 2) {
					continue
				}
				repl = PhonePlaceholder
			}
			start := run[i].start
			if repl == PhonePlaceholder {
				// "+86 138…": the plus sign belongs to the number.
				if k := strings.LastIndexFunc(s[:start], func(r rune) bool { _, sep := classify(r); return !sep }); k >= 0 && (s[k] == '+' || strings.HasPrefix(s[k:], "＋")) {
					start = k
				}
			}
			out = append(out, span{start: start, end: run[j].end, repl: repl})
			i = j + 1
			found = true
		}
		if !found {
			// A long unbroken digit string is an account or card number of
			// some kind even when no check digit confirms it.
			if g := run[i]; len(g.digits) >= 15 {
				out = append(out, span{start: g.start, end: g.end, repl: CardPlaceholder})
			}
			i++
		}
	}
	return out
}

// personalNumber classifies a normalised digit string (X only last).
func personalNumber(d string) (string, bool) {
	if x := strings.IndexByte(d, 'X'); x >= 0 {
		if x != 17 || len(d) != 18 {
			return "", false
		}
		return IDPlaceholder, plausibleID18(d)
	}
	switch n := len(d); {
	case n == 11 && isMobile(d):
		return PhonePlaceholder, true
	case n == 13 && strings.HasPrefix(d, "86") && isMobile(d[2:]):
		return PhonePlaceholder, true
	case n == 15 && strings.HasPrefix(d, "0086") && isMobile(d[4:]):
		return PhonePlaceholder, true
	case n >= 10 && n <= 12 && d[0] == '0' && d[1] != '0':
		// Landline: area code (010, 0851…) and a 7- or 8-digit number.
		return landline, true
	case n == 18 && plausibleID18(d):
		return IDPlaceholder, true
	case n == 15 && plausibleID15(d):
		return IDPlaceholder, true
	case n >= 16 && n <= 19 && luhn(d):
		return CardPlaceholder, true
	}
	return "", false
}

// plausibleID18: the check character matches, or the shape is right (region
// digits and a real birth date) — a mistyped check digit is still an ID.
func plausibleID18(d string) bool {
	if d[0] == '0' {
		return false
	}
	if NationalIDCheckChar(d[:17]) == d[17] {
		return true
	}
	_, err := time.Parse("20060102", d[6:14])
	return err == nil && (d[6:8] == "19" || d[6:8] == "20")
}

// plausibleID15: the pre-1999 form, region digits then YYMMDD.
func plausibleID15(d string) bool {
	if d[0] == '0' {
		return false
	}
	_, err := time.Parse("060102", d[6:12])
	return err == nil
}

func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// normalizeDigits turns full-width digits and X into ASCII so that numbers
// typed on a Chinese keyboard are caught too.
func normalizeDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return (r >= '０' && r <= '９') || r == 'Ｘ' || r == 'ｘ' }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == 'Ｘ' || r == 'ｘ':
			return 'X'
		}
		return r
	}, s)
}

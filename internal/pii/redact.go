// Package pii keeps residents' personal data where it belongs: redacted from
// free text before it is logged or sent to a model, encrypted at rest, and
// masked when shown.
package pii

import (
	"regexp"
	"strings"
)

var (
	// 18-digit national ID (last may be X) or the old 15-digit form; digits
	// may be separated by spaces as people type them.
	reNationalID = regexp.MustCompile(`(?i)(^|[^0-9])([1-9]\d{5}(?:\s?\d){8}(?:\s?\d){3}(?:\s?[\dx]))($|[^0-9a-z])|(^|[^0-9])([1-9]\d{14})($|[^0-9])`)
	// Mainland mobiles (1[3-9]x, optionally +86 and separators) and landlines
	// with an area code.
	rePhone    = regexp.MustCompile(`(^|[^0-9])((?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8})($|[^0-9])`)
	reLandline = regexp.MustCompile(`(^|[^0-9])(0\d{2,3}[\s-]?\d{7,8})($|[^0-9])`)
	// Bank card numbers: 16 to 19 digits.
	reCard = regexp.MustCompile(`(^|[^0-9])(\d{16,19})($|[^0-9])`)
)

// Placeholders that replace what Redact removes; they are plain words a
// model and a person both understand.
const (
	IDPlaceholder    = "[身份证号已隐去]"
	PhonePlaceholder = "[电话已隐去]"
	CardPlaceholder  = "[卡号已隐去]"
)

// Redact replaces ID numbers, phone numbers and bank card numbers in s.
func Redact(s string) string {
	s = normalizeDigits(s)
	s = replaceGroup(reNationalID, s, IDPlaceholder)
	s = replaceGroup(reCard, s, CardPlaceholder)
	s = replaceGroup(rePhone, s, PhonePlaceholder)
	s = replaceGroup(reLandline, s, PhonePlaceholder)
	return s
}

// HasPersonalData tells whether Redact would change s, so the bot can warn a
// resident not to send such numbers.
func HasPersonalData(s string) bool { return Redact(s) != normalizeDigits(s) }

// replaceGroup replaces the number inside each match and keeps the boundary
// characters around it. Matches may share a boundary character, so it loops.
func replaceGroup(re *regexp.Regexp, s, repl string) string {
	for i := 0; i < 4; i++ {
		out := re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			// Groups come in triples (before, number, after) per alternative.
			for g := 1; g+2 < len(sub); g += 3 {
				if sub[g+1] != "" {
					return sub[g] + repl + sub[g+2]
				}
			}
			return m
		})
		if out == s {
			break
		}
		s = out
	}
	return s
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

package pii

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadPhone means a value is neither a mainland mobile number nor a
// landline with its area code; the message says which it looked like.
var ErrBadPhone = errors.New("not a phone number")

// ValidatePhone accepts what a household can be called on: an 11-digit
// mainland mobile (1[3-9]…), or a landline with its area code (0 + 2–3
// digits, then a 7–8 digit local number), with optional spaces or hyphens
// and an optional +86 / 0086 prefix. Short service numbers and local numbers
// without an area code are refused: a caller elsewhere could not dial them.
// It returns the digits only (landlines keep their leading 0).
func ValidatePhone(p string) (string, error) {
	s := strings.TrimSpace(p)
	international := false
	switch {
	case strings.HasPrefix(s, "+86"):
		s, international = s[3:], true
	case strings.HasPrefix(s, "0086"):
		s, international = s[4:], true
	}
	var groups []string
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		for _, r := range g {
			if r < '0' || r > '9' {
				return "", fmt.Errorf("%w: %s", ErrBadPhone, "only digits, spaces, hyphens and a leading +86 are allowed")
			}
		}
		groups = append(groups, g)
	}
	digits := strings.Join(groups, "")
	if digits == "" {
		return "", fmt.Errorf("%w: %s", ErrBadPhone, "no digits")
	}
	if isMobile(digits) {
		return digits, nil
	}
	if international && digits[0] != '0' {
		// Dialled from abroad a landline drops its trunk 0: +86 851 8612 3456.
		digits = "0" + digits
		if len(groups) > 0 {
			groups[0] = "0" + groups[0]
		}
	}
	if digits[0] == '1' {
		return "", fmt.Errorf("%w: %s", ErrBadPhone, "a mobile number has 11 digits, starting 13–19")
	}
	if digits[0] != '0' {
		return "", fmt.Errorf("%w: %s", ErrBadPhone, "a landline needs its area code (0851-…)")
	}
	if len(groups) >= 2 {
		// The area code written apart is checked as written.
		area, local := groups[0], strings.Join(groups[1:], "")
		if len(area) < 3 || len(area) > 4 || len(local) < 7 || len(local) > 8 || local[0] == '0' || local[0] == '1' {
			return "", fmt.Errorf("%w: %s", ErrBadPhone, "a landline is an area code of 3–4 digits starting 0, then 7–8 digits")
		}
		return digits, nil
	}
	if len(digits) < 10 || len(digits) > 12 {
		return "", fmt.Errorf("%w: %s", ErrBadPhone, "a landline is an area code of 3–4 digits starting 0, then 7–8 digits")
	}
	return digits, nil
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

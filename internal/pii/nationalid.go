package pii

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadNationalID is wrapped by every ValidateNationalID failure.
var ErrBadNationalID = errors.New("invalid national ID number")

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// ValidateNationalID checks an 18-character resident ID number: digits, a
// real birth date, and the GB 11643 check character. It returns the
// normalised form (upper-case X).
func ValidateNationalID(id string) (string, error) {
	id = strings.ToUpper(strings.TrimSpace(normalizeDigits(id)))
	if len(id) != 18 {
		return "", fmt.Errorf("%w: must have 18 characters, has %d", ErrBadNationalID, len([]rune(id)))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return "", fmt.Errorf("%w: character %d is not a digit", ErrBadNationalID, i+1)
		}
		sum += int(c-'0') * idWeights[i]
	}
	if _, err := time.Parse("20060102", id[6:14]); err != nil {
		return "", fmt.Errorf("%w: birth date %s is not a real date", ErrBadNationalID, id[6:14])
	}
	if want := idCheckChars[sum%11]; id[17] != want {
		return "", fmt.Errorf("%w: check digit is %c, expected %c", ErrBadNationalID, id[17], want)
	}
	return id, nil
}

// NationalIDCheckChar computes the check character for the first 17 digits;
// tests and fixtures use it to make valid numbers.
func NationalIDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17 && i < len(first17); i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// MaskNationalID shows the region prefix and the last four characters
// (5201**********123X), enough for staff to tell records apart.
func MaskNationalID(id string) string {
	if len(id) < 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// MaskPhone keeps the first three and last four digits (138****5678).
func MaskPhone(p string) string {
	p = strings.TrimSpace(p)
	if len(p) < 7 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// MaskName keeps the family name (张**), as notices in China usually do.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) <= 1 {
		return string(r)
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

package pii_test

import (
	"errors"
	"testing"

	"github.com/safetynet/safetynet/internal/pii"
)

func TestValidatePhone(t *testing.T) {
	good := map[string]string{
		"13800000001":       "13800000001",
		"138 0000 0001":     "13800000001",
		"138-0000-0001":     "13800000001",
		"+8613800000001":    "13800000001",
		"+86 199 1234 5678": "19912345678",
		"0086 13800000001":  "13800000001",
		"0851-86123456":     "085186123456",
		"010-62345678":      "01062345678",
		"0851 8612345":      "08518612345",
		"085186123456":      "085186123456",
		"02187654321":       "02187654321",
		"+86 851 86123456":  "085186123456",
	}
	for in, want := range good {
		got, err := pii.ValidatePhone(in)
		if err != nil || got != want {
			t.Errorf("ValidatePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "12345", "1380000000", "138000000012", "12800000001", "86123456", "0851-0612345",
		"0851-861234567", "08-86123456", "13800000001x", "电话13800000001", "+1 415 555 0100", "0851",
	} {
		if got, err := pii.ValidatePhone(in); !errors.Is(err, pii.ErrBadPhone) {
			t.Errorf("ValidatePhone(%q) = %q, %v; want ErrBadPhone", in, got, err)
		}
	}
}

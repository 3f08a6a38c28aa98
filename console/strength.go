package console

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/trustelem/zxcvbn"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// WeakPasswordError says why a password is refused, in English for the
// command line and in Chinese for the console. It wraps ErrWeakPassword.
type WeakPasswordError struct {
	Reason   string
	ReasonZH string
}

func (e *WeakPasswordError) Error() string { return "password: " + e.Reason }
func (e *WeakPasswordError) Unwrap() error { return ErrWeakPassword }

// minGuesses is zxcvbn's score 3, "safely unguessable" for an online
// attack slowed down as sign-ins are; anything below falls to a modest
// offline attack if the hashes ever leak.
const minGuesses = 1e8

// commonPasswords are passwords seen again and again in leaked Chinese and
// international password lists, and words of this service that staff are
// tempted to use. zxcvbn's own dictionaries are English; these fill the gap.
var commonPasswords = []string{
	"woaini1314", "5201314", "1314520", "woaini", "iloveyou", "a123456", "a123456789", "aa123456",
	"qq123456", "abc123456", "123456abc", "1qaz2wsx", "1qaz2wsx3edc", "qazwsx", "zxcvbnm", "asdfghjkl",
	"147258369", "159357", "123qwe", "qwe123", "q1w2e3r4", "1q2w3e4r", "passw0rd", "p@ssw0rd", "p@ssword",
	"admin123", "admin888", "root123", "test123", "abcd1234", "dearbook", "huang123", "wang123", "zhang123",
	"li123456", "liu123456", "chen123456", "woshishui", "nihao123", "wodemima", "mima123", "mimamima",
	"safetynet", "minzheng", "dibao", "tekun", "jiuzhu", "shehuijiuzhu", "zuidishenghuobaozhang", "minzhengju",
	"zhengfu", "gongzuo", "bangong", "12345", "88888888", "66666666", "168168", "518518",
}

var commonSet = func() map[string]bool {
	m := make(map[string]bool, len(commonPasswords))
	for _, p := range commonPasswords {
		m[p] = true
	}
	return m
}()

// checkPassword refuses passwords that are short or easy to guess, saying
// why. name is the account's, which a password must not be built on.
func checkPassword(password, name string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return &WeakPasswordError{fmt.Sprintf("must have at least %d characters", MinPasswordLen), fmt.Sprintf("密码至少要 %d 个字符。", MinPasswordLen)}
	}
	if n > 256 {
		return &WeakPasswordError{"at most 256 characters", "密码最多 256 个字符。"}
	}
	if strings.TrimSpace(password) == "" {
		return &WeakPasswordError{"is only spaces", "密码不能全是空格。"}
	}
	lower := strings.ToLower(strings.TrimSpace(password))
	// A common password with digits or signs around it is still common.
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if commonSet[lower] || (core != "" && commonSet[core] && len(lower)-len(core) <= 4) {
		return &WeakPasswordError{"is one of the most common passwords", "这是最常见的密码之一，很容易被猜中。"}
	}
	inputs := append([]string{strings.ToLower(name), "safetynet", "console", "admin"}, commonPasswords...)
	r := zxcvbn.PasswordStrength(password, inputs)
	if r.Guesses >= minGuesses {
		return nil
	}
	// Name the part that makes it weak: the longest match zxcvbn found.
	reason, zh := "is too easy to guess; use a longer phrase of unrelated words", "密码太容易被猜中，请用几个不相关的词组成更长的短语。"
	longest := 0
	for _, m := range r.Sequence {
		if l := m.J - m.I + 1; l > longest {
			longest = l
			switch m.Pattern {
			case "repeat":
				reason, zh = "repeats the same characters", "密码是重复的字符，很容易被猜中。"
			case "sequence":
				reason, zh = "is a sequence such as 12345 or abcde", "密码是 12345、abcde 这样的顺序，很容易被猜中。"
			case "spatial":
				reason, zh = "is a keyboard pattern such as qwerty", "密码是 qwerty 这样的键盘排列，很容易被猜中。"
			case "date":
				reason, zh = "is built on a date", "密码以日期为主，很容易被猜中。"
			case "dictionary":
				if m.DictionaryName == "user_inputs" {
					reason, zh = "is built on the account name, this service's name or a common password", "密码用了账号名、本系统名称或常见密码，很容易被猜中。"
				} else {
					reason, zh = "is built on a common word or password", "密码以常见单词或常见密码为主，很容易被猜中。"
				}
			}
		}
	}
	return &WeakPasswordError{reason, zh}
}

// ErrConfusableName is returned (wrapping ErrUserExists) for a name that
// looks the same as an existing account's: "Admin" or "admіn" (with a
// Cyrillic і) beside "admin" would let one person pass for another in the
// audit log and in every list staff read.
var ErrConfusableName = fmt.Errorf("%w (or one that looks the same)", ErrUserExists)

// normalizeName is the form a name is stored and signed in with: NFKC, so
// full-width and compatibility forms are one name, and trimmed.
func normalizeName(name string) string { return norm.NFKC.String(strings.TrimSpace(name)) }

// validName refuses invisible and control characters, which make two
// names that print the same.
func validName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}

var folder = cases.Fold()

// confusables maps letters of other scripts that look like Latin ones (and
// digits that pass for letters) to what they look like. Not the whole
// Unicode table: the Cyrillic and Greek letters that are found in real
// spoofing, which is where staff names can be attacked.
var confusables = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j',
	'к': 'k', 'ӏ': 'l', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'ԛ': 'q', 'г': 'r', 'ѕ': 's', 'т': 't',
	'ц': 'u', 'ѵ': 'v', 'ԝ': 'w', 'х': 'x', 'у': 'y', 'ʐ': 'z', 'ь': 'b', 'п': 'n', 'ɡ': 'g',
	// Greek
	'α': 'a', 'β': 'b', 'ϲ': 'c', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'μ': 'u', 'ν': 'v', 'ο': 'o',
	'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y', 'ζ': 'z', 'ω': 'w',
	// Latin look-alikes and digits
	'ı': 'i', 'ł': 'l', '0': 'o', '1': 'l', '|': 'l', '5': 's',
}

// nameSkeleton is what a name looks like: case folded, NFKC, look-alike
// letters mapped to one, so two names with the same skeleton are refused.
func nameSkeleton(name string) string {
	s := folder.String(norm.NFKC.String(name))
	// Strip accents, which also make look-alikes (á, ą).
	s = norm.NFD.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if c, ok := confusables[r]; ok {
			r = c
		}
		b.WriteRune(r)
	}
	// l and I look the same in many fonts; after folding I is i.
	return strings.NewReplacer("rn", "m", "vv", "w", "l", "i").Replace(b.String())
}

// checkNameFree refuses a name whose skeleton matches an existing
// account's. The caller holds the lock that orders account creation.
func checkNameFree(ctx context.Context, tx pgx.Tx, name string) error {
	rows, err := tx.Query(ctx, `SELECT name FROM console_users`)
	if err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	sk := nameSkeleton(name)
	for _, n := range names {
		if n == name {
			return ErrUserExists
		}
		if nameSkeleton(n) == sk {
			return fmt.Errorf("%w: %q looks like %q", ErrConfusableName, name, n)
		}
	}
	return nil
}

package bge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxTokens is the longest input the model takes, [CLS] and [SEP]
// included: BERT's position embeddings stop at 512.
const MaxTokens = 512

// maxWordRunes is WordPiece's limit: a longer word is one [UNK], as in the
// tokenizer the model was trained with (a URL or a hash is not worth 100
// sub-word lookups).
const maxWordRunes = 100

// Token ids the model reserves. They are looked up in vocab.txt rather than
// assumed, but every BERT Chinese vocabulary has them.
const (
	padToken  = "[PAD]"
	unkToken  = "[UNK]"
	clsToken  = "[CLS]"
	sepToken  = "[SEP]"
	maskToken = "[MASK]"
)

// Tokenizer is BERT's WordPiece tokenizer for a vocab.txt: text is cleaned
// (control characters dropped, white space unified), every CJK ideograph
// becomes its own word, words split at punctuation, and each word is cut
// greedily into the longest pieces the vocabulary has, "##" marking a piece
// that continues a word. Safe for concurrent use.
type Tokenizer struct {
	words map[string]int64 // pieces that start a word
	conts map[string]int64 // pieces that continue one, without the "##"

	// special are the reserved tokens recognised verbatim in input text,
	// as the reference tokenizer does: "[SEP]" typed by a user is the
	// separator, not five characters.
	special                map[string]int64
	unk, cls, sep, pad     int64
	lowercase, stripAccent bool
}

// TokenizerConfig is what tokenizer_config.json says about normalisation.
// bge-small-zh-v1.5 keeps case and accents: its vocabulary has no upper-case
// Latin letters, so "PDF" is [UNK] to it, as it was in training.
type TokenizerConfig struct {
	DoLowerCase  bool  `json:"do_lower_case"`
	StripAccents *bool `json:"strip_accents"` // nil: follow DoLowerCase
}

// LoadTokenizer reads vocab.txt and, when configPath is not empty,
// tokenizer_config.json.
func LoadTokenizer(vocabPath, configPath string) (*Tokenizer, error) {
	var cfg TokenizerConfig
	if configPath != "" {
		b, err := os.ReadFile(configPath)
		if err != nil {
			return nil, fmt.Errorf("tokenizer config: %w", err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("tokenizer config %s: %w", configPath, err)
		}
	}
	f, err := os.Open(vocabPath)
	if err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	defer f.Close()
	t, err := NewTokenizer(f, cfg)
	if err != nil {
		return nil, fmt.Errorf("vocabulary %s: %w", vocabPath, err)
	}
	return t, nil
}

// NewTokenizer reads a vocabulary, one token a line, its id the line number
// counted from 0.
func NewTokenizer(vocab io.Reader, cfg TokenizerConfig) (*Tokenizer, error) {
	t := &Tokenizer{
		words:     make(map[string]int64, 12000),
		conts:     make(map[string]int64, 10000),
		special:   map[string]int64{},
		lowercase: cfg.DoLowerCase,
	}
	t.stripAccent = cfg.DoLowerCase
	if cfg.StripAccents != nil {
		t.stripAccent = *cfg.StripAccents
	}
	sc := bufio.NewScanner(vocab)
	var id int64
	for sc.Scan() {
		tok := strings.TrimRight(sc.Text(), "\r")
		if c, ok := strings.CutPrefix(tok, "##"); ok && c != "" {
			if _, dup := t.conts[c]; !dup {
				t.conts[c] = id
			}
		} else if _, dup := t.words[tok]; !dup {
			t.words[tok] = id
		}
		id++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, s := range []string{padToken, unkToken, clsToken, sepToken, maskToken} {
		v, ok := t.words[s]
		if !ok {
			return nil, fmt.Errorf("no %s token among its %d lines: not a BERT vocabulary", s, id)
		}
		t.special[s] = v
	}
	t.unk, t.cls, t.sep, t.pad = t.special[unkToken], t.special[clsToken], t.special[sepToken], t.special[padToken]
	return t, nil
}

// Encode returns the token ids of text, [CLS] first and [SEP] last,
// truncated to MaxTokens.
func (t *Tokenizer) Encode(text string) []int64 {
	return t.EncodeMax(text, MaxTokens)
}

// EncodeMax is Encode with another limit (at least 2, for [CLS] and [SEP]):
// the tail of the text is dropped, [SEP] kept.
func (t *Tokenizer) EncodeMax(text string, limit int) []int64 {
	limit = max(limit, 2)
	ids := make([]int64, 1, min(limit, len(text)+2))
	ids[0] = t.cls
	budget := limit - 1 // room left before [SEP]
	full := func() bool { return len(ids) >= budget }
	emit := func(id int64) bool {
		if full() {
			return false
		}
		ids = append(ids, id)
		return true
	}
	for text != "" && !full() {
		seg, special, rest := t.nextSpecial(text)
		text = rest
		if !t.encodeText(seg, emit) {
			break
		}
		if special >= 0 && !emit(special) {
			break
		}
	}
	return append(ids, t.sep)
}

// nextSpecial splits text at the first reserved token: the plain text before
// it, its id (-1 when there is none) and what follows.
func (t *Tokenizer) nextSpecial(text string) (before string, id int64, after string) {
	best, bestAt := "", -1
	for s := range t.special {
		if i := strings.Index(text, s); i >= 0 && (bestAt < 0 || i < bestAt) {
			best, bestAt = s, i
		}
	}
	if bestAt < 0 {
		return text, -1, ""
	}
	return text[:bestAt], t.special[best], text[bestAt+len(best):]
}

// encodeText runs plain text (no reserved tokens) through normalisation,
// word splitting and WordPiece, handing each id to emit until emit says the
// sequence is full.
func (t *Tokenizer) encodeText(text string, emit func(int64) bool) bool {
	for _, w := range strings.Split(t.normalize(text), " ") {
		if w != "" && !t.wordPiece(w, emit) {
			return false
		}
	}
	return true
}

// normalize is BERT's basic tokenizer as one pass: control characters go,
// every kind of white space becomes a plain space, and CJK ideographs and
// punctuation get spaces around them so that each is a word of its own.
// Case and accents are folded afterwards when the configuration asks.
func (t *Tokenizer) normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/2)
	for _, r := range text {
		switch {
		case r == 0 || r == utf8.RuneError || isControl(r):
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case isCJK(r) || isPunct(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if t.stripAccent {
		s = stripMarks(norm.NFD.String(s))
	}
	if t.lowercase {
		s = strings.ToLower(s)
	}
	return s
}

// stripMarks drops non-spacing marks, which NFD has split off their base
// letters: "é" becomes "e".
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

// wordPiece cuts one word into the longest pieces the vocabulary has, left
// to right. A word with any part the vocabulary lacks is a single [UNK]
// rather than pieces and [UNK]s: that is how the model was trained.
func (t *Tokenizer) wordPiece(word string, emit func(int64) bool) bool {
	if utf8.RuneCountInString(word) > maxWordRunes {
		return emit(t.unk)
	}
	var pieces [16]int64
	ids := pieces[:0]
	for start := 0; start < len(word); {
		table := t.words
		if start > 0 {
			table = t.conts
		}
		found := false
		// Shrink from the end one rune at a time; substrings of word index
		// the map without copying.
		for end := len(word); end > start; {
			if id, ok := table[word[start:end]]; ok {
				ids = append(ids, id)
				start = end
				found = true
				break
			}
			_, size := utf8.DecodeLastRuneInString(word[start:end])
			end -= size
		}
		if !found {
			return emit(t.unk)
		}
	}
	for _, id := range ids {
		if !emit(id) {
			return false
		}
	}
	return true
}

// isControl tells the characters BERT's cleaning drops: control and format
// characters (zero-width space, byte-order mark), private use and
// surrogates; tab and newlines are white space instead.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.Is(unicode.C, r)
}

// isPunct is BERT's notion of punctuation: Unicode's P categories and all
// of ASCII's non-alphanumeric symbols ("$", "+", "^", "`"), which Unicode
// files as symbols. Other symbols ("¥", "℃", emoji) stay inside words.
func isPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

// isCJK tells the CJK Unified Ideographs blocks (with extensions A to F and
// the compatibility blocks) that BERT splits into single characters.
// Hangul, kana and bopomofo are not among them: they form words.
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

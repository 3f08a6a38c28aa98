package corpus

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/document"
)

func sharedCorpus(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the test directory")
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	_, err = os.Stat(corpus)
	require.NoError(t, err, "the policy corpus is expected at %s (../shared/corpus beside the module root)", corpus)
	return corpus
}

func notes(t *testing.T) map[string]document.Document {
	t.Helper()
	names, err := fs.Glob(FS, "*.md")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(names), 5)
	docs, err := Documents()
	require.NoError(t, err)
	require.Len(t, docs, len(names))
	out := map[string]document.Document{}
	for i, doc := range docs {
		require.Equal(t, names[i], doc.Name)
		out[doc.Name] = doc
	}
	return out
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func TestNotesParse(t *testing.T) {
	t.Parallel()
	corpus := sharedCorpus(t)
	for name, doc := range notes(t) {
		require.NotEmpty(t, doc.Title, name)
		require.NotEmpty(t, doc.Issuer, name)
		require.NotEmpty(t, doc.Source, name)
		require.FileExists(t, filepath.Join(corpus, doc.Source), "%s names a source that is not in the corpus", name)
		if doc.Date != "" {
			require.Regexp(t, isoDate, doc.Date, name)
		}
		require.GreaterOrEqual(t, len(doc.Chunks), 2, name)
		for _, c := range doc.Chunks[1:] {
			require.NotEmpty(t, c.Section, "%s chunk %d", name, c.Ord)
			require.NotEmpty(t, c.Heading, "%s chunk %d", name, c.Ord)
		}
	}
}

// The facts residents ask about most are in the notes.
func TestNotesCarryKeyFacts(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	for _, doc := range notes(t) {
		for _, c := range doc.Chunks {
			all.WriteString(c.Text)
		}
	}
	for _, fact := range []string{
		"4500元", "4220元", "3908元", "3到12个月", "不少于1年的渐退期", "2倍", "单人户", "交通费、餐费、通讯费",
		"2周岁以下婴儿", "18周岁", "3000元以下", "2020年5月1日", "诚信申报承诺", "信用档案", "居住证",
		"1.3倍", "12个小时", "刚性支出", "先行垫付", "一门受理",
	} {
		require.Contains(t, all.String(), fact)
	}
}

// The notes are in our own words: no run of 16 characters of a note's text
// occurs in the source documents (facts and figures are short; sentences are not).
func TestNotesAreOwnWords(t *testing.T) {
	t.Parallel()
	dir := sharedCorpus(t)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var src strings.Builder
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		src.WriteString(flatten(string(raw)))
	}
	source := src.String()
	const window = 16
	for name, doc := range notes(t) {
		for _, c := range doc.Chunks {
			rs := []rune(flatten(c.Text))
			for i := 0; i+window <= len(rs); i++ {
				piece := string(rs[i : i+window])
				require.NotContains(t, source, piece, "%s chunk %d copies the source", name, c.Ord)
			}
		}
	}
}

// flatten drops spaces and unifies full- and half-width punctuation.
func flatten(s string) string {
	s = strings.NewReplacer("，", ",", "：", ":", "（", "(", "）", ")", "；", ";", "！", "!", "？", "?").Replace(s)
	return strings.Join(strings.Fields(s), "")
}

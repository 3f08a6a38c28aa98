package document_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/knowledge/document"
)

// TestItemsVerbatimAndCovering: on every chunk of the shared corpus, each
// item and its context are verbatim pieces of the chunk, the context holds
// the item, items keep the chunk's order, and nothing of the chunk is lost
// but sentences that only repeat its heading.
func TestItemsVerbatimAndCovering(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtures.Corpus(t), "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var items, runes int
	for _, f := range files {
		doc, err := document.Load(f)
		require.NoError(t, err)
		for _, c := range doc.Chunks {
			its := document.Items(c)
			require.NotEmpty(t, its, "%s %s: no items", doc.Name, c.Section)
			pos := 0
			covered := 0
			for _, it := range its {
				require.NotEmpty(t, it.Text)
				i := strings.Index(c.Text[pos:], it.Text)
				require.GreaterOrEqual(t, i, 0, "%s %s: item not in the chunk, in order: %q", doc.Name, c.Section, it.Text)
				pos += i + len(it.Text)
				covered += utf8.RuneCountInString(it.Text)
				require.Contains(t, c.Text, it.Context, "context is verbatim")
				require.Contains(t, it.Context, it.Text, "context holds its item")
				items++
				runes += utf8.RuneCountInString(it.Text)
			}
			require.GreaterOrEqual(t, covered*10, utf8.RuneCountInString(strings.TrimSpace(c.Text))*7,
				"%s %s: items cover too little of the chunk", doc.Name, c.Section)
		}
	}
	// Rule-sized: far smaller than a chunk on average.
	require.Less(t, runes/items, 120, "average item size")
	t.Logf("%d items, %d characters on average", items, runes/items)
}

func TestItemsSplitLists(t *testing.T) {
	c := document.Chunk{Section: "二、(一)", Heading: "认定条件", Text: "认定条件。同时具备下列条件的，认定为特困人员：" +
		"（1）无劳动能力；（2）无生活来源；（3）无法定赡养、抚养、扶养义务人，或者其法定义务人无履行义务能力的。" +
		"对家庭人均收入超过当地低保标准的，给予不少于1年的渐退期，确保稳定脱贫。"}
	its := document.Items(c)
	var texts []string
	for _, it := range its {
		texts = append(texts, it.Text)
	}
	require.NotContains(t, texts, "认定条件。", "a sentence that only repeats the heading is no item")
	last := its[len(its)-1]
	require.Equal(t, "对家庭人均收入超过当地低保标准的，给予不少于1年的渐退期，确保稳定脱贫。", last.Text, "one rule, one item")
	for _, it := range its {
		if strings.HasPrefix(it.Text, "（2）") {
			require.Equal(t, "同时具备下列条件的，认定为特困人员：", it.Lead, "a list entry carries the sentence that introduces it")
		}
	}
	require.Equal(t, strings.TrimSpace(c.Text), its[0].Context, "a short chunk is each item's whole context")
}

func TestItemsLongChunkWindow(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 30; i++ {
		b.WriteString("第")
		b.WriteString(strings.Repeat("几", i%5+1))
		b.WriteString("项规定要求各地按时完成相关的救助审核工作并及时公示结果。")
	}
	c := document.Chunk{Text: b.String()}
	its := document.Items(c)
	require.Greater(t, len(its), 10)
	for _, it := range its {
		require.LessOrEqual(t, utf8.RuneCountInString(it.Context), 2*200+utf8.RuneCountInString(it.Text)+60, "window around the item")
	}
}

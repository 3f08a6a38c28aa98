package eligibility_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// A Guizhou household's pre-check cites Guizhou's own document first; what
// comes from Sichuan (珙县) or Qinghai documents is marked borrowed, in the
// JSON and in words, and documents appear by title, never by file name.
func TestCitationsBelongToTheRegion(t *testing.T) {
	t.Parallel()
	check := func(region string) eligibility.Result {
		h, err := eligibility.DecodeBytes([]byte(`{"region":"` + region + `","area":"rural","monthly_rigid_expenses":300,
			"members":[{"age":70,"monthly_income":100,"labor_capacity":"none","supporters":"none"},{"age":40,"monthly_income":300,"employed":true}]}`))
		require.NoError(t, err)
		return eligibility.Check(h, "")
	}

	gz := check("guizhou-2020")
	dibao := gz.Program(eligibility.Dibao)
	require.NotEmpty(t, dibao.Citations)
	require.Equal(t, "004_f3d72d4f8696011b.txt", dibao.Citations[0].Doc, "the region's own document first")
	require.False(t, dibao.Citations[0].Borrowed)
	borrowed := 0
	for _, p := range gz.Programs {
		for _, c := range p.Citations {
			own := c.Doc == "004_f3d72d4f8696011b.txt"
			require.Equal(t, !own, c.Borrowed, "%s %s", p.Program, c.Doc)
			if c.Borrowed {
				borrowed++
			}
		}
	}
	require.Positive(t, borrowed)

	b, err := json.Marshal(gz)
	require.NoError(t, err)
	js := string(b)
	require.NotContains(t, js, ".txt", "no file names in the JSON")
	require.Contains(t, js, `"doc":"贵州省民政兜底脱贫三年行动计划（2018）"`)
	require.Contains(t, js, `"borrowed":true`)
	require.Contains(t, js, `"borrowed":false`)
	require.Contains(t, gz.Text(), "外地文件")

	// Qinghai's own documents (the province's, and 刚察县 within it) are
	// not borrowed there; 珙县's and Guizhou's are.
	for _, p := range check("qinghai-2021").Programs {
		for _, c := range p.Citations {
			own := c.Doc == "000_af371565f628b411.txt" || c.Doc == "002_7906d49b427e11db.txt"
			require.Equal(t, !own, c.Borrowed, "%s %s", p.Program, c.Doc)
		}
	}
	require.False(t, strings.Contains(check("gongxian-2020").Text(), "珙县兜底保障试点工作方案（2020）》二、(一) 1.（外地文件"),
		"珙县's own plan is not borrowed for 珙县")
}

// The report ends without a blank line before the closing words, and the
// papers to bring are a list, one a line.
func TestTextListsPapersOneALine(t *testing.T) {
	t.Parallel()
	h, err := eligibility.DecodeBytes([]byte(`{"region":"guizhou-2020","area":"rural","monthly_rigid_expenses":300,
		"members":[{"age":70,"monthly_income":100,"labor_capacity":"none","serious_illness":true}]}`))
	require.NoError(t, err)
	text := eligibility.Check(h, "").Text()
	require.NotContains(t, text, "\n\n提示")
	require.Contains(t, text, "\n提示：")
	require.Contains(t, text, "• 办理时请带上：\n  - 户口簿\n  - 全家人的身份证\n")
	require.Contains(t, text, "\n  - 病历、诊断证明\n", "an item with 、 in it stays whole")
}

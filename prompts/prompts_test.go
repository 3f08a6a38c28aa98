package prompts_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/prompts"
)

func TestAnswerTemplates(t *testing.T) {
	t.Parallel()
	sys, err := prompts.Render("answer_system", map[string]any{"Hotline": "12345"})
	require.NoError(t, err)
	require.Contains(t, sys, "12345")
	require.Contains(t, sys, "[1]")

	type src struct{ Title, Section, Place, Text string }
	user, err := prompts.Render("answer_user", map[string]any{
		"Sources":  []src{{"甲", "一、", "", "第一段"}, {"乙", "二、", "青海省", "第二段"}},
		"Question": "低保怎么申请？",
	})
	require.NoError(t, err)
	require.Contains(t, user, `<source number="1" document="甲" section="一、">`)
	require.Contains(t, user, `<source number="2" document="乙" section="二、" place="青海省">`)
	require.Contains(t, user, "<question>\n低保怎么申请？\n</question>")
	require.NotContains(t, user, "The place the question is about")

	user, err = prompts.Render("answer_user", map[string]any{
		"Sources": []src{{"乙", "二、", "青海省", "第二段"}}, "Question": "渐退期多久？", "Place": "青海省海北藏族自治州刚察县",
	})
	require.NoError(t, err)
	require.Contains(t, user, "The place the question is about: 青海省海北藏族自治州刚察县\n")

	_, err = prompts.Render("no_such_template", nil)
	require.Error(t, err)
}

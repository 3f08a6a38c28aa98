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

	type src struct{ Title, Section, Text string }
	user, err := prompts.Render("answer_user", map[string]any{
		"Sources":  []src{{"甲", "一、", "第一段"}, {"乙", "二、", "第二段"}},
		"Question": "低保怎么申请？",
	})
	require.NoError(t, err)
	require.Contains(t, user, `<source number="1" document="甲" section="一、">`)
	require.Contains(t, user, `<source number="2"`)
	require.Contains(t, user, "<question>\n低保怎么申请？\n</question>")

	_, err = prompts.Render("no_such_template", nil)
	require.Error(t, err)
}

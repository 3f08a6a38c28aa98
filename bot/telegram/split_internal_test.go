package telegram

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitKeepsEverythingWithinTheLimit(t *testing.T) {
	t.Parallel()
	para := strings.Repeat("低保标准每年调整一次。", 30) // 330 runes
	long := strings.Repeat(para+"\n\n", 30)
	for _, text := range []string{"短", para, long, strings.Repeat("😀", 5000)} {
		parts := split(text, maxMessage)
		require.Equal(t, strings.ReplaceAll(text, "\n", ""), strings.ReplaceAll(strings.Join(parts, ""), "\n", ""))
		for _, p := range parts {
			require.LessOrEqual(t, utf16Len(p), maxMessage)
			require.NotEmpty(t, p)
		}
	}
	require.Len(t, split("短", maxMessage), 1)
}

package knowledge

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnsupportedClaim(t *testing.T) {
	t.Parallel()
	passage := "低保渐退期一般为6个月，最长不超过两年。家庭人均收入低于当地低保标准1,570元的，可以申请。"
	for sentence, want := range map[string]string{
		"渐退期一般为6个月。":            "",
		"最长不超过2年。":              "",
		"人均收入低于1570元的可以申请。":     "",
		"渐退期一般为12个月。":           "12",
		"渐退期一般为三个月。":            "三",
		"人均收入高于1570元的可以申请。":     "高于",
		"人均收入低于1570元的不可以申请。":    "不可以",
		"可以申请，但要先交200元手续费。":     "200",
		"请拨打12345咨询渐退期。":        "",
		"渐退期一般为6个月，没有例外。":       "没有例",
		"家庭人均收入低于当地低保标准的，可以申请。": "",
	} {
		require.Equal(t, want, unsupportedClaim(sentence, passage, "12345"), sentence)
	}
}

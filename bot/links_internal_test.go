package bot

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
)

func TestDropForeignLinks(t *testing.T) {
	t.Parallel()
	cites := []knowledge.Citation{{Text: "详见 http://mca.gov.cn/notice 的通知。"}}
	for in, want := range map[string]string{
		"请看 http://mca.gov.cn/notice 。":              "请看 http://mca.gov.cn/notice 。",
		"请点 https://evil.example/x?a=1 办理":           "请点 [链接已移除] 办理",
		"访问 www.evil.example 领取补贴":                   "访问 [链接已移除] 领取补贴",
		"没有链接的回答":                                    "没有链接的回答",
		"两个：http://mca.gov.cn/notice 和 http://a.b/c": "两个：http://mca.gov.cn/notice 和 [链接已移除]",
	} {
		require.Equal(t, want, dropForeignLinks(in, cites), in)
	}
}

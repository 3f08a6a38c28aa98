package console

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuditLinesAreWords(t *testing.T) {
	for _, tc := range []struct {
		detail string
		want   []string
	}{
		{`{}`, nil},
		{`null`, nil},
		{`{"enabled":false,"comment":"核对标准"}`, []string{"说明：核对标准", "开启：否"}},
		{`{"rows":3}`, []string{"条数：3"}},
		{`{"name":"复核","template":"review_notice","area":"rural","regions":["guizhou-2020"]}`,
			[]string{"城乡：农村", "名称：复核", "地区：guizhou-2020", "模板：年度复核通知"}},
		{`{"effective_from":"2025-01-01","changes":[{"field":"dibao_standard_monthly.rural","old":375,"new":400}]}`,
			[]string{"农村低保标准（元/人·月）：375 → 400", "生效日期：2025-01-01"}},
		{`{"changes":[]}`, []string{"修改：没有改动"}},
	} {
		got := auditLines(json.RawMessage(tc.detail))
		require.Equal(t, tc.want, got, tc.detail)
	}
}

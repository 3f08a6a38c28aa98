package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/outreach"
)

// Staff read names, not codes: regions by name, templates without their
// code, the campaign's urban/rural choice, audit details as lines.
func TestConsoleSaysWordsNotCodes(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 3)
	c := st.client(t)
	csrf := c.login("admin", adminPW)

	_, body := c.get("/console/households/GZ-0001")
	require.Contains(t, body, "贵州省")
	require.NotContains(t, body, ">guizhou-2020", "the region's id is not shown")

	_, body = c.get("/console/campaigns")
	require.Contains(t, body, "年度复核通知")
	require.NotContains(t, body, "（review_notice）")
	require.NotContains(t, body, "{{.Name}}")
	require.NotContains(t, body, `type="time"`)
	require.NotContains(t, body, `datetime-local`)

	form := url.Values{"csrf": {csrf}, "name": {"农村复核"}, "region": {"guizhou-2020"}, "area": {"rural"},
		"template": {"review_notice"}, "start_date": {"2026-03-01"}, "start_time": {"09:30"},
		"window_start": {"09:00"}, "window_end": {"20:00"}, "rate": {"5"}, "op": {"create"}}
	for field, bad := range map[string]string{"start_date": "2026/3/1", "start_time": "9点半", "window_start": "9:00 AM"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(field, bad)
		resp, body := c.postForm("/console/campaigns", f)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, field)
		want := map[string]string{"start_date": "开始日期要写成 2026-03-01", "start_time": "开始时间要写成 24 小时制", "window_start": "发送时段的开始要写成 24 小时制"}[field]
		require.Contains(t, body, want, field)
		require.Contains(t, body, `value="`+bad+`"`, "what was typed is shown back")
	}
	resp, _ := c.postForm("/console/campaigns", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get(resp.Header.Get("Location"))
	require.Contains(t, body, "<dt>城乡</dt><dd>农村</dd>")
	require.Contains(t, body, "贵州省")
	require.Contains(t, body, "2026-03-01 09:30")
	require.Contains(t, body, "居民收到的消息")
	require.NotContains(t, body, "{{.Name}}")

	_, body = c.get("/console/operations")
	require.Contains(t, body, "模板：年度复核通知")
	require.Contains(t, body, "城乡：农村")
	require.Contains(t, body, "地区：贵州省")
	require.NotContains(t, body, "{}")
}

// The knowledge page lists what is ingested; an admin re-ingests and
// removes a document, each audited; bureau staff see the list only.
func TestKnowledgeDocuments(t *testing.T) {
	t.Parallel()
	st := fullStack(t, "004_f3d72d4f8696011b.txt")
	ctx := context.Background()
	b := st.client(t)
	b.login("bureau", bureauPW)
	_, body := b.get("/console/knowledge")
	require.Contains(t, body, `data-doc="004_f3d72d4f8696011b.txt"`)
	require.Contains(t, body, "贵州省")
	require.Contains(t, body, "适用：贵州省</span>", "where the bot reads its rules to hold")
	require.NotContains(t, body, "/console/knowledge/documents/remove", "bureau staff cannot remove")
	resp, _ := b.postForm("/console/knowledge/documents/remove", url.Values{"csrf": {csrfOf(t, body)}, "name": {"004_f3d72d4f8696011b.txt"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	a := st.client(t)
	csrf := a.login("admin", adminPW)
	_, body = a.get("/console/knowledge")
	require.Contains(t, body, "/console/knowledge/documents/remove")
	resp, body = a.postForm("/console/knowledge/documents/reingest", url.Values{"csrf": {csrf}, "name": {"004_f3d72d4f8696011b.txt"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "已重新导入")
	require.Contains(t, body, `<td>004_f3d72d4f8696011b.txt</td><td><span class="tag ok">未变</span></td>`, "the file has not changed since")
	require.Equal(t, 1, auditCount(t, st, "knowledge.reingest", "004_f3d72d4f8696011b.txt"))
	// A document ingested before its file's path was kept cannot be re-read.
	_, err := st.pool.Exec(ctx, `UPDATE documents SET source_path = '' WHERE name = $1`, "004_f3d72d4f8696011b.txt")
	require.NoError(t, err)
	resp, body = a.postForm("/console/knowledge/documents/reingest", url.Values{"csrf": {csrf}, "name": {"004_f3d72d4f8696011b.txt"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body, "找不到这个文件当初导入时的原文件（可能已被移走，或是在记录路径之前导入的），请重新上传。")
	require.NotContains(t, body, "已重新导入")

	resp, body = a.postForm("/console/knowledge/documents/remove", url.Values{"csrf": {csrf}, "name": {"004_f3d72d4f8696011b.txt"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "已从知识库移除")
	require.NotContains(t, body, `data-doc="004_f3d72d4f8696011b.txt"`)
	require.Equal(t, 1, auditCount(t, st, "knowledge.remove", "004_f3d72d4f8696011b.txt"))
	var n int
	require.NoError(t, st.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&n))
	require.Zero(t, n)

	resp, body = a.postForm("/console/knowledge/documents/remove", url.Values{"csrf": {csrf}, "name": {"004_f3d72d4f8696011b.txt"}})
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, body, "知识库里没有这个文件：004_f3d72d4f8696011b.txt")
	require.Contains(t, body, "已导入的文件", "said on the knowledge page")
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := reMetaCSRF.FindStringSubmatch(page)
	require.NotNil(t, m)
	return strings.TrimSpace(m[1])
}

// The dashboard's reminder funnel counts what `safetynet outreach report`
// counts: the unreachable households above all.
func TestDashboardFunnelMatchesReport(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 6)
	ctx := context.Background()
	// Reviews fall due in 10 days (enrol); the reminder goes out on the
	// rules' day before it, which unbound households cannot receive.
	for d := 0; d <= 10; d++ {
		_, err := st.outreach.Remind(ctx, time.Now().AddDate(0, 0, d), false)
		require.NoError(t, err)
	}
	rep, err := st.outreach.Report(ctx, nil)
	require.NoError(t, err)
	require.Positive(t, rep.Counts.Unreachable, "unbound households are unreachable")

	c := st.client(t)
	c.login("bureau", bureauPW)
	_, body := c.get("/console/api/stats")
	var s struct {
		Reminders outreach.Counts `json:"reminders"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &s))
	require.Equal(t, rep.Counts, s.Reminders)
	_, page := c.get("/console/dashboard")
	require.Contains(t, page, fmt.Sprintf("无法送达 %d", rep.Counts.Unreachable))
}

// A document with damaged figures says so where it is ingested: the 珙县
// plan's "312个月" lost the dash of 3—12.
func TestKnowledgeIngestShowsDamagedFigures(t *testing.T) {
	t.Parallel()
	st := fullStack(t, "001_5a044e6a7ae10426.txt", "003_fbe516fa33e86af9.txt")
	a := st.client(t)
	csrf := a.login("admin", adminPW)
	// The list says so too, long after the ingest.
	_, body := a.get("/console/knowledge")
	require.Contains(t, body, `001_5a044e6a7ae10426.txt <span class="tag warn"`)
	require.Contains(t, body, ">1 处需核对</span>")
	require.Regexp(t, `003_fbe516fa33e86af9.txt <span class="tag warn"[^>]*>\d\d 处需核对</span>`, body)
	resp, body := a.postForm("/console/knowledge/documents/reingest", url.Values{"csrf": {csrf}, "name": {"001_5a044e6a7ae10426.txt"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `<ul class="checks"><li>“高于2倍的,视其情况实行312个月的渐退救助期。”：像是丢了连接号，原文可能是“3—12个月”</li>`)
	require.Contains(t, body, "机器人会原样引用这些文字")
	require.NotContains(t, body, "xx", "the other document is not this one's business")

	_, body = a.postForm("/console/knowledge/documents/reingest", url.Values{"csrf": {csrf}, "name": {"003_fbe516fa33e86af9.txt"}})
	require.Contains(t, body, "：数字或名称被写成了 xx</li>")
	require.Regexp(t, `<li>共有 \d+ 处写成了 xx</li>`, body)
	require.NotContains(t, body, "连接号")
}

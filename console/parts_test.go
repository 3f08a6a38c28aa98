package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
)

func auditCount(t *testing.T, st *stack, action, target string) int {
	t.Helper()
	var n int
	require.NoError(t, st.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM console_audit WHERE action = $1 AND ($2 = '' OR target = $2)`, action, target).Scan(&n))
	return n
}

func TestSuggestedAnswer(t *testing.T) {
	t.Parallel()
	st := fullStack(t, "004_f3d72d4f8696011b.txt")
	c := st.client(t)
	csrf := c.login("hotline", hotlinePW)

	resp, body := c.postForm("/console/answer", url.Values{"csrf": {csrf}, "question": {"贵州农村低保标准一年多少钱？我的电话13812345678"}, "region": {"guizhou-2020"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "建议答复")
	require.Contains(t, body, `data-doc="004_f3d72d4f8696011b.txt"`, "the source document is cited")
	require.Contains(t, body, "《贵州省民政兜底脱贫攻坚三年行动计划", "by its title")
	require.Contains(t, body, `<span class="tag place">适用：贵州省</span>`, "with where its rules hold")
	require.NotContains(t, body, ">004_f3d72d4f8696011b.txt", "never by its file name")
	require.Contains(t, body, "<mark>", "passages are highlighted")
	require.Contains(t, body, "4500")
	require.NotContains(t, body, "13812345678", "the phone number is not kept or shown")

	var stored string
	var id int64
	require.NoError(t, st.pool.QueryRow(context.Background(), `SELECT id, question FROM console_hotline_questions`).Scan(&id, &stored))
	require.NotContains(t, stored, "13812345678")

	// Feedback through the API; another staff member cannot rate it.
	resp, _ = c.api("POST", fmt.Sprintf("/console/api/ask/%d/feedback", id), csrf, `{"helpful":false}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	other := st.client(t)
	ocsrf := other.login("admin", adminPW)
	resp, _ = other.api("POST", fmt.Sprintf("/console/api/ask/%d/feedback", id), ocsrf, `{"helpful":true}`)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	var helpful *bool
	require.NoError(t, st.pool.QueryRow(context.Background(), `SELECT helpful FROM console_hotline_questions WHERE id = $1`, id).Scan(&helpful))
	require.NotNil(t, helpful)
	require.False(t, *helpful)

	// The staff member says which source answered: the question becomes an
	// example of the knowledge base, audited, and the lookup is rated.
	m := regexp.MustCompile(`name="doc" value="([^"]+)"><input type="hidden" name="span" value="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "each source has a form to say it answered")
	countExamples := func() int {
		var n int
		require.NoError(t, st.pool.QueryRow(context.Background(), `SELECT count(*) FROM examples WHERE source = 'staff:hotline'`).Scan(&n))
		return n
	}
	resp, _ = c.postForm(fmt.Sprintf("/console/answer/%d/source", id), url.Values{"csrf": {csrf}, "doc": {m[1]}, "span": {"不在资料里的一句话"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "a span no passage holds")
	resp, _ = other.postForm(fmt.Sprintf("/console/answer/%d/source", id), url.Values{"csrf": {ocsrf}, "doc": {m[1]}, "span": {m[2]}})
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "another staff member's lookup")
	require.Zero(t, countExamples())
	resp, _ = c.postForm(fmt.Sprintf("/console/answer/%d/source", id), url.Values{"csrf": {csrf}, "doc": {m[1]}, "span": {m[2]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, 1, countExamples())
	var exQuestion string
	require.NoError(t, st.pool.QueryRow(context.Background(), `SELECT question FROM examples WHERE source = 'staff:hotline'`).Scan(&exQuestion))
	require.Equal(t, stored, exQuestion, "the question as recorded, redacted")
	require.Equal(t, 1, auditCount(t, st, "example.add", m[1]))
	require.NoError(t, st.pool.QueryRow(context.Background(), `SELECT helpful FROM console_hotline_questions WHERE id = $1`, id).Scan(&helpful))
	require.True(t, *helpful)

	// The JSON API, and the recent list.
	resp, body = c.api("POST", "/console/api/ask", csrf, `{"question":"今天天气怎么样，适合去钓鱼吗"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var ans struct {
		ID       int64  `json:"id"`
		Answered bool   `json:"answered"`
		Answer   string `json:"answer"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.False(t, ans.Answered, "out of scope")
	require.NotZero(t, ans.ID)
	resp, _ = c.api("POST", "/console/api/ask", csrf, `{"question":"  "}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, body = c.get("/console/api/ask/recent")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "钓鱼")
	_, body = c.get("/console/answer")
	require.Contains(t, body, "我最近查过的问题")
	require.Contains(t, body, "有帮助", "rated helpful when its source was confirmed")
}

func TestHandoffQueue(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	tk := st.ticket(t, 777)
	c := st.client(t)
	csrf := c.login("hotline", hotlinePW)

	resp, body := c.get("/console/handoffs")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, fmt.Sprintf("#%d", tk.ID))
	resp, body = c.get(fmt.Sprintf("/console/handoffs/%d", tk.ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "特困供养")
	require.NotContains(t, body, "13812345678", "personal data masked")
	require.NotContains(t, body, "777", "the chat id is never shown")
	require.Contains(t, body, "认领这张工单")

	path := fmt.Sprintf("/console/handoffs/%d", tk.ID)
	resp, _ = c.postForm(path+"/claim", url.Values{})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "no CSRF token")
	resp, _ = c.postForm(path+"/claim", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// Someone else cannot take it over.
	adm := st.client(t)
	acsrf := adm.login("admin", adminPW)
	resp, _ = adm.api("POST", fmt.Sprintf("/console/api/handoffs/%d/claim", tk.ID), acsrf, "")
	require.Equal(t, http.StatusConflict, resp.StatusCode)

	resp, _ = c.postForm(path+"/reply", url.Values{"csrf": {csrf}, "text": {"您好，您母亲的情况可以到乡镇民政办申请，带上身份证和户口本。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs, err := st.tg.WaitForMessages(ctx, 777, 1)
	require.NoError(t, err)
	require.Contains(t, msgs[0].Text, "乡镇民政办", "the reply reached the resident's chat")

	resp, _ = c.postForm(path+"/close", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, body = c.get("/console/api/handoffs?status=closed")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, fmt.Sprintf(`"id":%d`, tk.ID))
	for _, a := range []string{"handoff.claim", "handoff.reply", "handoff.close", "handoff.view"} {
		require.Equal(t, 1, auditCount(t, st, a, fmt.Sprint(tk.ID)), a)
	}
}

func TestEligibilityForm(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	c := st.client(t)
	csrf := c.login("hotline", hotlinePW)
	resp, body := c.get("/console/check")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "guizhou-2020")

	form := url.Values{"csrf": {csrf}, "region": {"guizhou-2020"}, "area": {"rural"}, "current_program": {"none"},
		"m0_age": {"72"}, "m0_income": {"100"}, "m0_labor": {"none"}, "m0_disability": {"none"}, "m0_supporters": {"none"}}
	resp, body = c.postForm("/console/check", form)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "预审结果")
	require.Contains(t, body, "特困供养")
	require.Contains(t, body, "可能符合")

	form.Set("m0_age", "七十")
	resp, body = c.postForm("/console/check", form)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "成员 1 的年龄")

	resp, body = c.api("POST", "/console/api/check", csrf, `{"region":"guizhou-2020","area":"rural","members":[{"age":-3}]}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "members[0].age")
}

func TestHouseholdsAudited(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 6)
	c := st.client(t)
	csrf := c.login("bureau", bureauPW)

	resp, body := c.get("/console/households?q=GZ-0002")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "GZ-0002")
	require.NotContains(t, body, nid(2), "ID numbers only masked")
	require.Contains(t, body, "5201**********")

	// By full ID number, posted by the form: found through the keyed hash;
	// the log keeps only the mask.
	resp, body = c.postForm("/console/households", url.Values{"csrf": {csrf}, "q": {nid(3)}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "GZ-0003")
	var target string
	require.NoError(t, st.pool.QueryRow(context.Background(),
		`SELECT target FROM console_audit WHERE action = 'household.search' ORDER BY id DESC LIMIT 1`).Scan(&target))
	require.True(t, strings.HasPrefix(target, "national_id:5201"), target)
	require.NotContains(t, target, nid(3))

	resp, body = c.get("/console/households/GZ-0001")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "时间线")
	require.Contains(t, body, "139****0001")
	require.Equal(t, 1, auditCount(t, st, "household.view", "GZ-0001"))
	resp, _ = c.get("/console/api/households/GZ-0001")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, auditCount(t, st, "household.view", "GZ-0001"))
	resp, _ = c.get("/console/households/NOPE")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	// A second file enrols GZ-0002's ID number under another id: both are
	// flagged, and staff see it on the household's page.
	res, err := st.outreach.Import(context.Background(), strings.NewReader(csvHeader+
		"XZ-0009,王秀英,"+nid(2)+",13900009999,guizhou-2020,rural,dibao,2025-06-01,2026-06-01,,2025-12-01\n"), false)
	require.NoError(t, err)
	require.Len(t, res.SharedIDs, 1)
	_, body = c.get("/console/households/GZ-0002")
	require.Contains(t, body, "同一身份证号也登记在")
	require.Contains(t, body, `href="/console/households/XZ-0009"`)
	_, body = c.get("/console/api/households/XZ-0009")
	require.Contains(t, body, `"shares_id_with":["GZ-0002"]`)
	_, body = c.get("/console/households/GZ-0003")
	require.NotContains(t, body, "同一身份证号也登记在")

	// Follow-ups: unbound households are unreachable once a campaign tries them.
	resp, body = c.get("/console/followups.csv")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	require.True(t, strings.HasPrefix(body, "\ufeffhousehold_id,"))
	require.Equal(t, 1, auditCount(t, st, "followup.export", ""))
}

func TestCampaignLifecycle(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 6)
	st.run(t)
	c := st.client(t)
	csrf := c.login("bureau", bureauPW)

	form := url.Values{"csrf": {csrf}, "name": {"复核提醒"}, "region": {"guizhou-2020"}, "area": {""}, "program": {"dibao"},
		"due_within": {"30"}, "template": {"review_notice"}, "window_start": {"00:00"}, "window_end": {"23:59"}, "rate": {"25"}, "op": {"preview"}}
	resp, body := c.postForm("/console/campaigns", form)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `id="preview-count">6<`)
	require.Contains(t, body, `class="samples"`)

	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("window_end", "07:00")
	bad.Set("window_start", "09:00")
	resp, body = c.postForm("/console/campaigns", bad)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "发送时段")

	form.Set("op", "create")
	resp, _ = c.postForm("/console/campaigns", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	id := strings.TrimPrefix(loc, "/console/campaigns/")
	resp, body = c.get(loc)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "草稿")

	// Not test-sent: refused unless forced.
	resp, _ = c.postForm(loc+"/start", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)

	// A test send goes to staff's own chats first; a bad chat id is named.
	resp, body = c.postForm(loc+"/test", url.Values{"csrf": {csrf}, "chats": {"12a"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body, "聊天 ID 应当是数字")
	resp, _ = c.postForm(loc+"/test", url.Values{"csrf": {csrf}, "chats": {"990001，990002"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	tctx, tcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer tcancel()
	staffMsgs, err := st.tg.WaitForMessages(tctx, 990002, 1)
	require.NoError(t, err)
	require.NotEmpty(t, staffMsgs[0].Text)
	require.Equal(t, 1, auditCount(t, st, "campaign.test", id))

	// Tested: it starts without force.
	resp, _ = c.postForm(loc+"/start", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// Live progress through the API: the three bound households get theirs.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, st.tg.WaitFor(ctx, func() bool { return len(st.tg.Sent()) >= 3 }))
	var cp struct {
		State  string         `json:"status"`
		Counts map[string]int `json:"counts"`
	}
	require.Eventually(t, func() bool {
		_, body := c.get("/console/api/campaigns/" + id)
		_ = json.Unmarshal([]byte(body), &cp)
		return cp.Counts["sent"] == 3
	}, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, 3, cp.Counts["unreachable"], "unbound households")

	resp, body = c.api("POST", "/console/api/campaigns/"+id+"/resume", csrf, "")
	require.Equal(t, http.StatusConflict, resp.StatusCode, body)
	resp, _ = c.postForm(loc+"/cancel", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	for _, a := range []string{"campaign.create", "campaign.start", "campaign.cancel"} {
		require.Equal(t, 1, auditCount(t, st, a, id), a)
	}
	// The unreachable ones are on the follow-up list now.
	_, body = c.get("/console/followups")
	require.Contains(t, body, "GZ-0002")

	// A household id stored before ids were checked leaves as text, not a formula.
	_, err = st.pool.Exec(context.Background(), `DO $$
		DECLARE t text;
		BEGIN
			SET LOCAL session_replication_role = replica; -- foreign keys follow by hand below
			FOR t IN SELECT table_name FROM information_schema.columns
				WHERE column_name = 'household_id' AND table_schema = 'public' LOOP
				EXECUTE format('UPDATE %I SET household_id = %L WHERE household_id = %L', t, '=cmd|'' /C calc''!A0', 'GZ-0002');
			END LOOP;
		END $$`)
	require.NoError(t, err)
	_, body = c.get("/console/followups.csv")
	require.Contains(t, body, "\n'=cmd|' /C calc'!A0,")
	require.NotContains(t, body, "\n=cmd")
}

func TestKnowledgeAndDashboard(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.askedQuestions(t)
	c := st.client(t)
	c.login("admin", adminPW)

	resp, body := c.get("/console/knowledge")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "养老保险怎么交")
	require.Contains(t, body, "渐退期有多长")
	require.NotContains(t, body, "临时救助找谁", "answered and liked is no problem")

	resp, body = c.get("/console/dashboard")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "<svg class=\"chart\"")
	require.Contains(t, body, "居民每日提问数")
	require.Contains(t, body, "提醒送达漏斗")
	resp, body = c.get("/console/api/stats")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	type day struct {
		Date  string `json:"date"`
		Total int    `json:"total"`
	}
	var s struct {
		Days            int   `json:"days"`
		Questions       []day `json:"questions"`
		Hotline         []day `json:"hotline_lookups"`
		QuestionsTotal  int   `json:"questions_total"`
		UnansweredTotal int   `json:"unanswered_total"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &s))
	require.Equal(t, 6, s.QuestionsTotal)
	require.Equal(t, 2, s.UnansweredTotal)
	// Every day of the range is there, one after another, the quiet ones
	// with nothing.
	for name, series := range map[string][]day{"questions": s.Questions, "hotline": s.Hotline} {
		require.Len(t, series, s.Days, name)
		for i := 1; i < len(series); i++ {
			prev, err := time.Parse(time.DateOnly, series[i-1].Date)
			require.NoError(t, err, name)
			require.Equal(t, prev.AddDate(0, 0, 1).Format(time.DateOnly), series[i].Date, name)
		}
		require.Zero(t, series[0].Total, "%s: nothing asked %d days ago", name, s.Days-1)
	}
}

func TestCampaignPauseResumeCancel(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 4)
	// No dispatcher runs: the messages stay queued while we steer.
	c := st.client(t)
	csrf := c.login("admin", adminPW)
	resp, body := c.api("POST", "/console/api/campaigns/preview", csrf,
		`{"name":"承诺提醒","template":"review_notice","window":"08:00-20:00","rate":10}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `"count":4`)
	resp, body = c.api("POST", "/console/api/campaigns", csrf,
		`{"name":"","template":"review_notice","window":"08:00-20:00","rate":10}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	require.Contains(t, body, "name")
	resp, body = c.api("POST", "/console/api/campaigns", csrf,
		`{"name":"承诺提醒","template":"review_notice","window":"08:00-20:00","rate":10}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	var cp struct {
		ID     int64          `json:"id"`
		State  string         `json:"status"`
		Counts map[string]int `json:"counts"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &cp))
	path := fmt.Sprintf("/console/api/campaigns/%d", cp.ID)
	for _, step := range []struct {
		action, state string
		status        int
	}{
		{"pause", "", http.StatusConflict}, // a draft is not running
		{"start?force=1", "running", http.StatusOK},
		{"pause", "paused", http.StatusOK},
		{"pause", "", http.StatusConflict},
		{"resume", "running", http.StatusOK},
		{"cancel", "cancelled", http.StatusOK},
		{"resume", "", http.StatusConflict},
		{"explode", "", http.StatusNotFound},
	} {
		resp, body := c.api("POST", path+"/"+step.action, csrf, "")
		require.Equal(t, step.status, resp.StatusCode, "%s: %s", step.action, body)
		if step.state != "" {
			require.NoError(t, json.Unmarshal([]byte(body), &cp))
			require.Equal(t, step.state, cp.State, step.action)
		}
	}
	for _, a := range []string{"campaign.start", "campaign.pause", "campaign.resume", "campaign.cancel"} {
		require.Equal(t, 1, auditCount(t, st, a, fmt.Sprint(cp.ID)), a)
	}
	// A hotline account may not steer campaigns.
	h := st.client(t)
	hcsrf := h.login("hotline", hotlinePW)
	resp, _ = h.api("POST", path+"/pause", hcsrf, "")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestHandoffReplyNotDelivered(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	// A channel with no deliverer wired: the reply is kept, staff are told.
	tk, _, err := st.desk.Open(context.Background(), handoff.Request{Chat: chat.Address{Channel: "web", ID: "55"}, Reason: "unanswered",
		Transcript: []handoff.Turn{{Author: handoff.AuthorResident, Text: "有人吗"}}})
	require.NoError(t, err)
	c := st.client(t)
	csrf := c.login("hotline", hotlinePW)
	path := fmt.Sprintf("/console/handoffs/%d", tk.ID)
	resp, body := c.postForm(path+"/reply", url.Values{"csrf": {csrf}, "text": {"您好，我们稍后给您回电。"}})
	require.Equal(t, http.StatusBadGateway, resp.StatusCode)
	require.Contains(t, body, "没能送达")
	require.Contains(t, body, "我们稍后给您回电", "the reply stays on the ticket")
	resp, _ = c.postForm(path+"/reply", url.Values{"csrf": {csrf}, "text": {"   "}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestCampaignOwnText(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 2)
	c := st.client(t)
	csrf := c.login("bureau", bureauPW)
	form := url.Values{"csrf": {csrf}, "name": {"发放日调整"}, "template": {"notice"}, "window_start": {"09:00"}, "window_end": {"20:00"}, "rate": {"5"}, "op": {"preview"}}
	resp, body := c.postForm("/console/campaigns", form)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "请填写要告诉居民的内容")
	form.Set("text", "本月起低保金每月 10 日发放。")
	resp, body = c.postForm("/console/campaigns", form)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "本月起低保金每月 10 日发放。")
	require.Contains(t, body, `id="preview-count">2<`)
}

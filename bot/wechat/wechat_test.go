package wechat_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/wechat"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/internal/wechattest"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
)

var testKey = bytes.Repeat([]byte{9}, 32)

// noon in Shanghai on 2026-03-02, inside the sending window.
var testNow = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

// bundle is the whole resident side on a fresh database with WeChat as
// its channel: the real SDK against the loopback stand-in.
type bundle struct {
	pool *pgxpool.Pool
	wx   *wechattest.Server
	snd  *wechat.Sender
	desk *handoff.Desk
	out  *outreach.Service
	eng  *bot.Engine
}

func setup(t *testing.T, opts ...wechattest.Option) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{pool: testdb.New(t)}
	kb := knowledge.New(b.pool, knowledge.NewBuiltin(), knowledge.Options{})
	_, err := kb.Ingest(ctx, fixtures.Corpus(t))
	require.NoError(t, err)
	b.wx = wechattest.New(opts...)
	t.Cleanup(b.wx.Close)
	b.snd, err = wechat.NewSender(b.pool, config.WeChat{
		AppID: b.wx.AppID, AppSecret: b.wx.AppSecret, Token: b.wx.Token, AESKey: b.wx.AESKey,
		APIURL: b.wx.URL(), Templates: map[string]string{"review": "tpl-review"},
	})
	require.NoError(t, err)
	router := chat.Router{wechat.Channel: b.snd}
	b.desk = handoff.New(b.pool, router)
	b.out, err = outreach.New(b.pool, outreach.Config{DataKey: testKey, Sender: router, Rate: 25,
		Limits:       map[string]chat.Limits{wechat.Channel: wechat.Limits},
		PollInterval: 50 * time.Millisecond, Now: func() time.Time { return testNow }})
	require.NoError(t, err)
	b.eng, err = bot.New(bot.Config{
		Pool: b.pool, Answerer: kb, Desk: b.desk, Hotline: "12345", RateBurst: 100,
		Wizard:    bot.EligibilityWizard{W: &eligibility.Wizard{Hotline: "12345"}},
		Enrolment: bot.OutreachEnrolment{S: b.out},
		Channels:  map[string]chat.Limits{wechat.Channel: wechat.Limits},
	})
	require.NoError(t, err)
	rc := wechat.NewReceiver(b.eng, b.snd, wechat.Options{})
	mux := http.NewServeMux()
	rc.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b.wx.SetCallback(srv.URL + "/wechat")
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rc.Run(rctx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	return b
}

func wait(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// say sends text and returns the resident's next message, however it came
// (the callback's reply, or the customer-service API).
func (b *bundle) say(t *testing.T, user, text string) wechattest.Message {
	t.Helper()
	n := len(b.wx.Inbox(user))
	_, err := b.wx.Send(wait(t), user, text)
	require.NoError(t, err)
	got, err := b.wx.WaitInbox(wait(t), user, n+1)
	require.NoError(t, err)
	return got[n]
}

// until waits for the messages after the first n to contain want, and
// returns them joined.
func (b *bundle) until(t *testing.T, user string, n int, want string) string {
	t.Helper()
	for k := n + 1; ; k++ {
		got, err := b.wx.WaitInbox(wait(t), user, k)
		require.NoError(t, err)
		var all strings.Builder
		for _, m := range got[n:] {
			all.WriteString(m.Text + "\n")
		}
		if strings.Contains(all.String(), want) {
			return all.String()
		}
	}
}

// numberOf finds the number a choice is listed with.
func numberOf(t *testing.T, text, label string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if n, rest, ok := strings.Cut(line, ". "); ok && strings.Contains(rest, label) {
			return n
		}
	}
	t.Fatalf("no choice %q in:\n%s", label, text)
	return ""
}

func nid(n int) string {
	first := fmt.Sprintf("52010219600101%03d", n)
	return first + string(pii.NationalIDCheckChar(first))
}

func TestResidentOnWeChat(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	const user = "oResident-0001"

	// A forged callback is refused and changes nothing.
	d, err := b.wx.Forge(wait(t), user, "人工")
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, d.Status)
	require.Empty(t, b.wx.Inbox(user))

	// A question gets the answer with its sources.
	m := b.say(t, user, "贵州2020年农村低保标准是多少？")
	require.Contains(t, m.Text, "4500")
	require.Contains(t, m.Text, "来源：")

	// WeChat delivering the same message twice gets one answer.
	n := len(b.wx.Inbox(user))
	ds, err := b.wx.SendTwice(wait(t), user, "低保渐退期一般给多长时间？")
	require.NoError(t, err)
	require.Len(t, ds, 2)
	_, err = b.wx.WaitInbox(wait(t), user, n+1)
	require.NoError(t, err)
	require.Empty(t, ds[1].Reply, "the repeat is acknowledged, not answered again")

	// The pre-check, its choices typed as numbers.
	m = b.say(t, user, "/check")
	require.Contains(t, m.Text, "请回复数字选择")
	m = b.say(t, user, numberOf(t, m.Text, "贵州"))
	for _, s := range []string{"农村", "1", "七十岁", "二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1"} {
		m = b.say(t, user, s)
		require.NotContains(t, m.Text, "这个问题我答不好", "step %q went to Q&A", s)
	}
	// The verdict is longer than one WeChat message: it comes in parts.
	n = len(b.wx.Inbox(user))
	_, err = b.wx.Send(wait(t), user, "否")
	require.NoError(t, err)
	verdict := b.until(t, user, n, "测算结束")
	require.Contains(t, verdict, "不是审批结果")

	// 人工 opens a ticket; the staff reply reaches WeChat, even after the
	// access token expired.
	m = b.say(t, user, "人工")
	require.Contains(t, m.Text, "工作人员")
	tickets, err := b.desk.List(ctx, handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	require.Equal(t, chat.Address{Channel: wechat.Channel, ID: user}, tickets[0].Chat)
	b.wx.ExpireTokens()
	n = len(b.wx.Inbox(user))
	reply, err := b.desk.Reply(ctx, tickets[0].ID, "王老师", "您好，请带户口本到乡镇办理。")
	require.NoError(t, err)
	require.NotNil(t, reply.DeliveredAt)
	got := b.wx.Inbox(user)
	require.Len(t, got, n+1)
	require.Equal(t, "custom", got[n].Via)
	require.Contains(t, got[n].Text, "请带户口本到乡镇办理")
}

func TestBindingAndRemindersOnWeChat(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	const user = "oGrandma-0002"
	csv := "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n" +
		"W0001,王奶奶," + nid(1) + ",,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,2025-12-01\n"
	_, err := b.out.Import(ctx, strings.NewReader(csv), false)
	require.NoError(t, err)
	codes, err := b.out.IssueCodes(ctx, []string{"W0001"}, "", 0)
	require.NoError(t, err)

	// The letter's QR code: following by scanning it binds the household.
	ticket, image, err := b.snd.BindingQR(ctx, codes[0].Code)
	require.NoError(t, err)
	require.Contains(t, image, ticket)
	_, err = b.wx.Subscribe(wait(t), user, ticket)
	require.NoError(t, err)
	got, err := b.wx.WaitInbox(wait(t), user, 1)
	require.NoError(t, err)
	require.Contains(t, got[0].Text, "绑定成功")
	var channel, id string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT chat_channel, chat_id FROM outreach_households WHERE household_id = 'W0001'`).Scan(&channel, &id))
	require.Equal(t, []string{wechat.Channel, user}, []string{channel, id})

	// Two days later the customer-service window is closed: the review
	// reminder arrives as a template message.
	b.wx.Advance(49 * time.Hour)
	_, err = b.out.Remind(ctx, testNow, false)
	require.NoError(t, err)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.out.Run(rctx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	got, err = b.wx.WaitInbox(wait(t), user, 2)
	require.NoError(t, err)
	require.Equal(t, "template", got[1].Via)
	require.Equal(t, "tpl-review", got[1].TemplateID)
	require.Contains(t, got[1].Data["remark"], "知晓")

	// 知晓 counts as the acknowledgement.
	require.Eventually(t, func() bool {
		r, err := b.out.Report(ctx, nil)
		return err == nil && r.Counts.Sent == 1
	}, 30*time.Second, 50*time.Millisecond)
	m := b.say(t, user, "知晓")
	require.Contains(t, m.Text, "已记录")
	r, err := b.out.Report(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 1, r.Counts.Acknowledged)

	// Unfollowing opts the household out.
	_, err = b.wx.Unsubscribe(wait(t), user)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var out bool
		return b.pool.QueryRow(ctx, `SELECT opted_out_at IS NOT NULL FROM outreach_households WHERE household_id = 'W0001'`).Scan(&out) == nil && out
	}, 30*time.Second, 50*time.Millisecond)
}

// TestTemplateQuotaAndUnfollowAreTypedErrors: what WeChat refuses comes
// back as chat's errors, which outreach turns into staff follow-ups.
func TestTemplateQuotaAndUnfollowAreTypedErrors(t *testing.T) {
	b := setup(t, wechattest.WithTemplateQuota(0))
	ctx := context.Background()
	const user = "oQuota-0003"
	b.say(t, user, "你好")
	b.wx.Advance(49 * time.Hour)
	to := chat.Address{Channel: wechat.Channel, ID: user}
	_, err := b.snd.Send(ctx, to, chat.Message{Text: "工作人员回复"})
	var outside *chat.OutOfWindowError
	require.ErrorAs(t, err, &outside, "a reply after 48 hours")
	_, err = b.snd.Send(ctx, to, chat.Message{Text: "复核提醒", Kind: "review"})
	var limited *chat.RateLimitedError
	require.ErrorAs(t, err, &limited, "the day's templates are used up")
	require.Positive(t, limited.RetryAfter)
	_, err = b.snd.Send(ctx, to, chat.Message{Text: "别的提醒", Kind: "phaseout"})
	require.ErrorAs(t, err, &outside, "no template for this kind")
	_, err = b.wx.Unsubscribe(wait(t), user)
	require.NoError(t, err)
	_, err = b.snd.Send(ctx, to, chat.Message{Text: "x", Kind: "review"})
	var blocked *chat.BlockedError
	require.ErrorAs(t, err, &blocked, "not following any more")
	require.Equal(t, 1, b.wx.Calls("/cgi-bin/token"), "one token for all of it")
}

// TestHouseholdDescriptionOffersThePreCheckOnWeChat: a resident who
// describes their household gets the answer and, since WeChat has no
// buttons, the pre-check as a numbered choice; typing its number starts
// the pre-check.
func TestHouseholdDescriptionOffersThePreCheckOnWeChat(t *testing.T) {
	b := setup(t)
	const user = "oResident-0017"
	m := b.say(t, user, "我家老人瘫痪在床没人照顾能申请什么")
	require.Contains(t, m.Text, "请回复数字选择")
	require.NotContains(t, m.Text, "有帮助", "no feedback buttons where nothing can be pressed")
	m = b.say(t, user, numberOf(t, m.Text, "测一测能不能申请"))
	require.Contains(t, m.Text, "初步测算")
	require.Contains(t, m.Text, "您家在哪个地区")
}

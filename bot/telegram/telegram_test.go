package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
)

func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir)
		dir = parent
	}
	return filepath.Join(dir, "..", "shared", "corpus")
}

var testKey = bytes.Repeat([]byte{7}, 32)

// bundle is a whole resident bot on a fresh database, talking to a Bot API
// stand-in through the real go-telegram client.
type bundle struct {
	pool  *pgxpool.Pool
	tg    *telegramtest.Server
	kb    *knowledge.Service
	desk  *handoff.Desk
	out   *outreach.Service
	bot   *telegram.Bot
	stop  context.CancelFunc
	done  chan error
	hooks *httptest.Server
}

type setupOpts struct {
	tg      []telegramtest.Option
	webhook bool
}

func setup(t *testing.T, o setupOpts) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{pool: testdb.New(t)}
	b.kb = knowledge.New(b.pool, knowledge.NewBuiltin(), knowledge.Options{})
	_, err := b.kb.Ingest(ctx, corpusDir(t))
	require.NoError(t, err)
	b.tg = telegramtest.New(o.tg...)
	t.Cleanup(b.tg.Close)
	snd, err := telegram.NewSender(b.tg.Token(), b.tg.URL())
	require.NoError(t, err)
	b.desk = handoff.New(b.pool, chat.Router{telegram.Channel: snd})
	b.out, err = outreach.New(b.pool, outreach.Config{DataKey: testKey})
	require.NoError(t, err)
	if o.webhook {
		mux := http.NewServeMux()
		b.hooks = httptest.NewServer(mux)
		t.Cleanup(b.hooks.Close)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			if b.bot == nil {
				http.Error(w, "not yet", http.StatusServiceUnavailable)
				return
			}
			b.bot.WebhookHandler().ServeHTTP(w, r)
		})
	}
	b.start(t)
	return b
}

func (b *bundle) engine(t *testing.T) *bot.Engine {
	eng, err := bot.New(bot.Config{
		Pool: b.pool, Answerer: b.kb, Desk: b.desk, Hotline: "12345",
		Wizard:    bot.EligibilityWizard{W: &eligibility.Wizard{Hotline: "12345"}},
		Enrolment: bot.OutreachEnrolment{S: b.out},
		RateBurst: 100,
		Channels:  map[string]chat.Limits{telegram.Channel: telegram.Limits},
	})
	require.NoError(t, err)
	return eng
}

// start runs a new engine and adapter, as a freshly started process.
func (b *bundle) start(t *testing.T) {
	t.Helper()
	opt := telegram.Options{
		Token: b.tg.Token(), APIURL: b.tg.URL(), Workers: 4, PollTimeout: 3 * time.Second, TypingAfter: -1,
	}
	if b.hooks != nil {
		opt.WebhookURL, opt.WebhookSecret = b.hooks.URL+"/tg/hook", "s3cret-token"
	}
	tb, err := telegram.New(context.Background(), b.engine(t), opt)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	b.bot, b.stop, b.done = tb, cancel, make(chan error, 1)
	go func() { b.done <- tb.Run(ctx) }()
	t.Cleanup(func() { b.shutdown(t) })
}

func (b *bundle) shutdown(t *testing.T) {
	if b.stop == nil {
		return
	}
	b.stop()
	require.NoError(t, <-b.done)
	b.stop = nil
}

func wait(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var resident = telegramtest.User{FirstName: "李奶奶", LanguageCode: "zh-hans"}

// say sends text and returns the next message the bot sends back.
func (b *bundle) say(t *testing.T, chat int64, text string) telegramtest.SentMessage {
	t.Helper()
	n := len(b.tg.SentTo(chat))
	b.tg.SendText(chat, resident, text)
	msgs, err := b.tg.WaitForMessages(wait(t), chat, n+1)
	require.NoError(t, err, "after %q", text)
	return msgs[n]
}

// pressFor presses a button and returns the message the bot sends back.
func (b *bundle) pressFor(t *testing.T, chat int64, msg telegramtest.SentMessage, data string) telegramtest.SentMessage {
	t.Helper()
	n := len(b.tg.SentTo(chat))
	b.press(t, chat, msg, data)
	msgs, err := b.tg.WaitForMessages(wait(t), chat, n+1)
	require.NoError(t, err, "after pressing %q", data)
	return msgs[n]
}

// press presses a button on a bot message and returns the callback answer.
func (b *bundle) press(t *testing.T, chat int64, msg telegramtest.SentMessage, data string) telegramtest.CallbackAnswer {
	t.Helper()
	n := len(b.tg.Answered())
	id, err := b.tg.PressButton(chat, msg.MessageID, data)
	require.NoError(t, err)
	answers, err := b.tg.WaitForAnswers(wait(t), n+1)
	require.NoError(t, err)
	for _, a := range answers {
		if a.CallbackQueryID == id {
			return a
		}
	}
	t.Fatalf("callback %s not answered", id)
	return telegramtest.CallbackAnswer{}
}

func button(t *testing.T, m telegramtest.SentMessage, prefix string) string {
	t.Helper()
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b.CallbackData, prefix) {
			return b.CallbackData
		}
	}
	t.Fatalf("no button %q* on %q (buttons %v)", prefix, m.Text, m.Buttons())
	return ""
}

func TestWholeConversationOverLongPolling(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{tg: []telegramtest.Option{telegramtest.WithoutLimits()}})
	const chat = 5001

	m := b.say(t, chat, "/start")
	require.Contains(t, m.Text, "社会救助小助手")

	// A question answered with sources, "typing…" first, feedback buttons.
	m = b.say(t, chat, "贵州2020年农村低保标准是多少？")
	require.Contains(t, m.Text, "4500")
	require.Contains(t, m.Text, "来源：\n[1] ")
	require.Contains(t, b.tg.Actions(chat), "typing")
	down := button(t, m, "f:-1:")
	// Words, not 👍/👎: phones without an emoji font show boxes.
	var words []string
	for _, bt := range m.Buttons() {
		words = append(words, bt.Text)
	}
	require.Equal(t, []string{"有帮助", "没帮助"}, words)
	n := len(b.tg.SentTo(chat))
	a := b.press(t, chat, m, down)
	require.Contains(t, a.Text, "谢谢")
	_, err := b.tg.WaitForEdits(wait(t), chat, 1)
	require.NoError(t, err)
	now, ok := b.tg.Message(chat, m.MessageID)
	require.True(t, ok)
	require.Empty(t, now.Buttons(), "a vote spends the buttons")
	msgs, err := b.tg.WaitForMessages(wait(t), chat, n+1)
	require.NoError(t, err)
	require.Contains(t, msgs[n].Text, "我们会改进")

	// Photos get a clear answer.
	n = len(b.tg.SentTo(chat))
	b.tg.SendPhoto(chat, resident, "看看这个")
	msgs, err = b.tg.WaitForMessages(wait(t), chat, n+1)
	require.NoError(t, err)
	require.Contains(t, msgs[n].Text, "只能看懂文字")

	// The wizard to a verdict.
	m = b.say(t, chat, "/check")
	require.Contains(t, m.Text, "初步测算")
	m = b.pressFor(t, chat, m, "w:guizhou-2020")
	require.Contains(t, m.Text, "农村")
	// The buttons carry numbers, and typing one is pressing it.
	rural := ""
	for i, bt := range m.Buttons() {
		require.True(t, strings.HasPrefix(bt.Text, strconv.Itoa(i+1)+". "), "button %q", bt.Text)
		if bt.CallbackData == "w:rural" {
			rural = strconv.Itoa(i + 1)
		}
	}
	require.NotEmpty(t, rural, "buttons %v", m.Buttons())
	m = b.say(t, chat, rural)
	require.Contains(t, m.Text, "几口人")
	for _, s := range []string{"1", "七十岁", "二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1"} {
		b.say(t, chat, s)
	}
	m = b.say(t, chat, "否")
	require.Contains(t, m.Text, "不是审批结果")

	// A person: the ticket, and the staff reply reaching the chat.
	m = b.say(t, chat, "人工")
	require.Contains(t, m.Text, "工作人员")
	tickets, err := b.desk.List(context.Background(), handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	tk, err := b.desk.Get(context.Background(), tickets[0].ID)
	require.NoError(t, err)
	require.Greater(t, len(tk.Messages), 4, "the conversation so far comes along")
	n = len(b.tg.SentTo(chat))
	_, err = b.desk.Reply(context.Background(), tk.ID, "王老师", "李奶奶您好，明天上午我给您回电话。")
	require.NoError(t, err)
	msgs, err = b.tg.WaitForMessages(wait(t), chat, n+1)
	require.NoError(t, err)
	require.Contains(t, msgs[n].Text, "明天上午我给您回电话")
}

func TestBindingCodeAndStop(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{tg: []telegramtest.Option{telegramtest.WithoutLimits()}})
	ctx := context.Background()
	first := "520102198001010017"
	first = first[:17] + string(pii.NationalIDCheckChar(first[:17]))
	csv := "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n" +
		fmt.Sprintf("H0001,张三,%s,13800000001,guizhou-2020,rural,dibao,2025-06-01,2026-12-16,,2025-12-01\n", first)
	res, err := b.out.Import(ctx, strings.NewReader(csv), false)
	require.NoError(t, err, "%+v", res)
	codes, err := b.out.IssueCodes(ctx, []string{"H0001"}, "safetynet_test_bot", 0)
	require.NoError(t, err)
	require.Len(t, codes, 1)

	const chat = 5002
	m := b.say(t, chat, "/stop")
	require.Contains(t, m.Text, "还没有和家庭绑定")
	m = b.say(t, chat, "/start WRONGCODE2")
	require.Contains(t, m.Text, "绑定码不对")
	m = b.say(t, chat, "/start "+codes[0].Code)
	require.Contains(t, m.Text, "绑定成功")
	require.NotContains(t, m.Text, "张三", "the name is shown masked")
	m = b.say(t, 5003, "/start "+codes[0].Code)
	require.Contains(t, m.Text, "已经用过了")
	m = b.say(t, chat, "/stop")
	require.Contains(t, m.Text, "不再给您发提醒")
	m = b.say(t, chat, "订阅")
	require.Contains(t, m.Text, "继续给您发提醒")
	m = b.say(t, chat, "退订")
	require.Contains(t, m.Text, "不再给您发提醒")
}

func TestRestartMidWizard(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{tg: []telegramtest.Option{telegramtest.WithoutLimits()}})
	const chat = 5004
	m := b.say(t, chat, "/check")
	m = b.pressFor(t, chat, m, "w:guizhou-2020")
	require.Contains(t, m.Text, "农村")
	for _, s := range []string{"农村", "1", "七十岁"} {
		b.say(t, chat, s)
	}
	// The process stops and a new one (new engine, new adapter) starts.
	b.shutdown(t)
	b.start(t)
	for _, s := range []string{"二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1"} {
		m = b.say(t, chat, s)
		require.NotContains(t, m.Text, "我们重新开始", "the wizard carried on")
	}
	m = b.say(t, chat, "否")
	require.Contains(t, m.Text, "不是审批结果")
}

func TestRetriesAfter429(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	b.tg.Inject429(2, 1)
	m := b.say(t, 5005, "/help")
	require.Contains(t, m.Text, "我能帮您做这些事")
	require.GreaterOrEqual(t, b.tg.Count429(), 2)
}

func TestWebhookSecretAndDuplicates(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{tg: []telegramtest.Option{telegramtest.WithoutLimits()}, webhook: true})
	require.Equal(t, "/tg/hook", b.bot.WebhookPath())
	require.NoError(t, b.tg.WaitFor(wait(t), func() bool { return b.tg.Webhook().URL != "" }))

	// Updates come through the webhook with the secret.
	const chat = 5006
	m := b.say(t, chat, "/help")
	require.Contains(t, m.Text, "我能帮您做这些事")

	update := fmt.Sprintf(`{"update_id": 777001, "message": {"message_id": 9001, "date": %d,
		"chat": {"id": %d, "type": "private"}, "from": {"id": %d, "is_bot": false, "first_name": "李"}, "text": "帮助"}}`,
		time.Now().Unix(), chat, chat)
	post := func(secret string) int {
		req, err := http.NewRequest(http.MethodPost, b.hooks.URL+"/tg/hook", strings.NewReader(update))
		require.NoError(t, err)
		if secret != "" {
			req.Header.Set(telegram.SecretHeader, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	before := len(b.tg.SentTo(chat))
	require.Equal(t, http.StatusUnauthorized, post(""))
	require.Equal(t, http.StatusUnauthorized, post("wrong"))
	require.Len(t, b.tg.SentTo(chat), before, "refused requests do nothing")

	// The same update twice is answered once. The handler replies after
	// handling, so the count is settled when the second post returns.
	require.Equal(t, http.StatusOK, post("s3cret-token"))
	require.Equal(t, http.StatusOK, post("s3cret-token"))
	require.Len(t, b.tg.SentTo(chat), before+1)
}

func TestShutdownFinishesTheUpdateInHand(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{tg: []telegramtest.Option{telegramtest.WithoutLimits()}})
	const chat = 5007
	b.tg.SendText(chat, resident, "贵州2020年农村低保标准是多少？")
	// "typing…" is sent when the update is in hand, before the answer.
	require.NoError(t, b.tg.WaitFor(wait(t), func() bool { return len(b.tg.Actions(chat)) > 0 }))
	b.shutdown(t)
	sent := b.tg.SentTo(chat)
	require.Len(t, sent, 1, "the answer went out before Run returned")
	require.Contains(t, sent[0].Text, "4500")
}

// TestHouseholdDescriptionOffersThePreCheck: a resident who describes
// their household gets the answer with a numbered button that starts the
// pre-check; pressing it, or typing its number, starts it.
func TestHouseholdDescriptionOffersThePreCheck(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{tg: []telegramtest.Option{telegramtest.WithoutLimits()}})
	const chat = 5017
	m := b.say(t, chat, "我家老人瘫痪在床没人照顾能申请什么")
	offer := ""
	for _, bt := range m.Buttons() {
		if bt.CallbackData == "k" {
			offer = bt.Text
		}
	}
	require.Regexp(t, `^[0-9]+\. 测一测能不能申请$`, offer, "buttons %v", m.Buttons())
	require.Contains(t, m.Text, "测一测")
	w := b.pressFor(t, chat, m, "k")
	require.Contains(t, w.Text, "初步测算")

	// The same offer, its number typed.
	_ = b.say(t, chat, "取消")
	m = b.say(t, chat, "我家老人瘫痪在床没人照顾能申请什么")
	num := ""
	for _, bt := range m.Buttons() {
		if bt.CallbackData == "k" {
			num, _, _ = strings.Cut(bt.Text, ".")
		}
	}
	require.NotEmpty(t, num)
	w = b.say(t, chat, num)
	require.Contains(t, w.Text, "初步测算")
}

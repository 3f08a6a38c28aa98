package bot_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// web is a chat of a channel that answers only (no reminders), with buttons.
func web(id int64) chat.Address { return chat.Address{Channel: "web", ID: strconv.FormatInt(id, 10)} }

func text(id int64, s string) bot.Event {
	return bot.Event{Address: web(id), Kind: bot.KindText, Text: s}
}

func press(id int64, data string) bot.Event {
	return bot.Event{Address: web(id), Kind: bot.KindChoice, Choice: data}
}

// buttons maps each button's words, without the number of a numbered
// choice, to its data.
func buttons(r bot.Reply) map[string]string {
	out := map[string]string{}
	for _, row := range r.Buttons {
		for _, b := range row {
			out[choiceWords(b.Text)] = b.Data
		}
	}
	return out
}

// choiceWords drops the "2. " the engine puts before a choice's words.
func choiceWords(s string) string {
	if n, rest, ok := strings.Cut(s, ". "); ok {
		if _, err := strconv.Atoi(n); err == nil {
			return rest
		}
	}
	return s
}

func TestQuestionAnsweredWithSourcesAndFeedback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(1, "贵州2020年农村低保标准是多少？"))
	require.NoError(t, err)
	require.Len(t, res.Replies, 1)
	r := res.Replies[0]
	require.Contains(t, r.Text, "4500")
	require.Contains(t, r.Text, "来源：\n[1] ")
	require.Contains(t, r.Text, "贵州省民政兜底脱贫攻坚三年行动计划")
	require.NotEmpty(t, r.Sources)
	b := buttons(r)
	up, down := b["有帮助"], b["没帮助"]
	require.True(t, strings.HasPrefix(up, "f:1:"), "buttons: %v", b)
	require.True(t, strings.HasPrefix(down, "f:-1:"))
	for _, row := range r.Buttons {
		for _, bt := range row {
			requireNoEmoji(t, bt.Text)
		}
	}

	// Another resident cannot vote on this answer.
	res, err = f.eng.Handle(ctx, press(2, down))
	require.NoError(t, err)
	require.Equal(t, "这个按钮已经过期了。", res.Notice)

	res, err = f.eng.Handle(ctx, press(1, down))
	require.NoError(t, err)
	require.True(t, res.ClearButtons)
	require.Contains(t, res.Notice, "谢谢")

	disliked, err := f.log.Disliked(ctx, 10)
	require.NoError(t, err)
	require.Len(t, disliked, 1)
	require.Equal(t, "贵州2020年农村低保标准是多少？", disliked[0].Question)
	require.True(t, disliked[0].Answered)
	require.Contains(t, disliked[0].Answer, "4500")
	require.NotEmpty(t, disliked[0].Sources)

	days, err := f.log.Daily(ctx, 7, nil)
	require.NoError(t, err)
	require.Len(t, days, 7)
	require.Equal(t, 1, days[6].Asked)
	require.Equal(t, 1, days[6].Disliked)
}

func TestPersonalDataRedactedAndWarned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(3, "我的身份证是520102199003071234，电话13812345678，低保怎么申请？"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(res.Replies[0].Text, "为了您的安全，请不要"), res.Replies[0].Text)
	recent, err := f.log.Recent(ctx, 10)
	require.NoError(t, err)
	require.Len(t, recent, 1)
	require.NotContains(t, recent[0].Question, "520102199003071234")
	require.NotContains(t, recent[0].Question, "13812345678")
	require.Contains(t, recent[0].Question, "[身份证号已隐去]")
}

func TestUnansweredTwiceHandsOverWithMaskedTranscript(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(4, "火星上的天气怎么样？我电话13812345678"))
	require.NoError(t, err)
	require.Contains(t, buttons(res.Replies[0]), "找工作人员")
	tickets, err := f.desk.List(ctx, "")
	require.NoError(t, err)
	require.Empty(t, tickets)

	res, err = f.eng.Handle(ctx, text(4, "足球比赛几点开始？"))
	require.NoError(t, err)
	require.Len(t, res.Replies, 2)
	require.Contains(t, res.Replies[1].Text, "已经请工作人员来帮您")

	tickets, err = f.desk.List(ctx, handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	require.Equal(t, "unanswered", tickets[0].Reason)
	tk, err := f.desk.Get(ctx, tickets[0].ID)
	require.NoError(t, err)
	var all strings.Builder
	for _, m := range tk.Messages {
		all.WriteString(m.Author + ": " + m.Text + "\n")
	}
	require.Contains(t, all.String(), "火星上的天气")
	require.Contains(t, all.String(), "足球比赛")
	require.NotContains(t, all.String(), "13812345678")

	unanswered, err := f.log.Unanswered(ctx, 10)
	require.NoError(t, err)
	require.Len(t, unanswered, 2)
}

func TestContactOpensOneTicket(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for _, word := range []string{"/contact", "人工", "找人"} {
		res, err := f.eng.Handle(ctx, text(5, word))
		require.NoError(t, err)
		require.NotEmpty(t, res.Replies)
	}
	tickets, err := f.desk.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	require.Equal(t, "asked", tickets[0].Reason)

	// While staff handle the chat, what the resident writes reaches them
	// too (masked), and the bot still answers.
	res, err := f.eng.Handle(ctx, text(5, "还有，我电话13812345678，低保标准是多少？"))
	require.NoError(t, err)
	require.NotEmpty(t, res.Replies)
	tk, err := f.desk.Get(ctx, tickets[0].ID)
	require.NoError(t, err)
	last := tk.Messages[len(tk.Messages)-1]
	require.Equal(t, handoff.AuthorResident, last.Author)
	require.Contains(t, last.Text, "低保标准是多少")
	require.NotContains(t, last.Text, "13812345678")
}

func TestCommandsAndPlainWords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) { c.RateBurst = 100 })
	ctx := context.Background()
	cases := []struct {
		in   bot.Event
		want string
	}{
		{text(6, "/start"), "社会救助小助手"},
		{text(6, "/help"), "我能帮您做这些事"},
		{text(6, "帮助"), "我能帮您做这些事"},
		{text(6, "/cancel"), "现在没有要取消的步骤"},
		{text(6, "/stop"), "这里的聊天不会给您发提醒"},
		{text(6, "退订"), "这里的聊天不会给您发提醒"},
		{text(6, "/start ABCD234567"), "这里的聊天不会给您发提醒"},
		{text(6, "/nonsense"), "我能帮您做这些事"},
		{bot.Event{Address: web(6), Kind: bot.KindPhoto}, "只能看懂文字"},
		{bot.Event{Address: web(6), Kind: bot.KindSticker}, "只能看懂文字"},
		{text(6, strings.Repeat("低保", 400)), "消息太长了"},
		{text(6, "/check"), "初步测算"},
		{text(6, "算了"), "已经取消"},
		{text(6, "/check"), "初步测算"},
		{text(6, "停止"), "已经取消"},
	}
	for _, c := range cases {
		res, err := f.eng.Handle(ctx, c.in)
		require.NoError(t, err, c.in)
		require.NotEmpty(t, res.Replies, c.in)
		require.Contains(t, res.Replies[0].Text, c.want, c.in)
	}
	// An old wizard button outside the wizard is spent, not an error.
	res, err := f.eng.Handle(ctx, press(6, "w:yes"))
	require.NoError(t, err)
	require.Equal(t, "这个按钮已经过期了。", res.Notice)
}

func TestRepeatedEventHandledOnce(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	metrics, err := bot.NewMetrics(reg)
	require.NoError(t, err)
	f := newFixture(t, func(c *bot.Config) { c.Metrics = metrics })
	ctx := context.Background()
	ev := text(7, "低保怎么申请？")
	ev.EventID = "tg:42"
	res, err := f.eng.Handle(ctx, ev)
	require.NoError(t, err)
	require.False(t, res.Duplicate)
	res, err = f.eng.Handle(ctx, ev)
	require.NoError(t, err)
	require.True(t, res.Duplicate)
	require.Empty(t, res.Replies)
	recent, err := f.log.Recent(ctx, 10)
	require.NoError(t, err)
	require.Len(t, recent, 1)
	families, err := reg.Gather()
	require.NoError(t, err)
	outcomes := map[string]float64{}
	for _, mf := range families {
		if mf.GetName() != "safetynet_bot_events_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" {
					outcomes[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	require.Equal(t, map[string]float64{"answered": 1, "duplicate": 1}, outcomes)
}

func TestRateLimitAnswersPolitelyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) { c.RateBurst, c.RatePerSec = 2, 0.001 })
	ctx := context.Background()
	var got []string
	for range 4 {
		res, err := f.eng.Handle(ctx, text(8, "/help"))
		require.NoError(t, err)
		if len(res.Replies) > 0 {
			got = append(got, res.Replies[0].Text)
		} else {
			got = append(got, "")
		}
	}
	require.Contains(t, got[0], "我能帮您做这些事")
	require.Contains(t, got[1], "我能帮您做这些事")
	require.Contains(t, got[2], "您发得有点快")
	require.Empty(t, got[3], "told once, then quiet")
	// Another chat is not affected.
	res, err := f.eng.Handle(ctx, text(9, "/help"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "我能帮您做这些事")
}

func TestRepliesInResidentsLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	res, err := f.eng.Handle(ctx, text(10, "How much is the dibao standard in Guizhou?"))
	require.NoError(t, err)
	require.Equal(t, bot.LangEN, res.Lang)
	require.Contains(t, res.Replies[0].Text, "(The policy text below is in Chinese.)")

	res, err = f.eng.Handle(ctx, text(11, "請問低保怎麼申請？這個錢每個月給多少？"))
	require.NoError(t, err)
	require.Equal(t, bot.LangHant, res.Lang)
	res, err = f.eng.Handle(ctx, text(11, "/help"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "我能幫您做這些事")

	res, err = f.eng.Handle(ctx, text(12, "ياخشىمۇسىز، تۇرمۇش كاپالىتى"))
	require.NoError(t, err)
	require.Equal(t, bot.LangUyghur, res.Lang)
	require.Contains(t, res.Replies[0].Text, "خەنزۇچە")

	// /lang pins a language whatever the resident types next.
	res, err = f.eng.Handle(ctx, text(10, "/lang"))
	require.NoError(t, err)
	require.Contains(t, buttons(res.Replies[0]), "简体中文")
	res, err = f.eng.Handle(ctx, press(10, "l:zh-Hans"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "简体中文")
	res, err = f.eng.Handle(ctx, text(10, "help me please"))
	require.NoError(t, err)
	require.Equal(t, bot.LangHans, res.Lang)
}

func TestSwitchedOffSaysHotline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	_, err := switches.New(f.pool).Set(ctx, switches.ResidentQA, false, "answers wrong", "ops")
	require.NoError(t, err)
	res, err := f.eng.Handle(ctx, text(13, "低保怎么申请？"))
	require.NoError(t, err)
	require.Equal(t, "服务暂时不可用，请拨打热线 12345。", res.Replies[0].Text)
	// Asking for a person still works.
	res, err = f.eng.Handle(ctx, text(13, "人工"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "工作人员")
}

func TestDetectLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"低保怎么申请":          bot.LangHans,
		"低保怎麼申請，請問":       bot.LangHant,
		"how do I apply":  bot.LangEN,
		"تۇرمۇش كاپالىتى": bot.LangUyghur,
		"12345":           "",
		"👍":               "",
	} {
		require.Equal(t, want, bot.DetectLang(in), in)
	}
}

func TestWizardToVerdictSurvivesRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) { c.RateBurst = 100 })
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(20, "/check"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "初步测算")
	b := buttons(res.Replies[0])
	require.NotEmpty(t, b, "the region question offers buttons")
	var region string
	for _, d := range b {
		if d == "w:guizhou-2020" {
			region = d
		}
	}
	require.NotEmpty(t, region, "buttons: %v", b)
	res, err = f.eng.Handle(ctx, press(20, region))
	require.NoError(t, err)
	require.True(t, res.ClearButtons)

	steps := []string{"农村", "1", "七十岁", "二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1", "否"}
	for i, s := range steps {
		if i == 4 {
			f.restart(t) // a deploy mid-wizard: the next message carries on
		}
		res, err = f.eng.Handle(ctx, text(20, s))
		require.NoError(t, err, s)
		require.Len(t, res.Replies, 1, s)
		require.NotContains(t, res.Replies[0].Text, "这个问题我答不好", "step %q went to Q&A", s)
	}
	final := res.Replies[0].Text
	require.Contains(t, final, "不是审批结果")
	require.Contains(t, final, "测算结束")
	require.Contains(t, buttons(res.Replies[0]), "找工作人员")

	// The wizard is over: text is a question again.
	res, err = f.eng.Handle(ctx, text(20, "贵州2020年农村低保标准是多少？"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "来源：")
	recent, err := f.log.Recent(ctx, 10)
	require.NoError(t, err)
	require.Len(t, recent, 1, "wizard answers are not logged as questions")
}

func TestPruneForgetsOldEventIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := text(30, "/help")
	ev.EventID = "tg:1"
	_, err := f.eng.Handle(ctx, ev)
	require.NoError(t, err)
	_, err = f.pool.Exec(ctx, `UPDATE bot_seen_events SET seen_at = now() - interval '3 days'`)
	require.NoError(t, err)
	n, err := f.eng.Prune(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	res, err := f.eng.Handle(ctx, ev)
	require.NoError(t, err)
	require.False(t, res.Duplicate, "forgotten after the redelivery window")
}

// numberOf finds the number a numbered choice is shown with.
func numberOf(t *testing.T, text, label string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		n, rest, ok := strings.Cut(line, ". ")
		if ok && strings.Contains(rest, label) {
			return n
		}
	}
	t.Fatalf("no choice %q in:\n%s", label, text)
	return ""
}

func TestChannelWithoutButtonsGetsNumberedChoices(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) {
		c.RateBurst = 100
		c.Channels = map[string]chat.Limits{"plain": {Push: true}}
	})
	ctx := context.Background()
	plain := func(s string) bot.Event {
		return bot.Event{Address: chat.Address{Channel: "plain", ID: "o-abc"}, Kind: bot.KindText, Text: s}
	}
	res, err := f.eng.Handle(ctx, plain("/check"))
	require.NoError(t, err)
	r := res.Replies[0]
	require.Empty(t, r.Buttons, "no buttons on this channel")
	require.Contains(t, r.Text, "请回复数字选择：")
	res, err = f.eng.Handle(ctx, plain(numberOf(t, r.Text, "贵州")))
	require.NoError(t, err)
	require.NotContains(t, res.Replies[0].Text, "这个问题我答不好", "the number was taken as a question")

	for _, s := range []string{"农村", "1", "七十岁", "二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1", "否"} {
		res, err = f.eng.Handle(ctx, plain(s))
		require.NoError(t, err, s)
		require.NotContains(t, res.Replies[0].Text, "这个问题我答不好", "step %q went to Q&A", s)
	}
	final := res.Replies[0].Text
	require.Contains(t, final, "测算结束")
	// The verdict's "talk to a person" is a numbered choice too.
	res, err = f.eng.Handle(ctx, plain(numberOf(t, final, "找工作人员")))
	require.NoError(t, err)
	tickets, err := f.desk.List(ctx, handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	require.Equal(t, chat.Address{Channel: "plain", ID: "o-abc"}, tickets[0].Chat)

	// An answer carries no 👍/👎 here (there is nothing to press), and a
	// number typed when no choices are shown is just text.
	res, err = f.eng.Handle(ctx, plain("/cancel"))
	require.NoError(t, err)
	res, err = f.eng.Handle(ctx, plain("贵州2020年农村低保标准是多少？"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "来源：")
	require.NotContains(t, res.Replies[0].Text, "👍")
}

// TestButtonsAreNumberedAndNumbersTypedChoose: where buttons show, each
// carries its number, and typing the number does what pressing does; a
// number typed where no choices are shown stays an answer to the question.
func TestButtonsAreNumberedAndNumbersTypedChoose(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) { c.RateBurst = 100 })
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(40, "/check"))
	require.NoError(t, err)
	var guizhou string
	n := 0
	for _, row := range res.Replies[0].Buttons {
		for _, b := range row {
			n++
			require.True(t, strings.HasPrefix(b.Text, strconv.Itoa(n)+". "), "button %d: %q", n, b.Text)
			if b.Data == "w:guizhou-2020" {
				guizhou = strconv.Itoa(n)
			}
		}
	}
	require.NotEmpty(t, guizhou)

	res, err = f.eng.Handle(ctx, text(40, guizhou))
	require.NoError(t, err)
	r := res.Replies[0]
	require.Contains(t, r.Text, "城镇还是农村", "the typed number chose the region")
	rural := ""
	for k, d := range buttons(r) {
		if d == "w:rural" {
			rural = k
		}
	}
	require.Equal(t, "农村", rural)
	var num string
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Data == "w:rural" {
				num, _, _ = strings.Cut(b.Text, ".")
			}
		}
	}
	res, err = f.eng.Handle(ctx, text(40, num))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "几口人", "the typed number chose 农村")
	require.Empty(t, res.Replies[0].Buttons)

	// No choices on screen: "2" is the number of people, not a choice.
	res, err = f.eng.Handle(ctx, text(40, "2"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "您今年多大年纪")
	require.Contains(t, res.Replies[0].Text, "一位一位地问", "two people: asked one by one")
}

// TestHouseholdSituationOffersThePreCheck: a question that describes a
// household's situation gets, beside the answer, the offer of the
// pre-check; pressing it starts the pre-check. A plain policy question
// does not.
func TestHouseholdSituationOffersThePreCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(30, "我妈七十多岁一个人住，身体不好，能不能吃低保"))
	require.NoError(t, err)
	r := res.Replies[len(res.Replies)-1]
	require.Contains(t, r.Text, "测一测")
	b := buttons(r)
	require.Equal(t, "k", b["测一测能不能申请"], "buttons: %v", b)
	res, err = f.eng.Handle(ctx, press(30, "k"))
	require.NoError(t, err)
	require.Contains(t, res.Replies[0].Text, "初步测算")

	res, err = f.eng.Handle(ctx, text(31, "贵州2020年农村低保标准是多少？"))
	require.NoError(t, err)
	require.NotContains(t, buttons(res.Replies[0]), "测一测能不能申请")
}

// A ticket opened after wizard buttons shows the words the resident
// pressed, not the buttons' values.
func TestHandoffTranscriptShowsButtonWords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) { c.RateBurst = 100 })
	ctx := context.Background()
	res, err := f.eng.Handle(ctx, text(21, "/check"))
	require.NoError(t, err)
	var label, data string
	for l, d := range buttons(res.Replies[0]) {
		if d == "w:guizhou-2020" {
			label, data = l, d
		}
	}
	require.NotEmpty(t, data)
	_, err = f.eng.Handle(ctx, press(21, data))
	require.NoError(t, err)
	res, err = f.eng.Handle(ctx, text(21, "/contact"))
	require.NoError(t, err)
	require.NotEmpty(t, res.Replies)
	tickets, err := f.desk.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	tk, err := f.desk.Get(ctx, tickets[0].ID)
	require.NoError(t, err)
	var said []string
	for _, m := range tk.Messages {
		if m.Author == handoff.AuthorResident {
			said = append(said, m.Text)
		}
	}
	require.Contains(t, said, label)
	require.NotContains(t, said, "guizhou-2020")
}

// requireNoEmoji fails on characters that phones without an emoji font
// draw as empty boxes.
func requireNoEmoji(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		if r >= 0x1F000 || (r >= 0x2600 && r < 0x2800) || r == 0xFE0F {
			t.Fatalf("%q has the emoji %U", s, r)
		}
	}
}

// TestWizardUsesTheBureausProfilesInForce: the chat's pre-check offers the
// regions stored in the database and computes with the standard in force
// today, as the bureau last set it.
func TestWizardUsesTheBureausProfilesInForce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *bot.Config) {
		c.RateBurst = 100
		c.Wizard = bot.EligibilityWizard{W: &eligibility.Wizard{Hotline: "12345"},
			Regions: eligibility.NewStore(c.Pool), TZ: time.UTC}
	})
	ctx := context.Background()
	store := eligibility.NewStore(f.pool)
	require.NoError(t, store.Seed(ctx))
	versions, err := store.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	doc := versions[len(versions)-1].Document()
	save := func(doc map[string]any) {
		t.Helper()
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		_, _, err = store.Save(ctx, b, "测试")
		require.NoError(t, err)
	}
	doc["effective_from"] = "2025-01-01"
	doc["dibao_standard_monthly"].(map[string]any)["rural"] = 512
	save(doc)
	doc["id"], doc["name"], doc["effective_from"] = "ceshi-2025", "测试县（2025年）", "2025-06-01"
	save(doc)

	res, err := f.eng.Handle(ctx, text(60, "/check"))
	require.NoError(t, err)
	b := buttons(res.Replies[0])
	require.Equal(t, "w:ceshi-2025", b["测试县（2025年）"], "a region only the database has: %v", b)
	require.Equal(t, "w:guizhou-2020", b["贵州省（2020年）"])
	res, err = f.eng.Handle(ctx, press(60, "w:guizhou-2020"))
	require.NoError(t, err)
	for _, s := range []string{"农村", "1", "七十岁", "二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1", "否"} {
		res, err = f.eng.Handle(ctx, text(60, s))
		require.NoError(t, err, s)
	}
	require.Contains(t, res.Replies[0].Text, "当地低保标准：每人每月 512 元", "the standard saved by the bureau")
}

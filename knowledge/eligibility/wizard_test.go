package eligibility_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// converse feeds replies one by one and returns the final state, the last
// prompt and the result (nil if unfinished). Every prompt must be non-empty.
func converse(t *testing.T, w *eligibility.Wizard, st eligibility.WizardState, replies ...string) (eligibility.WizardState, eligibility.Prompt, *eligibility.Result) {
	t.Helper()
	var p eligibility.Prompt
	var res *eligibility.Result
	for _, r := range replies {
		var err error
		st, p, res, err = w.Step(st, r)
		require.NoError(t, err, "reply %q", r)
		require.NotEmpty(t, p.Text, "reply %q", r)
	}
	return st, p, res
}

func TestWizardFullConversation(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{Hotline: "96110"}
	st, p := w.Start()
	require.Equal(t, "region", p.Key)
	require.NotEmpty(t, p.Choices)

	// A lone elder in rural Guizhou, like eval case 01.
	st, p, res := converse(t, w, st, "guizhou-2020", "农村", "1", "七十岁", "二百块", "否", "3", "没有残疾", "没有", "没有", "没有", "1", "否")
	require.NotNil(t, res, "last prompt: %s", p.Text)
	require.True(t, st.Done)
	require.Equal(t, eligibility.Eligible, res.Program(eligibility.Dibao).Verdict)
	require.Equal(t, eligibility.Eligible, res.Program(eligibility.Tekun).Verdict)
	require.Equal(t, []int{0}, res.Program(eligibility.Tekun).Members)
	require.Equal(t, 200.0, res.PerCapita.BeforeRigid)
	require.Equal(t, res.Text(), p.Text, "the chat shows the same report as the CLI")
	require.Contains(t, p.Text, "不是审批结果")

	h, err := w.Household(st)
	require.NoError(t, err)
	require.Equal(t, 70, h.Members[0].Age)
	require.Equal(t, eligibility.LaborNone, h.Members[0].LaborCapacity)
	require.Equal(t, eligibility.SupportersNone, h.Members[0].Supporters)
}

func TestWizardEvalHouseholdWithDefaultRegion(t *testing.T) {
	t.Parallel()
	// Eval case 03 (medical costs) answered in chat, region preset.
	w := &eligibility.Wizard{DefaultRegion: "guizhou-2020"}
	st, p := w.Start()
	require.Equal(t, "area", p.Key, "default region skips the region question")
	st, p, res := converse(t, w, st,
		"2", "3口人",
		"45", "900", "是", "能正常干活", "没有", "否",
		"44", "600", "是", "1", "1", "否",
		"70", "0", "否", "完全干不了活", "没有残疾", "是", "有，能供养",
		"600", "0", "没有", "否")
	require.NotNil(t, res, p.Text)
	require.Equal(t, 500.0, res.PerCapita.BeforeRigid)
	require.Equal(t, 300.0, res.PerCapita.AfterRigid)
	require.Equal(t, eligibility.Eligible, res.Program(eligibility.DibaoExpenditure).Verdict)
	require.Equal(t, eligibility.NotEligible, res.Program(eligibility.Dibao).Verdict)
	require.True(t, st.Done)
}

func TestWizardReasksOnJunk(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{DefaultRegion: "guizhou-2020"}
	st, _ := w.Start()
	cases := []struct {
		reply, key, hint string
	}{
		{"火星", "area", "选项"},
		{"农村", "count", ""},
		{"很多", "count", "人数"},
		{"0", "count", "人数"},
		{"2", "age/0", ""},
		{"老了", "age/0", "年龄"},
		{"40", "income/0", ""},
		{"很多", "income/0", "比如 1500"},
		{"1500 2000", "income/0", "比如 1500"},
		{"-5", "income/0", "比如 1500"},
		{"一千五", "employed/0", ""},
		{"也许", "employed/0", "「是」或「否」"},
	}
	for _, c := range cases {
		before := st
		var p eligibility.Prompt
		var err error
		st, p, _, err = w.Step(st, c.reply)
		require.NoError(t, err)
		require.Equal(t, c.key, p.Key, "after %q", c.reply)
		if c.hint != "" {
			require.Contains(t, p.Text, c.hint, "after %q", c.reply)
			require.Equal(t, before, st, "junk changes nothing")
		}
	}
}

func TestWizardBackAndRestartMidway(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{DefaultRegion: "qinghai-2021"}
	st, _ := w.Start()
	st, p, _ := converse(t, w, st, "城镇", "2", "35")
	require.Equal(t, "income/0", p.Key)

	// Back twice: to the age, then to the household size, and change it.
	st, p, _ = converse(t, w, st, "上一步")
	require.Equal(t, "age/0", p.Key)
	st, p, _ = converse(t, w, st, "返回")
	require.Equal(t, "count", p.Key)
	st, p, _ = converse(t, w, st, "1", "35")
	require.Equal(t, "income/0", p.Key)
	require.Equal(t, []string{"urban", "1", "35"}, st.Answers)

	// The bot stores the state as JSON; a restarted process continues.
	b, err := json.Marshal(st)
	require.NoError(t, err)
	var restored eligibility.WizardState
	require.NoError(t, json.Unmarshal(b, &restored))
	require.Equal(t, st, restored)
	w2 := &eligibility.Wizard{DefaultRegion: "qinghai-2021"}
	p, err = w2.Resume(restored)
	require.NoError(t, err)
	require.Equal(t, "income/0", p.Key)
	st, p, res := converse(t, w2, restored, "没有", "否", "能正常干活", "没有残疾", "否", "否", "否", "没有", "没有", "否")
	require.NotNil(t, res, p.Text)
	// An idle able adult is counted at the minimum wage.
	require.Equal(t, 1700.0, res.PerCapita.BeforeRigid)
	require.Equal(t, eligibility.NotEligible, res.Program(eligibility.Dibao).Verdict)
	require.Contains(t, p.Text, "最低工资")

	// Back after the result reopens the last question; restart starts over.
	st, p, _ = converse(t, w2, st, "上一步")
	require.False(t, st.Done)
	require.Equal(t, "hardship", p.Key)
	st, p, res = converse(t, w2, st, "是", "一千")
	require.NotNil(t, res)
	require.Equal(t, eligibility.Refer, res.Program(eligibility.Temporary).Verdict)
	st, p, _ = converse(t, w2, st, "重新开始")
	require.Equal(t, "area", p.Key)
	require.Empty(t, st.Answers)
}

func TestWizardBadState(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{}
	for _, st := range []eligibility.WizardState{
		{Version: 99},
		{Version: 1, Answers: []string{"atlantis"}},
		{Version: 1, Region: "atlantis"},
		{Version: 1, Answers: []string{"guizhou-2020", "rural", "1", "500"}},
	} {
		ns, p, res, err := w.Step(st, "是")
		require.ErrorIs(t, err, eligibility.ErrWizardState)
		require.Nil(t, res)
		require.Empty(t, ns.Answers)
		require.Equal(t, "region", p.Key)
	}
}

func TestWizardCancelWords(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"取消", "退出", "/cancel", " 算了 "} {
		require.True(t, eligibility.IsCancel(in), in)
	}
	for _, in := range []string{"否", "没有", "上一步"} {
		require.False(t, eligibility.IsCancel(in), in)
	}
}

func TestWizardPromptsPlainChinese(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{DefaultRegion: "gongxian-2020"}
	st, p := w.Start()
	require.True(t, strings.HasPrefix(p.Text, "您好"))
	_, p, _ = converse(t, w, st, "农村", "1")
	require.Contains(t, p.Text, "您今年多大年纪")
}

// FuzzWizardStep: whatever a resident types, the wizard neither panics nor
// loses its state, and junk never advances the conversation.
func FuzzWizardStep(f *testing.F) {
	for _, s := range []string{"1", "农村", "上一步", "七十", "是", "abc", "", "重新开始", "1500 2000"} {
		f.Add(s, s)
	}
	w := &eligibility.Wizard{}
	f.Fuzz(func(t *testing.T, a, b string) {
		st, _ := w.Start()
		for _, in := range []string{"guizhou-2020", "rural", a, b, "2", b, a} {
			ns, p, _, err := w.Step(st, in)
			if err != nil {
				t.Fatalf("step %q: %v", in, err)
			}
			if p.Text == "" {
				t.Fatalf("empty prompt after %q", in)
			}
			raw, err := json.Marshal(ns)
			if err != nil {
				t.Fatal(err)
			}
			var back eligibility.WizardState
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Resume(back); err != nil {
				t.Fatalf("state after %q does not resume: %v", in, err)
			}
			st = back
		}
	})
}

// The region may be answered with the place one lives in: a county inside
// a listed province, or the listed county itself, in a sentence or alone.
// A place that only holds a listed one, or is not listed, is asked again.
func TestWizardRegionByPlaceName(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{}
	for reply, want := range map[string]string{
		"刚察县":      "qinghai-2021",
		"我家在海北州刚察": "qinghai-2021",
		"珙县":       "gongxian-2020",
		"贵州黔东南":    "guizhou-2020",
	} {
		st, _ := w.Start()
		st, p, _, err := w.Step(st, reply)
		require.NoError(t, err)
		require.Equal(t, "area", p.Key, "after %q", reply)
		require.Equal(t, []string{want}, st.Answers, "after %q", reply)
	}
	for _, reply := range []string{"宜宾", "四川", "北京", "俺们村"} {
		st, _ := w.Start()
		st2, p, _, err := w.Step(st, reply)
		require.NoError(t, err)
		require.Equal(t, "region", p.Key, "after %q", reply)
		require.Contains(t, p.Text, "暂时只有这几个地区", "after %q", reply)
		require.Equal(t, st, st2)
	}
}

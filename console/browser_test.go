package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/outreach"
)

// The console in a real browser: Debian's headless Chromium driven by
// chromedp, against the console wired to every real part. A screenshot of
// each page goes to artifacts/console/ at the module root (gitignored).
// Chromium missing is a failure, not a skip: `make test` installs it.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the browser tests need Chromium: run `make test-deps` (apt-get install -y chromium)")
	return ""
}

// artifactsDir is where screenshots go: SAFETYNET_SHOTS_DIR when set (a
// reviewer's folder outside the repository), else artifacts/console.
func artifactsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("SAFETYNET_SHOTS_DIR"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	out := filepath.Join(dir, "artifacts", "console")
	require.NoError(t, os.MkdirAll(out, 0o755))
	return out
}

// browser starts a fresh headless Chromium for the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	return ctx
}

type shooter struct {
	t   *testing.T
	ctx context.Context
	dir string
}

func (s shooter) shot(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	require.NoError(s.t, err, name)
	p := filepath.Join(s.dir, name+".png")
	require.NoError(s.t, os.WriteFile(p, png, 0o644))
	s.t.Logf("screenshot %s", p)
}

func (s shooter) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	require.NoError(s.t, chromedp.Do(s.ctx, steps...), what)
}

func (s shooter) text(sel string) string {
	s.t.Helper()
	txt, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(s.t, err, sel)
	return txt
}

// waitJS waits until a JavaScript condition holds on the page.
func (s shooter) waitJS(what, expr string) {
	s.t.Helper()
	// Evaluated again and again rather than with Poll: the page may reload
	// itself (a campaign changing state), which ends a Poll.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: condition never held (%s), last error %v", what, expr, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestBrowser(t *testing.T) {
	st := fullStack(t, "004_f3d72d4f8696011b.txt", "001_5a044e6a7ae10426.txt")
	st.enrol(t, 9)
	st.askedQuestions(t)
	tk := st.ticket(t, 4242)
	st.run(t)
	base := st.srv.URL
	s := shooter{t: t, ctx: browser(t), dir: artifactsDir(t)}

	// An unauthenticated visit lands on the login page.
	s.do("open answer page", chromedp.Navigate(base+"/console/answer"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	s.shot("01-login")
	s.do("log in",
		chromedp.SendKeys(chromedp.CSS("#name"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPW),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#ask-form")),
	)

	// Suggested answer for a caller's question.
	s.do("ask",
		chromedp.SendKeys(chromedp.CSS("#question"), "我出去打零工，来回车费能不能从收入里扣掉？"),
		chromedp.SetValue(chromedp.CSS("#region"), "guizhou-2020"),
		chromedp.Click(chromedp.CSS("#ask-button")),
		chromedp.WaitVisible(chromedp.CSS("#answer")),
	)
	require.Contains(t, s.text("#answer .sources"), "《", "the answer lists its sources, by title")
	require.NotContains(t, s.text("#answer .sources"), ".txt", "never by file name")
	// The page's script takes the click only once it has run; a click
	// before that submits the form the plain way and leaves the page.
	s.waitJS("page scripts ready", `document.readyState === "complete"`)
	s.do("rate", chromedp.Click(chromedp.CSS(`form.feedback button[value="1"]`)))
	s.waitJS("feedback recorded", `document.querySelector(".fb-status").textContent.includes("已记录")`)
	s.do("copy", chromedp.Click(chromedp.CSS("button.copy")))
	s.waitJS("copied", `document.querySelector("button.copy").textContent === "已复制"`)
	s.shot("02-answer")

	// A campaign: preview, then create, start and watch its progress.
	s.do("campaign form",
		chromedp.Navigate(base+"/console/campaigns"),
		chromedp.WaitVisible(chromedp.CSS("#campaign-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "复核材料提醒"),
		chromedp.SetValue(chromedp.CSS(`select[name=region]`), "guizhou-2020"),
		chromedp.SetValue(chromedp.CSS(`select[name=program]`), "dibao"),
		chromedp.SetValue(chromedp.CSS(`input[name=due_within]`), "30"),
		chromedp.SetValue(chromedp.CSS(`select[name=template]`), "review_notice"),
		chromedp.SetValue(chromedp.CSS(`input[name=window_start]`), "00:00"),
		chromedp.SetValue(chromedp.CSS(`input[name=window_end]`), "23:59"),
		chromedp.Click(chromedp.CSS("#preview-button")),
		chromedp.WaitVisible(chromedp.CSS("#preview")),
	)
	require.Equal(t, "9", s.text("#preview-count"))
	require.Contains(t, s.text(".samples"), "复核")
	s.shot("03-campaign-preview")
	s.do("create campaign",
		chromedp.Click(chromedp.CSS("#create-button")),
		chromedp.WaitVisible(chromedp.CSS("#start-button")),
		chromedp.Click(chromedp.CSS("#force")),
		chromedp.Click(chromedp.CSS("#start-button")),
		chromedp.WaitVisible(chromedp.CSS("#campaign-bar")),
	)
	// The page's script updates the counts as the dispatcher sends.
	s.waitJS("live progress", `document.querySelector('[data-status="sent"]').textContent === "5"`)
	s.shot("04-campaign-progress")

	// Handoff: claim the resident's ticket and answer through the bot.
	s.do("handoff queue",
		chromedp.Navigate(base+"/console/handoffs"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[data-ticket="%d"]`, tk.ID))),
	)
	s.shot("05-handoff-queue")
	s.do("claim",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[data-ticket="%d"]`, tk.ID))),
		chromedp.WaitVisible(chromedp.CSS("#claim")),
		chromedp.Click(chromedp.CSS("#claim")),
		chromedp.WaitVisible(chromedp.CSS("#reply-text")),
		chromedp.SendKeys(chromedp.CSS("#reply-text"), "您好，可以申请。请带上老人的身份证、户口本到乡镇民政办办理。"),
		chromedp.Click(chromedp.CSS("form.reply button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".msg.from-staff")),
	)
	require.Equal(t, "处理中", s.text("#ticket-status"))
	require.NotContains(t, s.text(".chat"), "13812345678")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := st.tg.WaitForMessages(ctx, 4242, 1)
	require.NoError(t, err, "the reply reached the resident")
	s.shot("06-handoff-ticket")

	// Eligibility pre-check, printable.
	s.do("check",
		chromedp.Navigate(base+"/console/check"),
		chromedp.WaitVisible(chromedp.CSS("#check-form")),
		chromedp.SetValue(chromedp.CSS(`input[name=m0_age]`), "45"),
		chromedp.SetValue(chromedp.CSS(`input[name=m0_income]`), "900"),
		chromedp.SetValue(chromedp.CSS(`select[name=m0_disability]`), "severe"),
		chromedp.SetValue(chromedp.CSS(`select[name=m0_labor]`), "none"),
		chromedp.Click(chromedp.CSS("#add-member")),
		chromedp.SetValue(chromedp.CSS(`input[name=m1_age]`), "12"),
		chromedp.SetValue(chromedp.CSS(`input[name=m1_income]`), "0"),
		chromedp.Click(chromedp.CSS(`input[name=m1_student]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=rigid]`), "300"),
		chromedp.Click(chromedp.CSS("#check-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#check-result")),
	)
	require.Contains(t, s.text("#check-result"), "最低生活保障")
	s.shot("07-check")

	// Households: search, timeline, follow-ups.
	s.do("household",
		chromedp.Navigate(base+"/console/households?q=GZ-0001"),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
		chromedp.Click(chromedp.CSS(`a[href="/console/households/GZ-0001"]`)),
		chromedp.WaitVisible(chromedp.CSS(".timeline")),
	)
	s.shot("08-household")
	s.do("follow-ups", chromedp.Navigate(base+"/console/followups"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	require.Contains(t, s.text("table.list"), "GZ-0002")
	s.shot("09-followups")

	// Knowledge: upload a document; the problem questions are listed.
	s.do("upload",
		chromedp.Navigate(base+"/console/knowledge"),
		chromedp.WaitVisible(chromedp.CSS("#upload-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#documents"), []string{filepath.Join(corpusDir(t), "000_af371565f628b411.txt")}),
		chromedp.Click(chromedp.CSS("#upload-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".alert.ok")),
	)
	body := s.text("main")
	require.Contains(t, body, "000_af371565f628b411.txt")
	require.Contains(t, body, "新增")
	require.Contains(t, body, "养老保险怎么交")
	s.shot("10-knowledge")

	s.do("dashboard", chromedp.Navigate(base+"/console/dashboard"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	s.shot("11-dashboard")

	// Operations: switch resident Q&A off, with a reason.
	s.do("switch off",
		chromedp.Navigate(base+"/console/operations"),
		chromedp.WaitVisible(chromedp.CSS("#switch-resident_qa")),
		chromedp.SendKeys(chromedp.CSS("#switch-resident_qa textarea"), "答案引用了过期的标准，先暂停核对"),
		chromedp.Click(chromedp.CSS("#switch-resident_qa button")),
		chromedp.WaitVisible(chromedp.CSS("#switch-resident_qa.off")),
	)
	require.Contains(t, s.text("table.audit"), "切换开关")
	s.shot("12-operations")

	s.do("staff", chromedp.Navigate(base+"/console/staff"), chromedp.WaitVisible(chromedp.CSS("#staff-form")))
	s.shot("13-staff")

	// A phone-sized screen.
	s.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/console/answer"), chromedp.WaitVisible(chromedp.CSS("#ask-form")))
	width, err := chromedp.Run(s.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	require.NoError(t, err)
	require.LessOrEqual(t, width, 390.0, "nothing wider than the phone's screen")
	s.shot("14-phone-answer")
	s.do("phone dashboard", chromedp.Navigate(base+"/console/dashboard"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	width, err = chromedp.Run(s.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	require.NoError(t, err)
	require.LessOrEqual(t, width, 390.0)
	s.shot("15-phone-dashboard")
	s.do("phone campaigns", chromedp.Navigate(base+"/console/campaigns"), chromedp.WaitVisible(chromedp.CSS("#campaign-form")))
	s.shot("16-phone-campaigns")
}

// Every page at a desktop and a phone width: nothing wider than the
// screen, no template placeholders or codes where words belong. The
// screenshots are for a person to look at as well.
func TestBrowserEveryPageAtTwoWidths(t *testing.T) {
	st := fullStack(t, "004_f3d72d4f8696011b.txt")
	st.enrol(t, 6)
	st.askedQuestions(t)
	tk := st.ticket(t, 4343)
	ctx := context.Background()
	cp, err := st.outreach.CreateCampaign(ctx, outreach.CampaignInput{Name: "三月复核提醒", Template: "review_notice",
		Segment: outreach.Segment{Regions: []string{"guizhou-2020"}, Area: "rural"}, Window: "09:00-20:00", Rate: 5, CreatedBy: "bureau"})
	require.NoError(t, err)
	for d := 0; d <= 10; d++ {
		_, err := st.outreach.Remind(ctx, time.Now().AddDate(0, 0, d), false)
		require.NoError(t, err)
	}
	base := st.srv.URL
	s := shooter{t: t, ctx: browser(t), dir: artifactsDir(t)}
	s.do("log in", chromedp.Navigate(base+"/console/login"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	s.do("phone-wide login shot", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	s.shot("w390-login")
	s.do("desktop", chromedp.EmulateViewport(1280, 900))
	s.shot("w1280-login")
	s.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#name"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPW),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")),
		// The login page has a main of its own; the signed-in menu shows the
		// POST has finished, so the next Navigate cannot abort it.
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="主菜单"]`)),
	)
	pages := []struct{ name, path string }{
		{"answer", "/console/answer?q=" + "低保标准是多少" + "&region=guizhou-2020"},
		{"handoffs", "/console/handoffs"},
		{"handoff", fmt.Sprintf("/console/handoffs/%d", tk.ID)},
		{"check", "/console/check"},
		{"households", "/console/households?q=GZ-0001"},
		{"household", "/console/households/GZ-0002"},
		{"followups", "/console/followups"},
		{"campaigns", "/console/campaigns"},
		{"campaign", fmt.Sprintf("/console/campaigns/%d", cp.ID)},
		{"regions", "/console/regions"},
		{"region", "/console/regions/guizhou-2020"},
		{"knowledge", "/console/knowledge"},
		{"dashboard", "/console/dashboard"},
		{"operations", "/console/operations"},
		{"staff", "/console/staff"},
	}
	for _, w := range []int64{1280, 390} {
		if w == 390 {
			s.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		} else {
			s.do("desktop", chromedp.EmulateViewport(1280, 900))
		}
		for _, p := range pages {
			what := fmt.Sprintf("%s at %d", p.name, w)
			s.do(what, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
			width, err := chromedp.Run(s.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
			require.NoError(t, err, what)
			require.LessOrEqual(t, width, float64(w), "%s: nothing wider than the screen", what)
			text := s.text("main")
			for _, code := range []string{"{{", "review_notice", "dibao_phaseout", "unreachable", "{}"} {
				require.NotContains(t, text, code, what)
			}
			s.shot(fmt.Sprintf("w%d-%s", w, p.name))
		}
	}
}

package main

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/internal/wechattest"
)

// Codes are printed again unchanged until used or rotated; --bot is
// optional, and with a token the bot's name comes from getMe.
func TestOutreachCodesStayUntilRotated(t *testing.T) {
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	t.Setenv("SAFETYNET_DATA_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, 32)))
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	csvPath := filepath.Join(t.TempDir(), "h.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte("household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n"+
		"C1,张三,"+outreachID(1)+",13800000001,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n"+
		"C2,李四,"+outreachID(2)+",,guizhou-2020,urban,dibao,2025-06-01,2026-09-01,,\n"), 0o600))
	code, _, stderr := runCmd("outreach", "import", csvPath)
	require.Equal(t, 0, code, stderr)

	// No --bot and no token: codes without links, and a word why.
	code, first, stderr := runCmd("outreach", "codes")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `(?m)^C1,[0-9A-Z]{10},$`, first)
	require.Regexp(t, `(?m)^C2,[0-9A-Z]{10},$`, first)
	require.Contains(t, stderr, "links left empty")

	code, again, stderr := runCmd("outreach", "codes", "--bot", "@sn_bot")
	require.Equal(t, 0, code, stderr)
	c1 := codeOf(t, first, "C1")
	require.Equal(t, c1, codeOf(t, again, "C1"), "printed again, the same code")
	require.Contains(t, again, "https://t.me/sn_bot?start="+c1)

	code, rotated, stderr := runCmd("outreach", "codes", "--household", "C1", "--rotate", "--bot", "sn_bot")
	require.Equal(t, 0, code, stderr)
	require.NotEqual(t, c1, codeOf(t, rotated, "C1"))
	require.NotContains(t, rotated, "C2,", "only the household asked for")

	// With a token the name comes from getMe.
	tg := telegramtest.New(telegramtest.WithBotUsername("county_help_bot"))
	t.Cleanup(tg.Close)
	t.Setenv("TELEGRAM_BOT_TOKEN", tg.Token())
	t.Setenv("TELEGRAM_API_URL", tg.URL())
	code, named, stderr := runCmd("outreach", "codes", "--household", "C2")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, named, "C2,"+codeOf(t, first, "C2")+",https://t.me/county_help_bot?start="+codeOf(t, first, "C2"))

	// With WeChat configured, a QR code per code beside the link, made by
	// WeChat's API (the stand-in) with the code as its scene.
	wx := wechattest.New()
	t.Cleanup(wx.Close)
	t.Setenv("WECHAT_APP_ID", wx.AppID)
	t.Setenv("WECHAT_APP_SECRET", wx.AppSecret)
	t.Setenv("WECHAT_TOKEN", wx.Token)
	t.Setenv("WECHAT_AES_KEY", wx.AESKey)
	t.Setenv("WECHAT_API_URL", wx.URL())
	code, withQR, stderr := runCmd("outreach", "codes")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(withQR), "\n")
	require.Equal(t, "household_id,code,link,wechat_qr", lines[0])
	require.Len(t, lines, 3, withQR)
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		require.Len(t, f, 4, line)
		require.Contains(t, f[2], "https://t.me/county_help_bot?start="+f[1], "the Telegram link stays")
		u, err := url.Parse(f[3])
		require.NoError(t, err, f[3])
		scene, ok := wx.Scene(u.Query().Get("ticket"))
		require.True(t, ok, "the QR code's ticket is WeChat's: %s", f[3])
		require.Equal(t, f[1], scene, "the QR code's scene is the binding code")
	}
	require.Equal(t, codeOf(t, first, "C2"), codeOf(t, withQR, "C2"), "the same codes")

	code, _, stderr = runCmd("outreach", "codes", "--household", "NOPE")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "NOPE")
}

func codeOf(t *testing.T, csv, household string) string {
	t.Helper()
	for _, line := range strings.Split(csv, "\n") {
		if f := strings.Split(line, ","); len(f) >= 3 && f[0] == household {
			return f[1]
		}
	}
	t.Fatalf("no line for %s in\n%s", household, csv)
	return ""
}

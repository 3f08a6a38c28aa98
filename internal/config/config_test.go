package config

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := fromLookup(env(nil))
	require.NoError(t, err)
	require.Equal(t, DefaultDatabaseURL, c.DatabaseURL)
	require.Equal(t, "12345", c.Hotline)
	require.Equal(t, "Asia/Shanghai", c.TZ.String())
	require.Equal(t, 25.0, c.OutreachRate)
	require.Nil(t, c.DataKey)
	require.False(t, c.LLMEnabled())
	require.Empty(t, c.ModelDir, "empty: the embedder's own default folder")

	c, err = fromLookup(env(map[string]string{"SAFETYNET_MODEL_DIR": " /srv/model "}))
	require.NoError(t, err)
	require.Equal(t, "/srv/model", c.ModelDir)
	require.False(t, c.SecureCookies())
	require.Empty(t, c.TrustedProxies)
}

func TestPublicURLAndProxies(t *testing.T) {
	c, err := fromLookup(env(map[string]string{"SAFETYNET_PUBLIC_URL": "https://jiuzhu.example.gov.cn", "SAFETYNET_TRUSTED_PROXIES": "10.0.0.0/8 ::1,192.168.1.5"}))
	require.NoError(t, err)
	require.True(t, c.SecureCookies())
	require.Equal(t, "[10.0.0.0/8 ::1/128 192.168.1.5/32]", fmt.Sprint(c.TrustedProxies))
}

func TestRejectsBadValuesNamingTheVariable(t *testing.T) {
	for name, m := range map[string]map[string]string{
		"SAFETYNET_DATA_KEY":        {"SAFETYNET_DATA_KEY": "short"},
		"SAFETYNET_TZ":              {"SAFETYNET_TZ": "Mars/Base"},
		"OUTREACH_RATE":             {"OUTREACH_RATE": "-1"},
		"TELEGRAM_WEBHOOK_SECRET":   {"TELEGRAM_WEBHOOK_URL": "https://x.example/hook"},
		"OPENAI_BASE_URL":           {"OPENAI_BASE_URL": "not a url"},
		"SAFETYNET_TRUSTED_PROXIES": {"SAFETYNET_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"},
	} {
		_, err := fromLookup(env(m))
		require.Error(t, err, name)
		require.Contains(t, err.Error(), name)
	}
}

func TestFileVariant(t *testing.T) {
	p := t.TempDir() + "/key"
	require.NoError(t, writeFile(p, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
	c, err := fromLookup(env(map[string]string{"SAFETYNET_DATA_KEY_FILE": p}))
	require.NoError(t, err)
	require.Len(t, c.DataKey, 32)
}

func TestWeChatSettings(t *testing.T) {
	ok := map[string]string{"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "WECHAT_TOKEN": "t",
		"WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "WECHAT_TEMPLATES": "review=T1, default=T2"}
	c, err := fromLookup(env(ok))
	require.NoError(t, err)
	require.Equal(t, "/wechat", c.WeChat.Path)
	require.Equal(t, map[string]string{"review": "T1", "default": "T2"}, c.WeChat.Templates)

	for name, change := range map[string]map[string]string{
		"WECHAT_TOKEN":     {"WECHAT_TOKEN": ""},
		"WECHAT_AES_KEY":   {"WECHAT_AES_KEY": "too-short"},
		"WECHAT_TEMPLATES": {"WECHAT_TEMPLATES": "review"},
		"WECHAT_API_URL":   {"WECHAT_API_URL": "not a url"},
		"WECHAT_PATH":      {"WECHAT_PATH": "wechat"},
	} {
		m := map[string]string{}
		for k, v := range ok {
			m[k] = v
		}
		for k, v := range change {
			m[k] = v
		}
		_, err := fromLookup(env(m))
		require.Error(t, err, name)
		require.Contains(t, err.Error(), name)
	}

	// The secrets may come from files.
	p := t.TempDir() + "/secret"
	require.NoError(t, writeFile(p, "from-file\n"))
	m := map[string]string{"WECHAT_APP_SECRET_FILE": p}
	for k, v := range ok {
		if k != "WECHAT_APP_SECRET" {
			m[k] = v
		}
	}
	c, err = fromLookup(env(m))
	require.NoError(t, err)
	require.Equal(t, "from-file", c.WeChat.AppSecret)
}

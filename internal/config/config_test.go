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

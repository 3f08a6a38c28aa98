// Package config reads the service's settings from the environment once, at
// start-up, and validates them, so a typo fails loudly before anything runs.
package config

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultDatabaseURL is the local database that scripts/setup-db.sh prepares.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/safetynet?sslmode=disable"

// Config is every setting of cli.md. Secrets may be given as NAME_FILE, a
// path whose content is the value, so they need not sit in the environment.
type Config struct {
	DatabaseURL string
	// DataKey encrypts ID numbers and phones; nil until set. Code that stores
	// personal data must refuse to run without it.
	DataKey []byte
	// DataKeyFile is the development key file DataKey came from, "" when it
	// came from SAFETYNET_DATA_KEY.
	DataKeyFile string
	// Env is SAFETYNET_ENV: "production" forbids development conveniences.
	Env      string
	Hotline  string
	TZ       *time.Location
	LogLevel slog.Level

	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookURL    string
	TelegramWebhookSecret string

	OpenAIBaseURL    string
	OpenAIKey        string
	OpenAIChatModel  string
	OpenAIEmbedModel string

	OutreachRate float64

	// ModelDir holds the local embedding model (scripts/setup-model.sh);
	// empty means its default, ~/.cache/safetynet/model.
	ModelDir string
	// PublicURL is the service's address as residents and staff reach it;
	// https makes every cookie Secure, whatever the hop to us was.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// X-Real-IP is believed; from anyone else those headers are ignored,
	// or a client could pick its own address past every per-address limit.
	TrustedProxies []netip.Prefix

	WeChat WeChat
}

// WeChat are the service account's settings; the channel is on when AppID
// is set, and then the secrets are required.
type WeChat struct {
	AppID     string // WECHAT_APP_ID
	AppSecret string // WECHAT_APP_SECRET
	Token     string // WECHAT_TOKEN: signs callbacks
	AESKey    string // WECHAT_AES_KEY: 43 characters, safe (encrypted) mode
	APIURL    string // WECHAT_API_URL: another API server (a stand-in); WeChat's own when empty
	Path      string // WECHAT_PATH: where WeChat posts callbacks (default /wechat)
	// Templates maps a reminder kind to its template id (WECHAT_TEMPLATES,
	// "review=ID,phaseout=ID,pledge=ID,campaign=ID"; "default=ID" for the rest).
	Templates map[string]string
}

// SecureCookies tells whether cookies must be marked Secure.
func (c Config) SecureCookies() bool {
	return strings.HasPrefix(strings.ToLower(c.PublicURL), "https://")
}

// LLMEnabled tells whether an OpenAI-compatible server is configured.
func (c Config) LLMEnabled() bool { return c.OpenAIBaseURL != "" }

// FromEnv reads and validates the settings.
func FromEnv() (Config, error) { return fromLookup(os.LookupEnv) }

func fromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) (string, error) {
		if v, ok := lookup(name); ok && v != "" {
			return strings.TrimSpace(v), nil
		}
		if p, ok := lookup(name + "_FILE"); ok && p != "" {
			b, err := os.ReadFile(p)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: %w", name, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
		return "", nil
	}
	var c Config
	var err error
	str := func(name, def string) string {
		if err != nil {
			return ""
		}
		var v string
		v, err = get(name)
		if v == "" {
			return def
		}
		return v
	}

	c.DatabaseURL = str("DATABASE_URL", DefaultDatabaseURL)
	key := str("SAFETYNET_DATA_KEY", "")
	c.Env = str("SAFETYNET_ENV", "")
	c.Hotline = str("SAFETYNET_HOTLINE", DefaultHotline)
	tz := str("SAFETYNET_TZ", DefaultTZName)
	level := str("SAFETYNET_LOG_LEVEL", "info")
	c.TelegramToken = str("TELEGRAM_BOT_TOKEN", "")
	c.TelegramAPIURL = str("TELEGRAM_API_URL", "")
	c.TelegramWebhookURL = str("TELEGRAM_WEBHOOK_URL", "")
	c.TelegramWebhookSecret = str("TELEGRAM_WEBHOOK_SECRET", "")
	c.OpenAIBaseURL = str("OPENAI_BASE_URL", "")
	c.OpenAIKey = str("OPENAI_API_KEY", "")
	c.OpenAIChatModel = str("OPENAI_CHAT_MODEL", "gpt-4o-mini")
	c.OpenAIEmbedModel = str("OPENAI_EMBED_MODEL", "")
	rate := str("OUTREACH_RATE", "25")
	c.ModelDir = str("SAFETYNET_MODEL_DIR", "")
	c.PublicURL = str("SAFETYNET_PUBLIC_URL", "")
	proxies := str("SAFETYNET_TRUSTED_PROXIES", "")
	c.WeChat = WeChat{
		AppID: str("WECHAT_APP_ID", ""), AppSecret: str("WECHAT_APP_SECRET", ""), Token: str("WECHAT_TOKEN", ""),
		AESKey: str("WECHAT_AES_KEY", ""), APIURL: str("WECHAT_API_URL", ""), Path: str("WECHAT_PATH", "/wechat"),
	}
	templates := str("WECHAT_TEMPLATES", "")
	if err != nil {
		return Config{}, err
	}

	if c.Env != "" && c.Env != "production" && c.Env != "development" {
		return Config{}, fmt.Errorf("SAFETYNET_ENV: %q is not production or development", c.Env)
	}
	if key != "" {
		c.DataKey, err = base64.StdEncoding.DecodeString(key)
		if err != nil || len(c.DataKey) != 32 {
			return Config{}, fmt.Errorf("SAFETYNET_DATA_KEY: must be 32 bytes in base64 (try: head -c 32 /dev/urandom | base64)")
		}
	}
	if c.TZ, err = time.LoadLocation(tz); err != nil {
		return Config{}, fmt.Errorf("SAFETYNET_TZ: unknown zone %q", tz)
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return Config{}, fmt.Errorf("SAFETYNET_LOG_LEVEL: %q is not debug, info, warn or error", level)
	}
	if c.OutreachRate, err = strconv.ParseFloat(rate, 64); err != nil || c.OutreachRate <= 0 {
		return Config{}, fmt.Errorf("OUTREACH_RATE: %q is not a positive number of messages a second", rate)
	}
	for _, p := range strings.FieldsFunc(proxies, func(r rune) bool { return r == ',' || r == ' ' }) {
		pfx, perr := netip.ParsePrefix(p)
		if perr != nil {
			// A single address means just that proxy.
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return Config{}, fmt.Errorf("SAFETYNET_TRUSTED_PROXIES: %q is not an address or CIDR (10.0.0.0/8, ::1)", p)
			}
			pfx = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, pfx.Masked())
	}
	for name, u := range map[string]string{"DATABASE_URL": c.DatabaseURL, "SAFETYNET_PUBLIC_URL": c.PublicURL, "TELEGRAM_API_URL": c.TelegramAPIURL,
		"TELEGRAM_WEBHOOK_URL": c.TelegramWebhookURL, "OPENAI_BASE_URL": c.OpenAIBaseURL} {
		if u == "" {
			continue
		}
		if p, perr := url.Parse(u); perr != nil || p.Scheme == "" {
			return Config{}, fmt.Errorf("%s: %q is not a URL", name, u)
		}
	}
	if c.WeChat.Templates, err = parseTemplates(templates); err != nil {
		return Config{}, err
	}
	if err := c.WeChat.validate(); err != nil {
		return Config{}, err
	}
	if c.TelegramWebhookURL != "" && c.TelegramWebhookSecret == "" {
		return Config{}, fmt.Errorf("TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, so forged updates are refused")
	}
	return c, nil
}

func parseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		kind, id, ok := strings.Cut(pair, "=")
		if !ok || kind == "" || id == "" {
			return nil, fmt.Errorf("WECHAT_TEMPLATES: %q is not KIND=TEMPLATE_ID", pair)
		}
		out[kind] = id
	}
	return out, nil
}

func (w WeChat) validate() error {
	if w.AppID == "" {
		return nil
	}
	for name, v := range map[string]string{"WECHAT_APP_SECRET": w.AppSecret, "WECHAT_TOKEN": w.Token, "WECHAT_AES_KEY": w.AESKey} {
		if v == "" {
			return fmt.Errorf("%s: required with WECHAT_APP_ID", name)
		}
	}
	// The key is base64 of 32 bytes without its "=" padding.
	if k, err := base64.StdEncoding.DecodeString(w.AESKey + "="); len(w.AESKey) != 43 || err != nil || len(k) != 32 {
		return fmt.Errorf("WECHAT_AES_KEY: must be the 43-character EncodingAESKey of the account")
	}
	if w.APIURL != "" {
		if p, err := url.Parse(w.APIURL); err != nil || p.Scheme == "" || p.Host == "" {
			return fmt.Errorf("WECHAT_API_URL: %q is not a URL", w.APIURL)
		}
	}
	if !strings.HasPrefix(w.Path, "/") {
		return fmt.Errorf("WECHAT_PATH: %q must start with /", w.Path)
	}
	return nil
}

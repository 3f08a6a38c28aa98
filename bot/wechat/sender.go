package wechat

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/basic"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/safetynet/safetynet/chat"
)

// Channel is WeChat's name in chat.Address; the id is the resident's openid.
const Channel = "wechat"

// maxText keeps a customer-service text well inside WeChat's limit of
// 2048 bytes (Chinese is 3 bytes a character in UTF-8).
const maxText = 600

// Limits are WeChat's: no buttons (choices are numbered and typed back),
// writing first allowed (customer-service messages within 48 hours,
// template messages after), a modest pace.
var Limits = chat.Limits{MaxText: maxText, Push: true, ChatGap: time.Second, GlobalPerSec: 20}

// apiBase is where the SDK's requests go; the shared client below moves
// them to WECHAT_API_URL when that is set.
const apiBase = "https://api.weixin.qq.com"

// The SDK sends through one package-level client. It is replaced once by a
// client whose transport sends requests for *.weixin.qq.com to apiTarget
// when that is set (a stand-in); changing the target later is safe.
var (
	clientOnce sync.Once
	apiTarget  atomic.Pointer[url.URL]
)

type redirect struct{ next http.RoundTripper }

func (t redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	if to := apiTarget.Load(); to != nil && strings.HasSuffix(r.URL.Host, "weixin.qq.com") {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host = to.Scheme, to.Host
		r.Host = to.Host
	}
	return t.next.RoundTrip(r)
}

func useAPI(apiURL string) error {
	clientOnce.Do(func() {
		util.DefaultHTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: redirect{http.DefaultTransport}}
	})
	if apiURL == "" {
		apiTarget.Store(nil)
		return nil
	}
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("WECHAT_API_URL: %q is not a URL", apiURL)
	}
	apiTarget.Store(u)
	return nil
}

// Sender is the chat.Sender for WeChat: customer-service messages while
// the resident's 48 hours last, and reminders as template messages after.
// Failures come back as chat's typed errors.
type Sender struct {
	oa        *officialaccount.OfficialAccount
	tokens    *tokens
	templates map[string]string
}

// Limits implements bot.ChannelSender.
func (s *Sender) Limits() chat.Limits { return Limits }

// ackHint is what a reminder says instead of buttons.
const ackHint = "收到请回复“知晓”；需要工作人员帮忙请回复“人工”。"

// Send implements chat.Sender. A conversation reply (Kind "") goes as
// customer-service text; a reminder (Kind set) too while the window is
// open, else as the template configured for its kind.
func (s *Sender) Send(ctx context.Context, to chat.Address, m chat.Message) (string, error) {
	if to.Channel != Channel || to.ID == "" {
		return "", &chat.PermanentError{Reason: fmt.Sprintf("chat: not a WeChat openid (channel %q)", to.Channel)}
	}
	text := m.Text
	if m.Kind != "" && len(m.Buttons) > 0 {
		text += "\n\n" + ackHint
	} else if choices := m.Choices(); len(choices) > 0 {
		var sb strings.Builder
		for i, b := range choices {
			sb.WriteString("\n" + strconv.Itoa(i+1) + ". " + b.Text)
		}
		text += "\n" + sb.String()
	}
	err := s.custom(ctx, to.ID, text)
	if err == nil || m.Kind == "" {
		return "", err
	}
	var outside *chat.OutOfWindowError
	if !asOutOfWindow(err, &outside) {
		return "", err
	}
	return s.template(ctx, to.ID, m)
}

func asOutOfWindow(err error, target **chat.OutOfWindowError) bool {
	e, ok := err.(*chat.OutOfWindowError)
	if ok {
		*target = e
	}
	return ok
}

func (s *Sender) custom(ctx context.Context, openID, text string) error {
	for _, part := range split(text, maxText) {
		err := s.call(ctx, func() error {
			return s.oa.GetCustomerMessageManager().Send(message.NewCustomerTextMessage(openID, part))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// template sends a reminder as the template of its kind. Template messages
// carry no buttons: the text asks for 知晓 instead.
func (s *Sender) template(ctx context.Context, openID string, m chat.Message) (string, error) {
	id := s.templates[m.Kind]
	if id == "" {
		id = s.templates["default"]
	}
	if id == "" {
		return "", &chat.OutOfWindowError{Reason: fmt.Sprintf("居民 48 小时内没有发消息，且没有为“%s”配置模板（WECHAT_TEMPLATES）", m.Kind)}
	}
	var msgID int64
	err := s.call(ctx, func() error {
		var err error
		msgID, err = s.oa.GetTemplate().Send(&message.TemplateMessage{
			ToUser: openID, TemplateID: id,
			Data: map[string]*message.TemplateDataItem{
				"first":    {Value: clip(m.Text, 180)},
				"keyword1": {Value: m.Kind},
				"remark":   {Value: ackHint},
			},
		})
		return err
	})
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(msgID, 10), nil
}

// BindingQR returns the address of a QR code whose scene is the household's
// binding code, for the letter staff print: scanning it follows the account
// (if needed) and binds. It lasts as long as WeChat allows (30 days).
func (s *Sender) BindingQR(ctx context.Context, code string) (ticket, image string, err error) {
	var t *basic.Ticket
	err = s.call(ctx, func() error {
		var err error
		t, err = s.oa.GetBasic().GetQRTicket(basic.NewTmpQrRequest(30*24*time.Hour, code))
		return err
	})
	if err != nil {
		return "", "", err
	}
	return t.Ticket, basic.ShowQRCode(t), nil
}

// call runs one API call, once more with a fresh token when WeChat says
// the token is invalid or expired (another process or an expiry replaced
// it), and maps the outcome onto chat's errors.
func (s *Sender) call(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		tok, err := s.tokens.GetAccessTokenContext(ctx)
		if err != nil {
			return &chat.TransientError{Err: err}
		}
		err = f()
		code := errCode(err)
		if (code == 40001 || code == 42001 || code == 40014) && attempt == 0 {
			if err := s.tokens.invalidate(ctx, tok); err != nil {
				return &chat.TransientError{Err: err}
			}
			continue
		}
		return classify(err, code)
	}
}

var reErrCode = regexp.MustCompile(`errcode=(-?\d+)`)

// errCode reads WeChat's errcode out of the SDK's error (it keeps it only
// in the message); 0 when there is none.
func errCode(err error) int64 {
	if err == nil {
		return 0
	}
	if ce, ok := err.(*util.CommonError); ok {
		return ce.ErrCode
	}
	if m := reErrCode.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	return 0
}

// classify maps WeChat's error codes onto chat's typed errors.
func classify(err error, code int64) error {
	switch {
	case err == nil:
		return nil
	case code == 45015 || code == 45047:
		return &chat.OutOfWindowError{Reason: fmt.Sprintf("超出客服消息时限或条数（%d）", code)}
	case code == 43004 || code == 43019 || code == 40003:
		return &chat.BlockedError{Reason: fmt.Sprintf("居民已取消关注或拒收（%d）", code)}
	case code == 45009:
		return &chat.RateLimitedError{RetryAfter: untilTomorrow(time.Now()), Reason: "模板消息当日额度已用完（45009）"}
	case code == 45011 || code == -1:
		return &chat.RateLimitedError{RetryAfter: 5 * time.Second, Reason: fmt.Sprintf("微信接口繁忙（%d）", code)}
	case code != 0:
		return &chat.PermanentError{Reason: fmt.Sprintf("微信拒绝（%d）", code), Err: err}
	default:
		return &chat.TransientError{Err: err} // network, 5xx
	}
}

// untilTomorrow: WeChat's daily quotas reset at midnight Beijing time.
func untilTomorrow(now time.Time) time.Duration {
	cst := time.FixedZone("CST", 8*3600)
	n := now.In(cst)
	next := time.Date(n.Year(), n.Month(), n.Day()+1, 0, 5, 0, 0, cst)
	return next.Sub(n)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// split cuts text into pieces of at most n runes, at a line end where it can.
func split(text string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > n {
		r := []rune(text)
		cut := n
		for i := n - 1; i > n/2; i-- {
			if r[i] == '\n' {
				cut = i + 1
				break
			}
		}
		parts = append(parts, strings.TrimRight(string(r[:cut]), "\n"))
		text = string(r[cut:])
	}
	return append(parts, text)
}

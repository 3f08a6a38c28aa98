package telegramtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/telegramtest"
)

// newClient connects the real go-telegram client to srv. bot.New calls
// getMe, so a wrong URL or token fails here.
func newClient(t testing.TB, srv *telegramtest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	base := []bot.Option{
		bot.WithServerURL(srv.URL()),
		// The client logs through the standard logger by default; errors
		// that matter are asserted on directly.
		bot.WithErrorsHandler(func(error) {}),
	}
	b, err := bot.New(srv.Token(), append(base, opts...)...)
	require.NoError(t, err)
	return b
}

func newServer(t testing.TB, opts ...telegramtest.Option) *telegramtest.Server {
	t.Helper()
	srv := telegramtest.New(opts...)
	t.Cleanup(srv.Close)
	return srv
}

var resident = telegramtest.User{ID: 42, FirstName: "王", LastName: "阿姨", LanguageCode: "zh-hans"}

func TestLongPollingReplyKeyboardAndCallback(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()

	handler := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		switch {
		case u.Message != nil:
			_, _ = b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: u.Message.Chat.ID, Action: models.ChatActionTyping})
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID:    u.Message.Chat.ID,
				Text:      "<b>收到</b>：" + u.Message.Text,
				ParseMode: models.ParseModeHTML,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
					{{Text: "有用", CallbackData: "fb:yes"}, {Text: "没用", CallbackData: "fb:no"}},
				}},
			})
		case u.CallbackQuery != nil:
			q := u.CallbackQuery
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: "谢谢"})
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: q.Message.Message.Chat.ID, MessageID: q.Message.Message.ID, Text: "已记录：" + q.Data,
			})
		}
	}
	b := newClient(t, srv, bot.WithDefaultHandler(handler))
	go b.Start(ctx)

	srv.SendText(resident.ID, resident, "低保怎么申请")
	msgs, err := srv.WaitForMessages(ctx, resident.ID, 1)
	require.NoError(t, err)
	require.Equal(t, "<b>收到</b>：低保怎么申请", msgs[0].Text)
	require.Equal(t, "HTML", msgs[0].ParseMode)
	require.Equal(t, []telegramtest.Button{{Text: "有用", CallbackData: "fb:yes"}, {Text: "没用", CallbackData: "fb:no"}}, msgs[0].Buttons())
	require.Equal(t, []string{"typing"}, srv.Actions(resident.ID))

	cbID, err := srv.PressButton(resident.ID, msgs[0].MessageID, "fb:yes")
	require.NoError(t, err)
	answers, err := srv.WaitForAnswers(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, cbID, answers[0].CallbackQueryID)
	require.Equal(t, "fb:yes", answers[0].Data)
	require.Equal(t, "谢谢", answers[0].Text)

	edits, err := srv.WaitForEdits(ctx, resident.ID, 1)
	require.NoError(t, err)
	require.Equal(t, "已记录：fb:yes", edits[0].Text)
	now, ok := srv.Message(resident.ID, msgs[0].MessageID)
	require.True(t, ok)
	require.Equal(t, "已记录：fb:yes", now.Text)
	require.Nil(t, now.InlineKeyboard(), "editMessageText without reply_markup removes the keyboard")

	// The keyboard is gone, so the button can no longer be pressed.
	_, err = srv.PressButton(resident.ID, msgs[0].MessageID, "fb:no")
	require.ErrorIs(t, err, telegramtest.ErrNoSuchButton)
}

func TestCommandsReachCommandHandlers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()
	b := newClient(t, srv, bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}))
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommand, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		_, code, _ := strings.Cut(u.Message.Text, " ")
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "绑定码 " + code})
	})
	go b.Start(ctx)

	srv.SendText(7, telegramtest.User{}, "/start K3Y9")
	msgs, err := srv.WaitForMessages(ctx, 7, 1)
	require.NoError(t, err)
	require.Equal(t, "绑定码 K3Y9", msgs[0].Text)
}

func TestMediaUpdates(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()
	b := newClient(t, srv, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		m := u.Message
		var what string
		switch {
		case len(m.Photo) > 0:
			what = fmt.Sprintf("photo %dx%d %s", m.Photo[len(m.Photo)-1].Width, m.Photo[len(m.Photo)-1].Height, m.Caption)
		case m.Voice != nil:
			what = fmt.Sprintf("voice %ds", m.Voice.Duration)
		case m.Sticker != nil:
			what = "sticker " + m.Sticker.Emoji
		}
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: m.Chat.ID, Text: what})
	}), bot.WithNotAsyncHandlers())
	go b.Start(ctx)

	srv.SendPhoto(5, resident, "户口本")
	srv.SendVoice(5, resident, 12)
	srv.SendSticker(5, resident, "👍")
	msgs, err := srv.WaitForMessages(ctx, 5, 3)
	require.NoError(t, err)
	require.Equal(t, "photo 800x600 户口本", msgs[0].Text)
	require.Equal(t, "voice 12s", msgs[1].Text)
	require.Equal(t, "sticker 👍", msgs[2].Text)
}

func TestWebhookPostsUpdatesWithSecretHeader(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()
	const secret = "s3cret_Token-1"

	b := newClient(t, srv, bot.WithWebhookSecretToken(secret), bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "webhook:" + u.Message.Text})
	}))
	var (
		mu      sync.Mutex
		headers []string
	)
	inner := b.WebhookHandler()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		headers = append(headers, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		mu.Unlock()
		inner(w, r)
	}))
	t.Cleanup(hook.Close)
	go b.StartWebhook(ctx)

	// An update queued before the webhook exists is delivered once it does.
	srv.SendText(9, resident, "早")
	ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: secret})
	require.NoError(t, err)
	require.True(t, ok)
	srv.SendText(9, resident, "你好")

	msgs, err := srv.WaitForMessages(ctx, 9, 2)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"webhook:早", "webhook:你好"}, []string{msgs[0].Text, msgs[1].Text})
	mu.Lock()
	require.Equal(t, []string{secret, secret}, headers)
	mu.Unlock()

	info, err := b.GetWebhookInfo(ctx)
	require.NoError(t, err)
	require.Equal(t, hook.URL, info.URL)
	require.Equal(t, secret, srv.Webhook().SecretToken)

	// While a webhook is set, getUpdates is refused, as on Telegram.
	status, body := rawCall(t, srv, "getUpdates", "application/json", `{"timeout":0}`)
	require.Equal(t, http.StatusConflict, status, body)

	ok, err = b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
	require.NoError(t, err)
	require.True(t, ok)
	status, body = rawCall(t, srv, "getUpdates", "application/json", `{"timeout":0}`)
	require.Equal(t, http.StatusOK, status, body)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	send := func(b *bot.Bot, chat int64) error {
		_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: "提醒：请按时年审"})
		return err
	}
	tests := []struct {
		name  string
		setup func(srv *telegramtest.Server)
		check func(t *testing.T, err error)
	}{
		{
			name:  "injected 429 surfaces as TooManyRequestsError",
			setup: func(srv *telegramtest.Server) { srv.Inject429(1, 7) },
			check: func(t *testing.T, err error) {
				var tooMany *bot.TooManyRequestsError
				require.ErrorAs(t, err, &tooMany)
				require.Equal(t, 7, tooMany.RetryAfter)
				require.Contains(t, tooMany.Message, "Too Many Requests: retry after 7")
			},
		},
		{
			name:  "blocked chat is 403",
			setup: func(srv *telegramtest.Server) { srv.BlockChat(1) },
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, bot.ErrorForbidden)
				require.Contains(t, err.Error(), "bot was blocked by the user")
			},
		},
		{
			name:  "injected 500",
			setup: func(srv *telegramtest.Server) { srv.FailNext(1, 500, "Internal Server Error") },
			check: func(t *testing.T, err error) {
				require.ErrorContains(t, err, "500 Internal Server Error")
			},
		},
		{
			name:  "FailNext with 429 takes retry_after from the description",
			setup: func(srv *telegramtest.Server) { srv.FailNext(1, 429, "Too Many Requests: retry after 3") },
			check: func(t *testing.T, err error) {
				var tooMany *bot.TooManyRequestsError
				require.ErrorAs(t, err, &tooMany)
				require.Equal(t, 3, tooMany.RetryAfter)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			b := newClient(t, srv)
			tt.setup(srv)
			tt.check(t, send(b, 1))
			require.Empty(t, srv.Sent())
			require.Len(t, srv.Rejected(), 1)
		})
	}
}

func TestFailuresAreOneShotAndBlockIsLasting(t *testing.T) {
	t.Parallel()
	srv := newServer(t, telegramtest.WithoutLimits())
	b := newClient(t, srv)
	ctx := t.Context()
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	srv.Inject429(2, 1)
	require.Error(t, send(1))
	require.Error(t, send(2))
	require.NoError(t, send(1))
	require.Equal(t, 2, srv.Count429())

	srv.BlockChat(3)
	require.ErrorIs(t, send(3), bot.ErrorForbidden)
	require.ErrorIs(t, send(3), bot.ErrorForbidden)
	require.NoError(t, send(4))
	srv.UnblockChat(3)
	require.NoError(t, send(3))
}

func TestPerChatLimitUnderBurst(t *testing.T) {
	t.Parallel()
	// A rate this slow means no token comes back during the test, so the
	// outcome does not depend on the machine's speed.
	srv := newServer(t, telegramtest.WithPerChatRate(0.001, 3), telegramtest.WithGlobalRate(1000))
	b := newClient(t, srv)
	ctx := t.Context()

	var accepted int
	var tooMany *bot.TooManyRequestsError
	for i := range 6 {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 11, Text: fmt.Sprintf("第%d条", i)})
		if err == nil {
			accepted++
			continue
		}
		require.ErrorAs(t, err, &tooMany)
	}
	require.Equal(t, 3, accepted, "the burst allowance")
	require.Equal(t, 3, srv.Count429())
	require.GreaterOrEqual(t, tooMany.RetryAfter, 1)

	// Another chat has its own allowance.
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 12, Text: "你好"})
	require.NoError(t, err)
	for _, r := range srv.Rejected() {
		require.Equal(t, int64(11), r.ChatID)
		require.Equal(t, http.StatusTooManyRequests, r.Code)
		require.Equal(t, fmt.Sprintf("Too Many Requests: retry after %d", r.RetryAfter), r.Description)
	}
}

func TestGlobalLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, telegramtest.WithGlobalRate(0.001))
	b := newClient(t, srv)
	_, err := b.SendMessage(t.Context(), &bot.SendMessageParams{ChatID: 1, Text: "a"})
	require.NoError(t, err)
	_, err = b.SendMessage(t.Context(), &bot.SendMessageParams{ChatID: 2, Text: "b"})
	require.True(t, bot.IsTooManyRequestsError(err), "%v", err)
}

func TestDefaultLimitsAreTelegrams(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b := newClient(t, srv)
	// Many chats at once, from several senders, until the global limit
	// answers: faster than 30 a second even on a loaded machine, where a
	// single sequential sender might be slower than the refill.
	var (
		mu       sync.Mutex
		rejected int
		next     int64
	)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if rejected > 0 || next >= 400 {
					mu.Unlock()
					return
				}
				next++
				chat := next
				mu.Unlock()
				_, err := b.SendMessage(t.Context(), &bot.SendMessageParams{ChatID: chat, Text: "通知"})
				if err != nil {
					mu.Lock()
					if bot.IsTooManyRequestsError(err) {
						rejected++
					}
					mu.Unlock()
					if !bot.IsTooManyRequestsError(err) {
						t.Errorf("want 429, got %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	require.Positive(t, rejected)
	require.Equal(t, rejected, srv.Count429())
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, err := bot.New("7000000001:not-the-token", bot.WithServerURL(srv.URL()))
	require.ErrorIs(t, err, bot.ErrorUnauthorized)
}

func TestUnknownMethod(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	status, body := rawCall(t, srv, "sendTelepathy", "application/json", `{"chat_id":1}`)
	require.Equal(t, http.StatusNotFound, status)
	require.JSONEq(t, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`, body)
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	srv := newServer(t, telegramtest.WithoutLimits())
	b := newClient(t, srv)
	ctx := t.Context()
	long := strings.Repeat("很", 4097)
	tests := []struct {
		name   string
		params bot.SendMessageParams
		want   string // "" means accepted
	}{
		{"plain", bot.SendMessageParams{ChatID: 1, Text: "收入<500元"}, ""},
		{"html escaped", bot.SendMessageParams{ChatID: 1, Text: "收入&lt;500元 <i>约</i>", ParseMode: models.ParseModeHTML}, ""},
		{"html unescaped", bot.SendMessageParams{ChatID: 1, Text: "收入<500元", ParseMode: models.ParseModeHTML}, `can't parse entities: Unsupported start tag "500元"`},
		{"html unclosed", bot.SendMessageParams{ChatID: 1, Text: "<b>低保", ParseMode: models.ParseModeHTML}, `Can't find end tag corresponding to start tag "b"`},
		{"markdownv2 escaped", bot.SendMessageParams{ChatID: 1, Text: `标准 *1000\.5* 元 [政策](https://example.org/a-b.html)`, ParseMode: models.ParseModeMarkdown}, ""},
		{"markdownv2 unescaped", bot.SendMessageParams{ChatID: 1, Text: "标准 1000.5 元", ParseMode: models.ParseModeMarkdown}, `Character '.' is reserved`},
		{"empty", bot.SendMessageParams{ChatID: 1, Text: " "}, "message text is empty"},
		{"too long", bot.SendMessageParams{ChatID: 1, Text: long}, "message is too long"},
		{"no chat", bot.SendMessageParams{Text: "x"}, "chat_id is empty"},
		{"callback data over 64 bytes", bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "确认", CallbackData: strings.Repeat("确", 22)}}},
		}}, "BUTTON_DATA_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.SendMessage(ctx, &tt.params)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, bot.ErrorBadRequest)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestEditsAndDeletes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b := newClient(t, srv)
	ctx := t.Context()
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "已知晓", CallbackData: "ack:1"}}}}
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 3, Text: "年审提醒", ReplyMarkup: kb})
	require.NoError(t, err)

	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: 3, MessageID: m.ID, ReplyMarkup: kb})
	require.ErrorContains(t, err, "message is not modified")

	got, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: 3, MessageID: m.ID})
	require.NoError(t, err)
	require.Nil(t, got.ReplyMarkup)
	require.Len(t, srv.Edits(), 1)

	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 3, MessageID: m.ID + 100, Text: "x"})
	require.ErrorContains(t, err, "message to edit not found")

	ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 3, MessageID: m.ID})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []int{m.ID}, srv.Deleted(3))
	_, err = b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 3, MessageID: m.ID})
	require.ErrorContains(t, err, "message to delete not found")
}

func TestCommandsChatAndAnswerOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b := newClient(t, srv, bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}))
	ctx := t.Context()

	ok, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{
		{Command: "start", Description: "开始"}, {Command: "check", Description: "自助预查"},
	}})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []telegramtest.BotCommand{{"start", "开始"}, {"check", "自助预查"}}, srv.Commands())
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Name", Description: "x"}}})
	require.ErrorContains(t, err, "BOT_COMMAND_INVALID")

	_, err = b.GetChat(ctx, &bot.GetChatParams{ChatID: 77})
	require.ErrorContains(t, err, "chat not found")
	srv.SendText(77, resident, "在吗")
	chat, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: 77})
	require.NoError(t, err)
	require.Equal(t, "王", chat.FirstName)

	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 77, Text: "选", ReplyMarkup: &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "是", CallbackData: "y"}}},
	}})
	require.NoError(t, err)
	id, err := srv.PressButton(77, m.ID, "y")
	require.NoError(t, err)
	_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id})
	require.NoError(t, err)
	_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id})
	require.ErrorContains(t, err, "query is too old")

	_, err = b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: 77, Action: "dancing"})
	require.ErrorContains(t, err, "wrong parameter action")
}

// rawCall posts body to a Bot API method without the client library, to
// check the wire format itself.
func rawCall(t *testing.T, srv *telegramtest.Server, method, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/"+method, contentType, strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

type apiAnswer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
}

func decodeAnswer(t *testing.T, body string) apiAnswer {
	t.Helper()
	var a apiAnswer
	require.NoError(t, json.Unmarshal([]byte(body), &a), body)
	return a
}

func TestJSONAndFormBodies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	status, body := rawCall(t, srv, "sendMessage", "application/json",
		`{"chat_id":5,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"好","callback_data":"ok"}]]}}`)
	require.Equal(t, http.StatusOK, status, body)
	var m models.Message
	require.NoError(t, json.Unmarshal(decodeAnswer(t, body).Result, &m))
	require.Equal(t, "json", m.Text)
	require.Equal(t, int64(5), m.Chat.ID)

	form := url.Values{"chat_id": {"5"}, "text": {"form"}, "reply_markup": {`{"inline_keyboard":[[{"text":"好","callback_data":"ok2"}]]}`}}
	status, body = rawCall(t, srv, "sendMessage", "application/x-www-form-urlencoded", form.Encode())
	require.Equal(t, http.StatusOK, status, body)

	sent := srv.SentTo(5)
	require.Len(t, sent, 2)
	require.Equal(t, "ok", sent[0].Buttons()[0].CallbackData)
	require.Equal(t, "ok2", sent[1].Buttons()[0].CallbackData)
	require.Greater(t, sent[1].MessageID, sent[0].MessageID)
}

func TestGetUpdatesOffsetAndLongPoll(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	u1 := srv.SendText(1, resident, "一")
	u2 := srv.SendText(1, resident, "二")

	ids := func(body string) []int64 {
		var ups []models.Update
		require.NoError(t, json.Unmarshal(decodeAnswer(t, body).Result, &ups))
		var out []int64
		for _, u := range ups {
			out = append(out, u.ID)
		}
		return out
	}
	_, body := rawCall(t, srv, "getUpdates", "application/json", `{"timeout":0}`)
	require.Equal(t, []int64{u1, u2}, ids(body))
	_, body = rawCall(t, srv, "getUpdates", "application/json", fmt.Sprintf(`{"offset":%d,"limit":1}`, u2))
	require.Equal(t, []int64{u2}, ids(body))
	require.Equal(t, 1, srv.Pending(), "offset confirms the updates before it")

	// A long poll with nothing pending returns as soon as an update arrives.
	done := make(chan string)
	go func() {
		resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/getUpdates", "application/json",
			strings.NewReader(fmt.Sprintf(`{"offset":%d,"timeout":30}`, u2+1)))
		if err != nil {
			done <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- string(b)
	}()
	u3 := srv.SendText(1, resident, "三")
	require.Equal(t, []int64{u3}, ids(<-done))
}

func TestSecondPollerEndsFirstWithConflict(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	first := make(chan int)
	go func() {
		status, _ := rawCallNoT(srv, `{"timeout":30}`)
		first <- status
	}()
	// Keep starting second polls until the first one reports: the server
	// can only end a poll that has started, and the test cannot see that.
	for {
		select {
		case status := <-first:
			require.Equal(t, http.StatusConflict, status)
			return
		default:
		}
		status, body := rawCallNoT(srv, `{"timeout":0}`)
		require.Equal(t, http.StatusOK, status, body)
	}
}

func rawCallNoT(srv *telegramtest.Server, body string) (int, string) {
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/getUpdates", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestConcurrentSendsGetDistinctIDs(t *testing.T) {
	t.Parallel()
	srv := newServer(t, telegramtest.WithoutLimits())
	b := newClient(t, srv)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: int64(1 + (w+i)%3), Text: "并发"}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, srv.Sent(), workers*each)
	for chat := int64(1); chat <= 3; chat++ {
		seen := map[int]bool{}
		for _, m := range srv.SentTo(chat) {
			require.False(t, seen[m.MessageID], "duplicate message_id %d in chat %d", m.MessageID, chat)
			seen[m.MessageID] = true
		}
	}
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	srv, err := telegramtest.ListenAndServe("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	ctx := t.Context()
	b := newClient(t, srv, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.Message != nil {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "您好，" + u.Message.Text,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "好", CallbackData: "ok"}}}}})
		}
		if q := u.CallbackQuery; q != nil {
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: "收到"})
		}
	}))
	go b.Start(ctx)

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL() + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	status, body := get("/_test/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "/_test/send")

	status, body = get("/_test/send?chat=8&text=" + url.QueryEscape("查低保"))
	require.Equal(t, http.StatusOK, status, body)
	status, body = get("/_test/sent?chat=8&wait=1&timeout=30")
	require.Equal(t, http.StatusOK, status, body)
	var sent []struct {
		MessageID int                     `json:"message_id"`
		Text      string                  `json:"text"`
		Buttons   [][]telegramtest.Button `json:"buttons"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &sent))
	require.Len(t, sent, 1)
	require.Equal(t, "您好，查低保", sent[0].Text)
	require.Equal(t, "ok", sent[0].Buttons[0][0].CallbackData)

	status, body = get(fmt.Sprintf("/_test/press?chat=8&message=%d&data=ok", sent[0].MessageID))
	require.Equal(t, http.StatusOK, status, body)
	_, err = srv.WaitForAnswers(ctx, 1)
	require.NoError(t, err)

	// wait=N counts messages the caller has not read: the first reply is
	// not counted again, so this waits for the reply to the new message.
	status, body = get("/_test/send?chat=8&text=" + url.QueryEscape("问特困"))
	require.Equal(t, http.StatusOK, status, body)
	status, body = get("/_test/sent?chat=8&wait=1&timeout=30")
	require.Equal(t, http.StatusOK, status, body)
	sent = nil
	require.NoError(t, json.Unmarshal([]byte(body), &sent))
	require.Len(t, sent, 1, body)
	require.Equal(t, "您好，问特困", sent[0].Text)
	// since= reads from a message id on, whatever was read before.
	status, body = get("/_test/sent?chat=8&since=0")
	require.Equal(t, http.StatusOK, status, body)
	sent = nil
	require.NoError(t, json.Unmarshal([]byte(body), &sent))
	require.Len(t, sent, 2, body)
	require.Equal(t, "您好，查低保", sent[0].Text)
	status, body = get("/_test/sent?chat=8&since=x")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, "since")

	status, _ = get("/_test/press?chat=8&message=999&data=ok")
	require.Equal(t, http.StatusNotFound, status)
	status, _ = get("/_test/send?chat=x&text=a")
	require.Equal(t, http.StatusBadRequest, status)
}

func TestWaitForMessagesHonoursContext(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := srv.WaitForMessages(ctx, 1, 1)
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestLatencyHonoursClientDeadline(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b := newClient(t, srv)
	// An hour of latency against a short deadline: the outcome does not
	// depend on the machine's speed, and Close must not hang afterwards.
	srv.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "慢"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestWebhookRetriesUntilTheBotAnswers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()
	var (
		mu       sync.Mutex
		attempts int
		bodies   []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts <= 2 {
			// A bot restarting behind its load balancer.
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		bodies = append(bodies, string(body))
	}))
	t.Cleanup(hook.Close)
	status, body := rawCall(t, srv, "setWebhook", "application/json", fmt.Sprintf(`{"url":%q}`, hook.URL))
	require.Equal(t, http.StatusOK, status, body)

	u := srv.SendText(4, resident, "重试")
	require.NoError(t, srv.WaitFor(ctx, func() bool { return srv.Pending() == 0 }))
	mu.Lock()
	require.Equal(t, 3, attempts)
	require.Len(t, bodies, 1)
	require.Contains(t, bodies[0], fmt.Sprintf(`"update_id":%d`, u))
	mu.Unlock()
	require.Empty(t, srv.Webhook().LastErrorMessage, "cleared after a delivery succeeds")
}

func TestAllowedUpdatesAndCustomUpdates(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, err := srv.SendUpdate("my_chat_member", map[string]any{
		"chat": map[string]any{"id": 5, "type": "private"}, "from": resident, "date": 1,
		"old_chat_member": map[string]any{"status": "member", "user": resident},
		"new_chat_member": map[string]any{"status": "kicked", "user": resident, "until_date": 0},
	})
	require.NoError(t, err)
	msg := srv.SendText(5, resident, "你好")

	_, body := rawCall(t, srv, "getUpdates", "application/json", `{"allowed_updates":["message"]}`)
	var ups []models.Update
	require.NoError(t, json.Unmarshal(decodeAnswer(t, body).Result, &ups))
	require.Len(t, ups, 1)
	require.Equal(t, msg, ups[0].ID)

	_, body = rawCall(t, srv, "getUpdates", "application/json", `{}`)
	ups = nil
	require.NoError(t, json.Unmarshal(decodeAnswer(t, body).Result, &ups))
	require.Len(t, ups, 2)
	require.NotNil(t, ups[0].MyChatMember)
	require.Equal(t, models.ChatMemberTypeBanned, ups[0].MyChatMember.NewChatMember.Type)
}

// TestUpdateIDsAfter: a stand-in told where the last run stopped numbers
// its updates after it, so a bot that remembers handled ids hears them.
func TestUpdateIDsAfter(t *testing.T) {
	t.Parallel()
	srv := telegramtest.New(telegramtest.WithUpdateIDsAfter(1_700_000_000_000))
	t.Cleanup(srv.Close)
	first := srv.SendText(1, telegramtest.User{FirstName: "a"}, "你好")
	require.Equal(t, int64(1_700_000_000_001), first)
	require.Equal(t, first+1, srv.SendText(1, telegramtest.User{FirstName: "a"}, "再问"))
}

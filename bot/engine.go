// Package bot is the resident conversation engine, the same for every
// channel: an Event in (a chat's text, a chosen button, a photo…), replies
// out as chat.Messages. It knows no channel by name: what differs between
// channels is in chat.Limits. The adapters (bot/telegram, bot/webchat…)
// only translate. Everything a conversation needs between two messages lives in
// PostgreSQL, so any server process can take the next message.
package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/questions"
)

// Kind is what a resident sent.
type Kind string

// Kinds of event.
const (
	KindText    Kind = "text"
	KindChoice  Kind = "choice" // a pressed button, or a menu choice
	KindPhoto   Kind = "photo"
	KindVoice   Kind = "voice"
	KindSticker Kind = "sticker"
	KindOther   Kind = "other" // files, locations, contacts…
)

// Event is one thing a resident did in a chat.
type Event struct {
	Address chat.Address
	// EventID makes redelivery harmless: an event whose id was seen before
	// is ignored. "" means the channel does not redeliver.
	EventID  string
	Kind     Kind
	Text     string // KindText
	Choice   string // KindChoice: the chosen button's data
	LangHint string // the client's language (e.g. Telegram's language_code), a first guess
}

// Button is a choice under a reply; its Data comes back as a KindChoice event.
type Button = chat.Button

// Source is one cited document under an answer.
type Source struct {
	N       int    `json:"n"`
	Title   string `json:"title"`
	Section string `json:"section"`
}

// Reply is one message to the resident, with the sources of an answer for
// channels that show them apart from the text (the web chat).
type Reply struct {
	chat.Message
	Sources []Source `json:"sources,omitempty"`
}

// Result is what the channel does for an event.
type Result struct {
	Replies []Reply `json:"replies"`
	// Notice is a short acknowledgement of a pressed button (Telegram shows
	// it as a toast).
	Notice string `json:"notice,omitempty"`
	// ClearButtons: the pressed message's buttons are spent; remove them.
	ClearButtons bool `json:"clear_buttons,omitempty"`
	// Duplicate: the event was handled before; nothing to do.
	Duplicate bool   `json:"-"`
	Lang      string `json:"lang"`
}

// Config is what an Engine needs. Pool and Answerer are required; the rest
// may be nil and the matching feature then says it is unavailable.
type Config struct {
	Pool      *pgxpool.Pool
	Answerer  Answerer
	Wizard    Wizard
	Enrolment Enrolment
	Desk      *handoff.Desk
	Logger    *slog.Logger
	Hotline   string
	// Channels are the limits of each channel the engine serves. A channel
	// not listed answers only while the resident writes (no reminders) and
	// shows buttons.
	Channels map[string]chat.Limits
	// K is how many sources an answer cites (default 3: short for a phone).
	K      int
	Region string
	// Per-chat rate limit: RateBurst messages at once, then RatePerSec
	// (defaults 20 and 0.5: a resident tapping through the wizard is fine,
	// a script is not).
	RateBurst  float64
	RatePerSec float64
	// MaxRunes is the longest message taken as a question (default 500).
	MaxRunes int
	// Metrics, when set, counts events and times them (NewMetrics).
	Metrics *Metrics
}

// Engine handles events. It is safe for concurrent use.
type Engine struct {
	pool       *pgxpool.Pool
	answerer   Answerer
	wizard     Wizard
	enrol      Enrolment
	desk       *handoff.Desk
	questions  *questions.Log
	switches   *switches.Board
	log        *slog.Logger
	hotline    string
	channels   map[string]chat.Limits
	k          int
	region     string
	rateBurst  float64
	ratePerSec float64
	maxRunes   int
	metrics    *Metrics

	// Events of one chat are handled one at a time in this process, in the
	// order they arrive, so a fast double tap cannot run two wizard steps
	// on the same state. Striped: a lock per chat would grow without bound.
	seed  maphash.Seed
	locks [256]sync.Mutex

	handler HandlerFunc
}

// New returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Pool == nil {
		return nil, errors.New("bot: Pool is required")
	}
	if cfg.Answerer == nil {
		return nil, errors.New("bot: Answerer is required")
	}
	e := &Engine{
		pool: cfg.Pool, answerer: cfg.Answerer, wizard: cfg.Wizard, enrol: cfg.Enrolment, desk: cfg.Desk,
		questions: questions.New(cfg.Pool), switches: switches.New(cfg.Pool),
		log: cfg.Logger, hotline: cfg.Hotline, channels: cfg.Channels, k: cfg.K, region: cfg.Region,
		rateBurst: cfg.RateBurst, ratePerSec: cfg.RatePerSec, maxRunes: cfg.MaxRunes, metrics: cfg.Metrics,
		seed: maphash.MakeSeed(),
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.hotline == "" {
		e.hotline = config.DefaultHotline
	}
	if e.k <= 0 {
		e.k = 3
	}
	if e.rateBurst <= 0 {
		e.rateBurst = 20
	}
	if e.ratePerSec <= 0 {
		e.ratePerSec = 0.5
	}
	if e.maxRunes <= 0 {
		e.maxRunes = 500
	}
	// Outermost first: what every event goes through before the handler.
	e.handler = Chain(e.respond,
		e.measure, e.serialize, e.load, e.dedupe, e.limit, e.save, e.decorate, e.numberChoices)
	return e, nil
}

// SetEnrolment wires the outreach side once it runs.
func (e *Engine) SetEnrolment(en Enrolment) { e.enrol = en }

// Hotline is the number residents are pointed to.
func (e *Engine) Hotline() string { return e.hotline }

// limits returns what the event's channel allows.
func (e *Engine) limits(a chat.Address) chat.Limits {
	if l, ok := e.channels[a.Channel]; ok {
		return l
	}
	return chat.Limits{Buttons: true}
}

// Turn is one event on its way through the middleware and the handler.
type Turn struct {
	Event  Event
	Result Result
	// Outcome is what the metrics count: ok, answered, unanswered,
	// duplicate, limited, error.
	Outcome string

	ev      Event
	b       begun
	st      convState
	lang    string
	out     *Result
	lines   []turn
	warnPII bool
	q       *questions.Entry
	// answerAt is the index of the reply that gets 👍/👎 once the question
	// has an id; -1 if none.
	answerAt int
}

// turnState is the handler's name for a Turn.
type turnState = Turn

func (t *turnState) say(text string, buttons ...[]Button) *Reply {
	t.out.Replies = append(t.out.Replies, Reply{Message: chat.Message{Text: text, Buttons: buttons}})
	// The bot's side is kept short: staff need the gist, the resident's
	// words in full.
	t.lines = append(t.lines, turn{A: "b", T: clip(text, 120)})
	return &t.out.Replies[len(t.out.Replies)-1]
}

func (t *turnState) heard(text string) {
	t.lines = append(t.lines, turn{A: "r", T: clip(text, 500)})
}

// Handle handles one event and returns what to send. On an internal error
// the Result still holds a polite reply for the resident; the error is for
// the log.
func (e *Engine) Handle(ctx context.Context, ev Event) (Result, error) {
	if err := ev.Address.Validate(); err != nil {
		return Result{}, fmt.Errorf("bot: event: %w", err)
	}
	t := &Turn{Event: ev, ev: ev, Outcome: "ok", answerAt: -1}
	t.out = &t.Result
	err := e.handler(ctx, t)
	return t.Result, err
}

// respond is the handler proper: what the resident's event asks for.
func (e *Engine) respond(ctx context.Context, t *Turn) error {
	var herr error
	switch t.ev.Kind {
	case KindChoice:
		herr = e.button(ctx, t)
	case KindText:
		herr = e.text(ctx, t)
	default:
		t.heard("[" + string(t.ev.Kind) + "]")
		t.say(e.msg(t.lang, "media"), []Button{{Text: e.msg(t.lang, "btn_contact"), Data: "c"}})
	}
	if herr != nil {
		e.log.Error("bot: handle event", "channel", t.ev.Address.Channel, "kind", t.ev.Kind, "err", herr)
		t.say(e.msg(t.lang, "error"))
		t.Outcome = "error"
	}
	if t.q != nil && herr == nil {
		t.Outcome = "answered"
		if !t.q.Answered {
			t.Outcome = "unanswered"
		}
	}
	return herr
}

func orDefault(lang string) string {
	if lang == "" {
		return LangHans
	}
	return lang
}

// replyLang chooses the reply language: the one chosen with /lang, else the
// one the resident writes in, else the client's, else Simplified Chinese.
func (e *Engine) replyLang(st *convState, ev Event) string {
	if ev.Kind == KindText && !strings.HasPrefix(strings.TrimSpace(ev.Text), "/") {
		if d := DetectLang(ev.Text); d != "" {
			st.Seen = d
		}
	}
	switch {
	case st.Lang != "":
		return st.Lang
	case st.Seen != "":
		return st.Seen
	}
	return orDefault(langFromClient(ev.LangHint))
}

// Commands, and the plain words that mean the same.
const (
	cmdStart   = "start"
	cmdHelp    = "help"
	cmdCheck   = "check"
	cmdCancel  = "cancel"
	cmdStop    = "stop"
	cmdResume  = "resume"
	cmdContact = "contact"
	cmdLang    = "lang"
	cmdAck     = "ack"
)

var plainWords = map[string]string{
	"退订": cmdStop, "停止": cmdStop, "取消订阅": cmdStop, "不要提醒": cmdStop, "退訂": cmdStop, "取消訂閱": cmdStop,
	"订阅": cmdResume, "恢复提醒": cmdResume, "訂閱": cmdResume, "恢復提醒": cmdResume,
	"帮助": cmdHelp, "菜单": cmdHelp, "幫助": cmdHelp, "選單": cmdHelp, "help": cmdHelp,
	"人工": cmdContact, "找人": cmdContact, "客服": cmdContact, "转人工": cmdContact, "人工客服": cmdContact,
	"找工作人员": cmdContact, "轉人工": cmdContact, "找工作人員": cmdContact,
	"取消": cmdCancel, "退出": cmdCancel, "cancel": cmdCancel,
	"知晓": cmdAck, "已知晓": cmdAck, "知道了": cmdAck,
	"测一测": cmdCheck, "资格测算": cmdCheck, "測一測": cmdCheck, "資格測算": cmdCheck,
}

// parseCommand splits "/start@my_bot CODE" into ("start", "CODE"); a
// plain word alone ("退订", "人工") maps to its command.
func parseCommand(text string) (cmd, arg string, ok bool) {
	if strings.HasPrefix(text, "/") {
		head, rest, _ := strings.Cut(text[1:], " ")
		head, _, _ = strings.Cut(head, "@")
		return strings.ToLower(head), strings.TrimSpace(rest), true
	}
	word := strings.ToLower(strings.Trim(text, " \t\r\n。.!！?？~～,，"))
	if c, ok := plainWords[word]; ok {
		return c, "", true
	}
	return "", "", false
}

func (e *Engine) text(ctx context.Context, t *turnState) error {
	text := strings.TrimSpace(t.ev.Text)
	if utf8.RuneCountInString(text) > e.maxRunes {
		t.heard("[" + strconv.Itoa(utf8.RuneCountInString(text)) + " 字的长消息]")
		t.say(e.msg(t.lang, "too_long"))
		return nil
	}
	redacted := pii.Redact(text)
	t.warnPII = pii.HasPersonalData(text)
	if text == "" {
		t.say(e.msg(t.lang, "welcome"))
		return nil
	}
	cmd, arg, isCmd := parseCommand(text)
	if isCmd && cmd == cmdStop && t.st.Mode == modeWizard && !strings.HasPrefix(text, "/") {
		// "停止" in the middle of the pre-check means "stop the questions";
		// turning reminders off by mistake would cost far more.
		cmd = cmdCancel
	}
	if isCmd {
		if cmd == cmdStart && arg != "" {
			// The binding code is not personal data but it is a secret:
			// keep it out of the history.
			t.heard("/start [绑定码]")
		} else {
			t.heard(redacted)
		}
		return e.command(ctx, t, cmd, arg)
	}
	if t.st.Mode == modeWizard {
		t.heard(redacted)
		return e.wizardStep(ctx, t, redacted)
	}
	if e.enrol != nil && e.enrol.IsCode(text) {
		// The code from the household's letter, typed instead of scanned.
		t.heard("[绑定码]")
		return e.bind(ctx, t, text)
	}
	t.heard(redacted)
	return e.ask(ctx, t, redacted)
}

func (e *Engine) command(ctx context.Context, t *turnState, cmd, arg string) error {
	switch cmd {
	case cmdStart:
		if arg == "" {
			t.say(e.msg(t.lang, "welcome"))
			return nil
		}
		return e.bind(ctx, t, arg)
	case cmdHelp:
		t.say(e.msg(t.lang, "help"))
	case cmdCheck:
		return e.startWizard(ctx, t)
	case cmdCancel:
		if t.st.Mode == "" {
			t.say(e.msg(t.lang, "nothing"))
			return nil
		}
		t.st.Mode, t.st.Wizard = "", nil
		t.say(e.msg(t.lang, "cancelled"))
	case cmdStop:
		return e.reminders(ctx, t, false)
	case cmdResume:
		return e.reminders(ctx, t, true)
	case cmdContact:
		return e.handoff(ctx, t, "asked")
	case cmdAck:
		return e.acknowledge(ctx, t)
	case cmdLang:
		rows := make([][]Button, 0, len(Langs)+1)
		for _, l := range Langs {
			rows = append(rows, []Button{{Text: l.Name, Data: "l:" + l.Code}})
		}
		rows = append(rows, []Button{{Text: e.msg(t.lang, "lang_auto"), Data: "l:auto"}})
		t.say(e.msg(t.lang, "lang_prompt"), rows...)
	default:
		t.say(e.msg(t.lang, "help"))
	}
	return nil
}

func (e *Engine) bind(ctx context.Context, t *turnState, code string) error {
	if !e.limits(t.ev.Address).Push {
		t.say(e.msg(t.lang, "web_reminders"))
		return nil
	}
	if e.enrol == nil {
		t.say(e.msg(t.lang, "no_reminders"))
		return nil
	}
	who, err := e.enrol.Bind(ctx, code, t.ev.Address)
	switch {
	case err == nil:
		text := e.msg(t.lang, "bound")
		if who.NameMasked != "" {
			text = strings.TrimSpace(who.NameMasked+" "+who.ProgramName) + "\n" + text
		}
		t.say(text)
	case errors.Is(err, ErrCodeExpired):
		t.say(e.msg(t.lang, "code_expired"))
	case errors.Is(err, ErrCodeUsed):
		t.say(e.msg(t.lang, "code_used"))
	case errors.Is(err, ErrCodeInvalid):
		t.say(e.msg(t.lang, "code_invalid"))
	default:
		return fmt.Errorf("bind chat: %w", err)
	}
	return nil
}

func (e *Engine) reminders(ctx context.Context, t *turnState, on bool) error {
	if !e.limits(t.ev.Address).Push {
		t.say(e.msg(t.lang, "web_reminders"))
		return nil
	}
	if e.enrol == nil {
		t.say(e.msg(t.lang, "no_reminders"))
		return nil
	}
	var err error
	if on {
		err = e.enrol.OptIn(ctx, t.ev.Address)
	} else {
		err = e.enrol.OptOut(ctx, t.ev.Address)
	}
	switch {
	case err == nil && on:
		t.say(e.msg(t.lang, "resumed"))
	case err == nil:
		t.say(e.msg(t.lang, "stopped"))
	case errors.Is(err, ErrNotBound):
		t.say(e.msg(t.lang, "not_bound"))
	default:
		return fmt.Errorf("reminders on=%v: %w", on, err)
	}
	return nil
}

// handoff opens a ticket for a person with the conversation so far.
func (e *Engine) handoff(ctx context.Context, t *turnState, reason string) error {
	if e.desk == nil {
		t.say(e.msg(t.lang, "unavailable"))
		return nil
	}
	req := handoff.Request{Chat: t.ev.Address, Lang: t.lang, Reason: reason}
	for _, l := range append(append([]turn{}, t.b.history...), t.lines...) {
		author := handoff.AuthorResident
		if l.A == "b" {
			author = handoff.AuthorBot
		}
		req.Transcript = append(req.Transcript, handoff.Turn{Author: author, Text: l.T})
	}
	tk, existing, err := e.desk.Open(ctx, req)
	if err != nil {
		return fmt.Errorf("open handoff: %w", err)
	}
	t.st.Misses, t.st.Ticket = 0, tk.ID
	switch {
	case existing:
		t.say(e.msg(t.lang, "handoff_again"))
	case reason == "unanswered":
		t.say(e.msg(t.lang, "handoff_auto"))
	default:
		t.say(e.msg(t.lang, "handoff_new"))
	}
	return nil
}

// qaEnabled reads the operations switch for residents' answers. A database
// error answers "on": the next query would fail anyway, and the resident
// then gets the error reply with the hotline.
func (e *Engine) qaEnabled(ctx context.Context) bool {
	on, err := e.switches.Enabled(ctx, switches.ResidentQA)
	if err != nil {
		e.log.Warn("bot: read switch", "err", err)
	}
	return on
}

func (e *Engine) button(ctx context.Context, t *turnState) error {
	data := t.ev.Choice
	kind, rest, _ := strings.Cut(data, ":")
	switch kind {
	case "f":
		t.heard("[反馈]")
		return e.feedback(ctx, t, rest)
	case "w":
		if t.st.Mode == modeWizard && e.wizard != nil {
			t.heard(e.pressedWords(ctx, t, data, rest))
		} else {
			t.heard(rest)
		}
		if t.st.Mode != modeWizard {
			t.out.Notice = e.msg(t.lang, "btn_expired")
			t.out.ClearButtons = true
			return nil
		}
		t.out.ClearButtons = true
		return e.wizardStep(ctx, t, rest)
	case "l":
		t.out.ClearButtons = true
		if rest == "auto" {
			t.st.Lang = ""
			t.lang = e.replyLang(&t.st, t.ev)
			t.out.Lang = t.lang
			t.say(e.msg(t.lang, "lang_auto_set"))
			return nil
		}
		if !knownLang(rest) {
			t.out.Notice = e.msg(t.lang, "btn_expired")
			return nil
		}
		t.st.Lang, t.lang, t.out.Lang = rest, rest, rest
		t.say(e.msg(t.lang, "lang_set"))
	case "c":
		return e.handoff(ctx, t, "asked")
	case "k":
		// The offer of the pre-check beside an answer.
		t.heard("/check")
		return e.startWizard(ctx, t)
	case "o":
		if e.enrol == nil || !e.limits(t.ev.Address).Push {
			t.out.Notice = e.msg(t.lang, "btn_expired")
			return nil
		}
		res, err := e.enrol.HandleButton(ctx, t.ev.Address, data)
		if err != nil {
			return fmt.Errorf("reminder button: %w", err)
		}
		t.out.ClearButtons = true
		if res.Reply != "" {
			t.say(res.Reply)
		}
		if res.WantsContact {
			return e.handoff(ctx, t, "reminder")
		}
	default:
		t.out.Notice = e.msg(t.lang, "btn_expired")
	}
	return nil
}

// pressedWords is what the wizard button the resident pressed said, for
// the history. The words kept when the buttons were shown are used as
// they are; a conversation saved before words were kept, or a button
// older than the last ones shown, has the wizard work out its question
// again to find them.
func (e *Engine) pressedWords(ctx context.Context, t *turnState, data, value string) string {
	if l, ok := t.st.label(data); ok {
		return l
	}
	return e.wizard.Label(ctx, t.st.Wizard, value)
}

func (e *Engine) feedback(ctx context.Context, t *turnState, rest string) error {
	v, idText, _ := strings.Cut(rest, ":")
	vote, err1 := strconv.Atoi(v)
	id, err2 := strconv.ParseInt(idText, 10, 64)
	if err1 != nil || err2 != nil {
		t.out.Notice = e.msg(t.lang, "btn_expired")
		return nil
	}
	err := e.questions.Feedback(ctx, id, t.ev.Address, vote)
	if errors.Is(err, questions.ErrNotFound) {
		t.out.Notice = e.msg(t.lang, "btn_expired")
		return nil
	}
	if err != nil {
		return err
	}
	t.out.ClearButtons = true
	if vote > 0 {
		t.out.Notice = e.msg(t.lang, "thanks_up")
		return nil
	}
	t.out.Notice = e.msg(t.lang, "thanks_down")
	t.say(e.msg(t.lang, "thanks_down"), []Button{{Text: e.msg(t.lang, "btn_contact"), Data: "c"}})
	return nil
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// acknowledge is 知晓 typed: the latest reminder was read. Reminders on
// channels without buttons (WeChat template messages) ask for it.
func (e *Engine) acknowledge(ctx context.Context, t *turnState) error {
	if e.enrol == nil || !e.limits(t.ev.Address).Push {
		t.say(e.msg(t.lang, "nothing_to_ack"))
		return nil
	}
	res, err := e.enrol.Acknowledge(ctx, t.ev.Address)
	switch {
	case err == nil:
		t.say(res.Reply)
	case errors.Is(err, ErrNotBound):
		t.say(e.msg(t.lang, "not_bound"))
	case errors.Is(err, ErrNothingToAcknowledge):
		t.say(e.msg(t.lang, "nothing_to_ack"))
	default:
		return fmt.Errorf("acknowledge: %w", err)
	}
	return nil
}

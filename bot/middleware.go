package bot

import (
	"context"
	"errors"
	"hash/maphash"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// HandlerFunc handles one Turn. Middleware and the engine's handler share
// the signature, in the style of go-telegram/bot's middlewares.
type HandlerFunc func(ctx context.Context, t *Turn) error

// Middleware wraps a handler with one cross-cutting step.
type Middleware func(next HandlerFunc) HandlerFunc

// Chain wraps h in mws, the first outermost.
func Chain(h HandlerFunc, mws ...Middleware) HandlerFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// measure counts the event and times it, with the outcome the inner steps
// decided.
func (e *Engine) measure(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		start := time.Now()
		err := next(ctx, t)
		if err != nil && t.Outcome != "limited" && t.Outcome != "duplicate" {
			t.Outcome = "error"
		}
		e.metrics.observe(t.ev, t.Outcome, start)
		return err
	}
}

// serialize runs the events of one chat one at a time in this process.
func (e *Engine) serialize(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		mu := &e.locks[maphash.Comparable(e.seed, t.ev.Address)%uint64(len(e.locks))]
		mu.Lock()
		defer mu.Unlock()
		return next(ctx, t)
	}
}

// load is the first round trip: it records the event id, loads (or
// creates) the conversation and spends a token of the chat's rate limit,
// all in one statement; dedupe and limit act on what it found.
func (e *Engine) load(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		b, err := e.begin(ctx, t.ev)
		if err != nil {
			lang := orDefault(langFromClient(t.ev.LangHint))
			*t.out = Result{Lang: lang}
			t.say(e.msg(lang, "error"))
			t.Outcome = "error"
			return err
		}
		t.b, t.st = b, b.state
		t.lang = e.replyLang(&t.st, t.ev)
		t.out.Lang = t.lang
		return next(ctx, t)
	}
}

// dedupe stops an event that was handled before (a redelivery).
func (e *Engine) dedupe(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		if t.b.duplicate {
			*t.out = Result{Duplicate: true}
			t.Outcome = "duplicate"
			return nil
		}
		return next(ctx, t)
	}
}

// limit answers a chat over its rate: told once, politely; after that the
// flood is dropped quietly until the bucket refills.
func (e *Engine) limit(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		if !t.b.limited {
			return next(ctx, t)
		}
		t.Outcome = "limited"
		if !t.b.wasLimited {
			if t.ev.Kind == KindChoice {
				t.out.Notice = e.msg(t.lang, "limited")
			} else {
				t.say(e.msg(t.lang, "limited"))
			}
		}
		return nil
	}
}

// save is the second round trip: the state, the new history lines and the
// question for the log, in one batch. The question's id then goes on the
// 👍/👎 buttons of the answer.
func (e *Engine) save(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		herr := next(ctx, t)
		qid, err := e.finish(ctx, t.ev, t.b, t.st, t.lines, t.q)
		if err != nil {
			// The replies are still right for the resident; only the record
			// is missing. Feedback buttons need the id, so they are left off.
			e.log.Error("bot: save conversation", "channel", t.ev.Address.Channel, "err", err)
			return errors.Join(herr, err)
		}
		if t.answerAt >= 0 && qid > 0 && e.limits(t.ev.Address).Buttons {
			r := &t.out.Replies[t.answerAt]
			id := strconv.FormatInt(qid, 10)
			r.Buttons = append([][]Button{{
				{Text: e.msg(t.lang, "btn_up"), Data: "f:1:" + id},
				{Text: e.msg(t.lang, "btn_down"), Data: "f:-1:" + id},
			}}, r.Buttons...)
		}
		return herr
	}
}

// decorate adds what goes on every reply of a turn: the warning about
// personal data, and the note that answers come in Chinese.
func (e *Engine) decorate(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		err := next(ctx, t)
		if t.warnPII && len(t.out.Replies) > 0 {
			t.out.Replies[0].Text = e.msg(t.lang, "pii_warning") + "\n\n" + t.out.Replies[0].Text
		}
		if t.lang == LangUyghur {
			for i := range t.out.Replies {
				t.out.Replies[i].Text = e.chineseNote(t.lang) + "\n\n" + t.out.Replies[i].Text
			}
		}
		return err
	}
}

var reChoiceNumber = regexp.MustCompile(`^\s*([0-9]{1,2})\s*[.、。)）]?\s*$`)

// numberChoices numbers the choices of a turn's replies on every channel,
// remembers them in the conversation, and takes a number typed next as
// that choice: many residents cannot press a small button but can type
// "2", and on WeChat there are no buttons at all. Where the channel shows
// buttons, the number goes in front of each button's words; elsewhere the
// choices become a numbered list under the text. Runs inside save, so the
// list is stored with the state, and outside the 👍/👎 that save adds,
// which are not choices of the conversation.
func (e *Engine) numberChoices(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, t *Turn) error {
		buttons := e.limits(t.ev.Address).Buttons
		if t.ev.Kind == KindText && len(t.st.Choices) > 0 {
			if m := reChoiceNumber.FindStringSubmatch(t.ev.Text); m != nil {
				if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(t.st.Choices) {
					t.ev.Kind, t.ev.Choice, t.ev.Text = KindChoice, t.st.Choices[n-1], ""
				}
			}
		}
		err := next(ctx, t)
		if len(t.out.Replies) == 0 {
			// Nothing new on the screen (a 👍 pressed): the numbers shown
			// last still stand.
			return err
		}
		var choices, labels []string
		for i := range t.out.Replies {
			r := &t.out.Replies[i]
			if buttons {
				rows := make([][]Button, len(r.Buttons))
				for k, row := range r.Buttons {
					for _, b := range row {
						choices, labels = append(choices, b.Data), append(labels, b.Text)
						b.Text = strconv.Itoa(len(choices)) + ". " + b.Text
						rows[k] = append(rows[k], b)
					}
				}
				r.Buttons = rows
				continue
			}
			var sb strings.Builder
			for _, b := range r.Choices() {
				choices, labels = append(choices, b.Data), append(labels, b.Text)
				sb.WriteString("\n" + strconv.Itoa(len(choices)) + ". " + b.Text)
			}
			if sb.Len() > 0 {
				r.Text += "\n" + e.msg(t.lang, "choose_number") + sb.String()
			}
			r.Buttons = nil
		}
		t.st.Choices, t.st.Labels = choices, labels
		return err
	}
}

package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safetynet/safetynet/handoff"
)

type handoffsData struct {
	Status  string
	Tickets []handoff.Ticket
}

type handoffData struct {
	Ticket handoff.Ticket
	Mine   bool
	// Lines is one page of the conversation, counted from the resident's
	// first question: their earlier questions and answers from the
	// question log, then the ticket's own messages.
	Lines      []convLine
	Page       int
	Pages      int
	EarlierNum int // how many lines come from before the ticket
}

// convLine is one line of a ticket's conversation as the page shows it.
type convLine struct {
	Author  string // resident | bot | staff
	Staff   string
	Text    string
	At      time.Time
	Earlier bool // from the question log, before the ticket opened
}

const (
	ticketPage    = 40  // conversation lines a page
	earlierAsked  = 100 // earlier questions looked up, the latest ones
	earlierAnswer = 300 // an earlier answer is shown up to this many characters
)

// conversation is the whole conversation of a ticket: the resident's
// questions before it (those the ticket's transcript does not already
// hold) and the ticket's messages.
func (c *Console) conversation(r *http.Request, t handoff.Ticket) ([]convLine, int, error) {
	var lines []convLine
	if c.questions != nil && t.Chat.ID != "" {
		earlier, err := c.questions.ByChat(r.Context(), t.Chat, t.CreatedAt, earlierAsked)
		if err != nil {
			return nil, 0, err
		}
		inTicket := map[string]bool{}
		for _, m := range t.Messages {
			if m.Author == handoff.AuthorResident {
				inTicket[m.Text] = true
			}
		}
		for _, e := range earlier {
			if inTicket[e.Question] {
				continue
			}
			lines = append(lines, convLine{Author: handoff.AuthorResident, Text: e.Question, At: e.AskedAt, Earlier: true})
			if a := strings.TrimSpace(e.Answer); a != "" {
				if r := []rune(a); len(r) > earlierAnswer {
					a = string(r[:earlierAnswer]) + "…"
				}
				lines = append(lines, convLine{Author: handoff.AuthorBot, Text: a, At: e.AskedAt, Earlier: true})
			}
		}
	}
	n := len(lines)
	for _, m := range t.Messages {
		lines = append(lines, convLine{Author: m.Author, Staff: m.Staff, Text: m.Text, At: m.CreatedAt})
	}
	return lines, n, nil
}

// ticketView is a ticket's page: the page of the conversation asked for
// (?page=N), the last one by default, where the newest lines and the
// reply form are.
func (c *Console) ticketView(r *http.Request, s *session, t handoff.Ticket) (view, error) {
	lines, earlier, err := c.conversation(r, t)
	if err != nil {
		return view{}, err
	}
	pages := max(1, (len(lines)+ticketPage-1)/ticketPage)
	page := pages
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p >= 1 && p <= pages {
		page = p
	}
	from := (page - 1) * ticketPage
	d := handoffData{Ticket: t, Mine: t.ClaimedBy == s.User.Name, Lines: lines[from:min(len(lines), from+ticketPage)],
		Page: page, Pages: pages, EarlierNum: earlier}
	return c.newView(s, "handoffs", "工单 #"+strconv.FormatInt(t.ID, 10), d), nil
}

const maxReplyRunes = 2000

func ticketID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (c *Console) handoffsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.handoffs == nil {
		c.unavailable(w, r, s, "handoffs", "人工转接")
		return
	}
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "open"
	}
	list, err := c.handoffs.List(r.Context(), status)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "handoffs", c.newView(s, "handoffs", "人工转接", handoffsData{Status: status, Tickets: list}))
}

func (c *Console) handoffPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.handoffs == nil {
		c.unavailable(w, r, s, "handoffs", "人工转接")
		return
	}
	id, ok := ticketID(r)
	if !ok {
		c.renderError(w, r, s, http.StatusNotFound, "没有这张工单。")
		return
	}
	t, err := c.handoffs.Get(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditTicketView, strconv.FormatInt(id, 10), nil); err != nil {
		c.fail(w, r, s, err)
		return
	}
	v, err := c.ticketView(r, s, t)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "handoff", v)
}

// ticketAction runs claim, reply or close and records it. A reply that was
// stored but not delivered returns the ticket with errNotDelivered.
func (c *Console) ticketAction(r *http.Request, s *session, id int64, action, text string) (handoff.Ticket, error) {
	var t handoff.Ticket
	var err error
	var auditAction string
	detail := map[string]any{}
	switch action {
	case "claim":
		t, err = c.handoffs.Claim(r.Context(), id, s.User.Name)
		auditAction = AuditTicketClaim
	case "reply":
		text = strings.TrimSpace(text)
		if text == "" || utf8.RuneCountInString(text) > maxReplyRunes {
			return handoff.Ticket{}, errBadReply
		}
		auditAction = AuditTicketReply
		detail["chars"] = utf8.RuneCountInString(text)
		m, rerr := c.handoffs.Reply(r.Context(), id, s.User.Name, text)
		if rerr != nil && m.ID == 0 {
			return handoff.Ticket{}, rerr
		}
		if t, err = c.handoffs.Get(r.Context(), id); err != nil {
			return handoff.Ticket{}, err
		}
		if rerr != nil {
			// Saved on the ticket but not sent: record it, and tell the
			// caller; the cause goes to the log, not to staff.
			c.log.Warn("console: handoff reply not delivered", "ticket", id, "err", rerr)
			detail["delivered"] = false
			if aerr := audit(r.Context(), c.pool, s.User, r, auditAction, strconv.FormatInt(id, 10), detail); aerr != nil {
				return handoff.Ticket{}, aerr
			}
			return t, fmt.Errorf("%w: %w", errNotDelivered, rerr)
		}
	case "close":
		t, err = c.handoffs.Close(r.Context(), id, s.User.Name)
		auditAction = AuditTicketClose
	default:
		return handoff.Ticket{}, ErrNotFound
	}
	if err != nil {
		return handoff.Ticket{}, err
	}
	if err := audit(r.Context(), c.pool, s.User, r, auditAction, strconv.FormatInt(id, 10), detail); err != nil {
		return handoff.Ticket{}, err
	}
	return t, nil
}

func (c *Console) handoffAction(w http.ResponseWriter, r *http.Request, s *session) {
	if c.handoffs == nil {
		c.unavailable(w, r, s, "handoffs", "人工转接")
		return
	}
	id, ok := ticketID(r)
	if !ok {
		c.renderError(w, r, s, http.StatusNotFound, "没有这张工单。")
		return
	}
	action := r.PathValue("action")
	t, err := c.ticketAction(r, s, id, action, r.PostFormValue("text"))
	if p, ok := explain(err); ok && p.Status != http.StatusNotFound {
		// Said on the ticket's own page, as it is now.
		t, err = c.handoffs.Get(r.Context(), id)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		v, err := c.ticketView(r, s, t)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		v.Error = p.Words
		c.render(w, r, p.Status, "handoff", v)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if action == "close" {
		http.Redirect(w, r, "/console/handoffs", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/console/handoffs/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

func (c *Console) apiHandoffs(w http.ResponseWriter, r *http.Request, s *session) {
	list, err := c.handoffs.List(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (c *Console) apiHandoff(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := ticketID(r)
	if !ok {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	t, err := c.handoffs.Get(r.Context(), id)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditTicketView, strconv.FormatInt(id, 10), nil); err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (c *Console) apiHandoffAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := ticketID(r)
	if !ok {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	var in struct {
		Text string `json:"text"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	t, err := c.ticketAction(r, s, id, r.PathValue("action"), in.Text)
	switch {
	case errors.Is(err, errNotDelivered):
		writeJSON(w, http.StatusAccepted, map[string]any{"ticket": t, "delivered": false, "error": errNotDelivered.Error()})
	case err != nil:
		c.apiFail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

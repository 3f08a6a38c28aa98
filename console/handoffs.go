package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
	v := c.newView(s, "handoffs", "工单 #"+strconv.FormatInt(id, 10), handoffData{Ticket: t, Mine: t.ClaimedBy == s.User.Name})
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
		v := c.newView(s, "handoffs", "工单 #"+strconv.FormatInt(id, 10), handoffData{Ticket: t, Mine: t.ClaimedBy == s.User.Name})
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

// ticketTopic is what a ticket is about, for the queue.
func ticketTopic(t handoff.Ticket) string {
	if t.Reason == "unanswered" {
		return "机器人没能回答，转人工"
	}
	return "居民要求人工服务"
}

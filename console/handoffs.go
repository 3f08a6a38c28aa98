package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

type handoffsData struct {
	Status  string
	Tickets []Ticket
}

type handoffData struct {
	Ticket Ticket
	Mine   bool
}

// ErrTicketState is what a Handoffs implementation returns (wrapped) when
// an action does not fit the ticket's state, e.g. claiming a closed one.
var ErrTicketState = errors.New("ticket state does not allow this")

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
	list, err := c.handoffs.ListTickets(r.Context(), status)
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
	t, err := c.handoffs.GetTicket(r.Context(), id)
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

// ticketAction runs claim, reply or close and records it.
func (c *Console) ticketAction(r *http.Request, s *session, id int64, action, text string) (Ticket, error) {
	var t Ticket
	var err error
	var auditAction string
	detail := map[string]any{}
	switch action {
	case "claim":
		t, err = c.handoffs.ClaimTicket(r.Context(), id, s.User.Name)
		auditAction = AuditTicketClaim
	case "reply":
		text = strings.TrimSpace(text)
		if text == "" || utf8.RuneCountInString(text) > maxReplyRunes {
			return Ticket{}, errBadReply
		}
		t, err = c.handoffs.ReplyTicket(r.Context(), id, s.User.Name, text)
		auditAction = AuditTicketReply
		detail["chars"] = utf8.RuneCountInString(text)
		if errors.Is(err, ErrNotDelivered) {
			// Saved on the ticket: record it, and tell the caller.
			detail["delivered"] = false
			if aerr := audit(r.Context(), c.pool, s.User, r, auditAction, strconv.FormatInt(id, 10), detail); aerr != nil {
				return Ticket{}, aerr
			}
			return t, err
		}
	case "close":
		t, err = c.handoffs.CloseTicket(r.Context(), id, s.User.Name)
		auditAction = AuditTicketClose
	default:
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, err
	}
	if err := audit(r.Context(), c.pool, s.User, r, auditAction, strconv.FormatInt(id, 10), detail); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

var errBadReply = errors.New("text: the reply must have 1 to 2000 characters")

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
	var msg string
	status := http.StatusConflict
	switch {
	case errors.Is(err, ErrNotDelivered):
		status = http.StatusBadGateway
		c.log.Warn("console: handoff reply not delivered", "ticket", id, "err", err)
		msg = "回复已保存在工单里，但没能送达居民（对方的聊天通道暂时不可用）。可以稍后再发，或电话联系。"
	case errors.Is(err, errBadReply):
		status, msg = http.StatusBadRequest, "回复不能为空，也不能超过 2000 字。"
	case errors.Is(err, ErrTicketState):
		msg = "这张工单的状态已经变了（可能别人已认领或已关闭），请刷新后再看。"
	case err != nil:
		c.fail(w, r, s, err)
		return
	}
	if msg != "" {
		t, err = c.handoffs.GetTicket(r.Context(), id)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		v := c.newView(s, "handoffs", "工单 #"+strconv.FormatInt(id, 10), handoffData{Ticket: t, Mine: t.ClaimedBy == s.User.Name})
		v.Error = msg
		c.render(w, r, status, "handoff", v)
		return
	}
	if action == "close" {
		http.Redirect(w, r, "/console/handoffs", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/console/handoffs/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

func (c *Console) apiHandoffs(w http.ResponseWriter, r *http.Request, s *session) {
	list, err := c.handoffs.ListTickets(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []Ticket{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (c *Console) apiHandoff(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := ticketID(r)
	if !ok {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	t, err := c.handoffs.GetTicket(r.Context(), id)
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
	case errors.Is(err, errBadReply):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrTicketState):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrNotDelivered):
		writeJSON(w, http.StatusAccepted, map[string]any{"ticket": t, "delivered": false, "error": "reply saved but not delivered"})
	case err != nil:
		c.apiFail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/internal/switches"
)

type operationsData struct {
	Switches []switches.State
	Audit    []AuditEntry
}

// setSwitch flips a channel and records it in the audit log in the same
// transaction: a switch never changes without its record.
func (c *Console) setSwitch(ctx context.Context, r *http.Request, u User, channel string, enabled bool, comment string) (switches.State, error) {
	var st switches.State
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var err error
		st, err = switches.SetTx(ctx, tx, channel, enabled, comment, u.Name)
		if err != nil {
			return err
		}
		return audit(ctx, tx, u, r, AuditSwitchSet, channel, map[string]any{"enabled": enabled, "comment": st.Comment})
	})
	return st, err
}

func (c *Console) operationsView(ctx context.Context, s *session) (view, error) {
	sw, err := c.switches.All(ctx)
	if err != nil {
		return view{}, fmt.Errorf("switches: %w", err)
	}
	log, err := c.recentAudit(ctx, 50)
	if err != nil {
		return view{}, err
	}
	return c.newView(s, "operations", "运行开关", operationsData{Switches: sw, Audit: log}), nil
}

func (c *Console) operationsPage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := c.operationsView(r.Context(), s)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "operations", v)
}

func (c *Console) operationsSet(w http.ResponseWriter, r *http.Request, s *session) {
	channel := r.PostFormValue("channel")
	enabled := r.PostFormValue("enabled") == "on"
	_, err := c.setSwitch(r.Context(), r, s.User, channel, enabled, r.PostFormValue("comment"))
	status, msg, notice := http.StatusOK, "", ""
	switch {
	case errors.Is(err, switches.ErrCommentRequired):
		status, msg = http.StatusBadRequest, "请填写原因：每次开关都要说明为什么。"
	case err != nil && strings.HasPrefix(err.Error(), "channel: "):
		status, msg = http.StatusBadRequest, "没有这个开关。"
	case err != nil:
		c.fail(w, r, s, err)
		return
	case enabled:
		notice = label(channel) + "已恢复。"
	default:
		notice = label(channel) + "已关闭，居民现在会看到“暂停服务，请拨打热线”的提示。"
	}
	v, err := c.operationsView(r.Context(), s)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Error, v.Notice = msg, notice
	c.render(w, r, status, "operations", v)
}

func (c *Console) apiSwitches(w http.ResponseWriter, r *http.Request, s *session) {
	sw, err := c.switches.All(r.Context())
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sw)
}

func (c *Console) apiSwitchSet(w http.ResponseWriter, r *http.Request, s *session) {
	var in struct {
		Channel string `json:"channel"`
		Enabled *bool  `json:"enabled"`
		Comment string `json:"comment"`
	}
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if in.Enabled == nil {
		writeError(w, http.StatusBadRequest, "enabled: true or false is required")
		return
	}
	st, err := c.setSwitch(r.Context(), r, s.User, in.Channel, *in.Enabled, in.Comment)
	switch {
	case errors.Is(err, switches.ErrCommentRequired), err != nil && strings.HasPrefix(err.Error(), "channel: "):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		c.apiFail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

func (c *Console) apiAudit(w http.ResponseWriter, r *http.Request, s *session) {
	log, err := c.recentAudit(r.Context(), 200)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if log == nil {
		log = []AuditEntry{}
	}
	writeJSON(w, http.StatusOK, log)
}

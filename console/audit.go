package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLogout         = "logout"
	AuditHouseholdView  = "household.view"
	AuditHouseholdFind  = "household.search"
	AuditFollowupExport = "followup.export"
	AuditFollowupView   = "followup.view"
	AuditSwitchSet      = "switch.set"
	AuditCampaignCreate = "campaign.create"
	AuditCampaignStart  = "campaign.start"
	AuditCampaignTest   = "campaign.test"
	AuditCampaignPause  = "campaign.pause"
	AuditCampaignResume = "campaign.resume"
	AuditCampaignCancel = "campaign.cancel"
	AuditTicketClaim    = "handoff.claim"
	AuditTicketReply    = "handoff.reply"
	AuditTicketClose    = "handoff.close"
	AuditTicketView     = "handoff.view"
	AuditKnowledgeLoad  = "knowledge.ingest"
	// AuditKnowledgeRemove and AuditKnowledgeReingest target the document's
	// file name.
	AuditKnowledgeRemove   = "knowledge.remove"
	AuditKnowledgeReingest = "knowledge.reingest"
	AuditUserAdd           = "user.add"
	AuditUserDisable       = "user.disable"
	AuditUserEnable        = "user.enable"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail"`
	IP     string          `json:"ip"`
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// audit records an action. It takes an execer so that an action and its
// record commit together when the action has a transaction.
func audit(ctx context.Context, db execer, u User, r *http.Request, action, target string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	var actorID any
	if u.ID != 0 {
		actorID = u.ID
	}
	_, err = db.Exec(ctx,
		`INSERT INTO console_audit (actor_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)`,
		actorID, u.Name, action, target, b, clientIP(r))
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// clientIP is the peer's address. X-Forwarded-For is not trusted: any
// client can set it, and it would let a guesser escape the login limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recentAudit returns the latest audit rows, newest first.
func (c *Console) recentAudit(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT id, at, actor, action, target, detail, ip FROM console_audit ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

package outreach

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// RemindResult says what deriving one date's reminders did.
type RemindResult struct {
	Date   string         `json:"date"`
	DryRun bool           `json:"dry_run"`
	ByKind map[string]int `json:"by_kind"` // new reminders per kind
	// Queued are new reminders queued for sending; Unreachable have no
	// bound chat (staff follow-up); OptedOut belong to opted-out households.
	Queued      int `json:"queued"`
	Unreachable int `json:"unreachable"`
	OptedOut    int `json:"opted_out"`
}

// New is the number of reminders this run added.
func (r RemindResult) New() int { return r.Queued + r.Unreachable + r.OptedOut }

// statusExpr decides a new delivery's status from its household.
const statusExpr = `CASE WHEN h.opted_out_at IS NOT NULL THEN 'opted_out' WHEN h.chat_id IS NULL THEN 'unreachable' ELSE 'queued' END`
const reasonExpr = `CASE WHEN h.opted_out_at IS NOT NULL THEN '居民已退订' WHEN h.chat_id IS NULL THEN '未绑定聊天' ELSE '' END`

// Remind derives the reminders due on date (a calendar day in the service's
// zone) and queues them, set-based. Each reminder's key is (household,
// kind, due date): running it twice, or on two servers at once, queues
// nothing twice, because only the transaction that inserts a ledger row
// enqueues its job, in the same transaction.
func (s *Service) Remind(ctx context.Context, date time.Time, dryRun bool) (RemindResult, error) {
	d := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	res := RemindResult{Date: d.Format(time.DateOnly), DryRun: dryRun, ByKind: map[string]int{}}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck

	overridden := s.rules.overridden()
	groups := []struct {
		only    []string // nil: every region without its own rules
		ruleset RuleSet
	}{{nil, s.rules.Default}}
	for _, id := range overridden {
		groups = append(groups, struct {
			only    []string
			ruleset RuleSet
		}{[]string{id}, s.rules.For(id)})
	}
	for _, g := range groups {
		var regionCond string
		var regionArg []string
		if g.only == nil {
			regionCond = `h.region <> ALL($2::text[])`
			regionArg = overridden
			if regionArg == nil {
				regionArg = []string{}
			}
		} else {
			regionCond = `h.region = ANY($2::text[])`
			regionArg = g.only
		}
		window, err := ParseWindow(g.ruleset.Window)
		if err != nil {
			return res, err
		}
		at := s.sendTime(d, window)
		dates := func(days []int) []time.Time {
			out := make([]time.Time, len(days))
			for i, n := range days {
				out[i] = d.AddDate(0, 0, n)
			}
			return out
		}
		stmts := []struct {
			kind string
			sql  string
			args []any
		}{
			{KindReview, `
				INSERT INTO outreach_deliveries (household_id, kind, period, due_on, status, reason, chat_channel, chat_id)
				SELECT h.household_id, 'review', $1::date::text, h.next_review_on, ` + statusExpr + `, ` + reasonExpr + `, h.chat_channel, h.chat_id
				FROM outreach_households h
				WHERE h.next_review_on = ANY($3::date[]) AND ` + regionCond + `
				ON CONFLICT (household_id, kind, period) DO NOTHING
				RETURNING id, status`, []any{d, regionArg, dates(g.ruleset.ReviewDaysBefore)}},
			{KindPhaseout, `
				INSERT INTO outreach_deliveries (household_id, kind, period, due_on, status, reason, chat_channel, chat_id)
				SELECT h.household_id, 'phaseout', $1::date::text, h.phaseout_ends_on, ` + statusExpr + `, ` + reasonExpr + `, h.chat_channel, h.chat_id
				FROM outreach_households h
				WHERE h.phaseout_ends_on = ANY($3::date[]) AND ` + regionCond + `
				ON CONFLICT (household_id, kind, period) DO NOTHING
				RETURNING id, status`, []any{d, regionArg, dates(g.ruleset.PhaseoutDaysBefore)}},
			// The pledge is owed from enrolment when none was signed, else a
			// renewal period after the last signature; it is chased every
			// pledge_every_days, at most pledge_max_reminders times.
			{KindPledge, `
				INSERT INTO outreach_deliveries (household_id, kind, period, due_on, status, reason, chat_channel, chat_id, pledge_version)
				SELECT h.household_id, 'pledge', $1::date::text, b.owed, ` + statusExpr + `, ` + reasonExpr + `, h.chat_channel, h.chat_id, $6
				FROM outreach_households h
				CROSS JOIN LATERAL (SELECT CASE WHEN h.pledge_signed_on IS NULL THEN h.enrolled_on
					ELSE (h.pledge_signed_on + make_interval(months => $3))::date END AS owed) b
				WHERE ` + regionCond + ` AND $1::date >= b.owed
				  AND ($1::date - b.owed) % $4 = 0 AND ($1::date - b.owed) / $4 < $5
				ON CONFLICT (household_id, kind, period) DO NOTHING
				RETURNING id, status`, []any{d, regionArg, g.ruleset.PledgeRenewMonths, g.ruleset.PledgeEveryDays,
				g.ruleset.PledgeMaxReminders, pledgeVersion()}},
		}
		for _, st := range stmts {
			rows, err := tx.Query(ctx, st.sql, st.args...)
			if err != nil {
				return res, fmt.Errorf("remind %s: %w", st.kind, err)
			}
			var queued []int64
			for rows.Next() {
				var id int64
				var status string
				if err := rows.Scan(&id, &status); err != nil {
					rows.Close()
					return res, err
				}
				res.ByKind[st.kind]++
				switch status {
				case "queued":
					queued = append(queued, id)
					res.Queued++
				case "unreachable":
					res.Unreachable++
				case "opted_out":
					res.OptedOut++
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return res, fmt.Errorf("remind %s: %w", st.kind, err)
			}
			if !dryRun {
				if err := s.enqueue(ctx, tx, queued, at); err != nil {
					return res, err
				}
			}
		}
	}
	if dryRun {
		return res, nil
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("remind: %w", err)
	}
	return res, nil
}

func pledgeVersion() string {
	_, v := PledgeText()
	return v
}

// sendTime is when reminders due on day d should go out: the first moment
// of the sending window on or after both now and the start of d.
func (s *Service) sendTime(d time.Time, w Window) time.Time {
	startOfDay := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, s.cfg.TZ)
	t := s.cfg.Now()
	if startOfDay.After(t) {
		t = startOfDay
	}
	return w.Next(t, s.cfg.TZ)
}

// enqueueChunk bounds one COPY of jobs; a million reminders go in chunks.
const enqueueChunk = 10000

// enqueue inserts one send job per delivery within tx, so the ledger row
// and its job commit or vanish together.
func (s *Service) enqueue(ctx context.Context, tx pgx.Tx, ids []int64, at time.Time) error {
	var sched *time.Time
	if at.After(s.cfg.Now()) {
		sched = &at
	}
	for start := 0; start < len(ids); start += enqueueChunk {
		end := min(start+enqueueChunk, len(ids))
		params := make([]river.InsertManyParams, 0, end-start)
		for _, id := range ids[start:end] {
			opts := &river.InsertOpts{Queue: queueName, MaxAttempts: s.cfg.MaxAttempts}
			if sched != nil {
				opts.ScheduledAt = *sched
			}
			params = append(params, river.InsertManyParams{Args: sendArgs{DeliveryID: id}, InsertOpts: opts})
		}
		if _, err := s.river.InsertManyFastTx(ctx, tx, params); err != nil {
			return fmt.Errorf("enqueue sends: %w", err)
		}
	}
	return nil
}

package outreach

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/internal/csvexport"
	"github.com/safetynet/safetynet/internal/pii"
)

// Counts are deliveries by status, as cli.md's report has them. Queued
// includes held and in-flight messages; acknowledged ones are not counted
// again under sent.
type Counts struct {
	Queued       int `json:"queued"`
	Sent         int `json:"sent"`
	Failed       int `json:"failed"`
	Unreachable  int `json:"unreachable"`
	Acknowledged int `json:"acknowledged"`
	OptedOut     int `json:"opted_out"`
}

// Report is `outreach report --json`.
type Report struct {
	Campaign *int64 `json:"campaign"`
	Counts   Counts `json:"counts"`
}

// Report counts deliveries by status: of one campaign, or (nil) of all
// reminders.
func (s *Service) Report(ctx context.Context, campaignID *int64) (Report, error) {
	r := Report{Campaign: campaignID}
	cond := "campaign_id IS NULL"
	args := []any{}
	if campaignID != nil {
		cond = "campaign_id = $1"
		args = append(args, *campaignID)
	}
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM outreach_deliveries WHERE `+cond+` GROUP BY status`, args...)
	if err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return r, err
		}
		r.Counts.add(st, n)
	}
	return r, rows.Err()
}

// add counts n deliveries of a ledger status under the report's names.
func (c *Counts) add(status string, n int) {
	switch status {
	case "queued", "held", "sending":
		c.Queued += n
	case "sent":
		c.Sent += n
	case "failed":
		c.Failed += n
	case "unreachable":
		c.Unreachable += n
	case "acknowledged":
		c.Acknowledged += n
	case "opted_out":
		c.OptedOut += n
	}
}

// CampaignCounts is every campaign's Report counts in one grouped query,
// for lists that show each campaign's progress.
func (s *Service) CampaignCounts(ctx context.Context) (map[int64]Counts, error) {
	rows, err := s.pool.Query(ctx, `SELECT campaign_id, status, count(*) FROM outreach_deliveries
		WHERE campaign_id IS NOT NULL GROUP BY campaign_id, status`)
	if err != nil {
		return nil, fmt.Errorf("campaign counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]Counts{}
	for rows.Next() {
		var id int64
		var st string
		var n int
		if err := rows.Scan(&id, &st, &n); err != nil {
			return nil, fmt.Errorf("campaign counts: %w", err)
		}
		c := out[id]
		c.add(st, n)
		out[id] = c
	}
	return out, rows.Err()
}

// HouseholdView is a household as staff see it: personal data masked.
type HouseholdView struct {
	HouseholdID      string     `json:"household_id"`
	NameMasked       string     `json:"name_masked"`
	NationalIDMasked string     `json:"national_id_masked"`
	PhoneMasked      string     `json:"phone_masked"`
	Region           string     `json:"region"`
	Area             string     `json:"area"`
	Program          string     `json:"program"`
	EnrolledOn       string     `json:"enrolled_on"`
	NextReviewOn     string     `json:"next_review_on"`
	PhaseoutEndsOn   string     `json:"phaseout_ends_on,omitempty"`
	PledgeSignedOn   string     `json:"pledge_signed_on,omitempty"`
	Bound            bool       `json:"bound"`
	BoundAt          *time.Time `json:"bound_at,omitempty"`
	OptedOutAt       *time.Time `json:"opted_out_at,omitempty"`
	UnreachableAt    *time.Time `json:"unreachable_at,omitempty"`
	UnreachableWhy   string     `json:"unreachable_reason,omitempty"`
	// IDShared: another household has the same ID number (see import);
	// SharesIDWith names them, filled by Household.
	IDShared     bool     `json:"id_shared"`
	SharesIDWith []string `json:"shares_id_with,omitempty"`
}

const householdCols = `household_id, name_masked, national_id_masked, phone_masked, region, area, program,
	enrolled_on, next_review_on, phaseout_ends_on, pledge_signed_on, chat_id IS NOT NULL, bound_at, opted_out_at,
	unreachable_at, unreachable_reason, id_shared`

func scanHousehold(row pgx.Row) (HouseholdView, error) {
	var h HouseholdView
	var enrolled, review time.Time
	var phaseout, pledge *time.Time
	err := row.Scan(&h.HouseholdID, &h.NameMasked, &h.NationalIDMasked, &h.PhoneMasked, &h.Region, &h.Area, &h.Program,
		&enrolled, &review, &phaseout, &pledge, &h.Bound, &h.BoundAt, &h.OptedOutAt, &h.UnreachableAt, &h.UnreachableWhy, &h.IDShared)
	if err != nil {
		return h, err
	}
	h.EnrolledOn, h.NextReviewOn = enrolled.Format(time.DateOnly), review.Format(time.DateOnly)
	if phaseout != nil {
		h.PhaseoutEndsOn = phaseout.Format(time.DateOnly)
	}
	if pledge != nil {
		h.PledgeSignedOn = pledge.Format(time.DateOnly)
	}
	return h, nil
}

// Household returns one household by id.
func (s *Service) Household(ctx context.Context, id string) (HouseholdView, error) {
	h, err := scanHousehold(s.pool.QueryRow(ctx, `SELECT `+householdCols+` FROM outreach_households WHERE household_id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return h, fmt.Errorf("household %q: %w", id, ErrNotFound)
	}
	if err != nil || !h.IDShared {
		return h, err
	}
	rows, err := s.pool.Query(ctx, `
		SELECT o.household_id FROM outreach_households h
		JOIN outreach_households o ON o.national_id_hash = h.national_id_hash AND o.household_id <> h.household_id
		WHERE h.household_id = $1 ORDER BY 1`, id)
	if err != nil {
		return h, fmt.Errorf("household %q: %w", id, err)
	}
	h.SharesIDWith, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return h, err
}

// SearchHouseholds finds households by household id (exact, or prefix) or
// by national ID number, which is matched through its keyed hash: the
// number itself is never compared in the clear.
func (s *Service) SearchHouseholds(ctx context.Context, query string, limit int) ([]HouseholdView, error) {
	query = strings.TrimSpace(query)
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	out := []HouseholdView{}
	if query == "" {
		return out, nil
	}
	var rows pgx.Rows
	var err error
	if nid, verr := pii.ValidateNationalID(query); verr == nil {
		if err := s.needVault(); err != nil {
			return nil, err
		}
		rows, err = s.pool.Query(ctx, `SELECT `+householdCols+` FROM outreach_households WHERE national_id_hash = $1 LIMIT $2`,
			s.vault.LookupHash("national_id", nid), limit)
	} else {
		rows, err = s.pool.Query(ctx, `SELECT `+householdCols+` FROM outreach_households
			WHERE household_id = $1 OR household_id LIKE $2 ORDER BY household_id LIMIT $3`,
			query, strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(query)+"%", limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search households: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanHousehold(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// TimelineEntry is one thing that happened to a household.
type TimelineEntry struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"` // reminder kind, or bound, opted_out, opted_in, acknowledged, pledge_signed, contact_requested
	Status     string    `json:"status,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	DeliveryID int64     `json:"delivery_id,omitempty"`
	CampaignID *int64    `json:"campaign_id,omitempty"`
	// A reminder's two days, YYYY-MM-DD: the day it is sent (its period)
	// and the day it reminds of (the review, phase-out end or pledge).
	SendOn string `json:"send_on,omitempty"`
	DueOn  string `json:"due_on,omitempty"`
}

// Timeline lists a household's reminders and deliveries, acknowledgements,
// pledge signatures and opt-outs, oldest first.
func (s *Service) Timeline(ctx context.Context, householdID string) ([]TimelineEntry, error) {
	if _, err := s.Household(ctx, householdID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `
		SELECT created_at, kind, status, reason, id, campaign_id,
			CASE WHEN campaign_id IS NULL THEN period ELSE '' END, coalesce(to_char(due_on, 'YYYY-MM-DD'), '')
		FROM outreach_deliveries WHERE household_id = $1
		UNION ALL
		SELECT sent_at, 'delivered', status, '', id, campaign_id, '', '' FROM outreach_deliveries WHERE household_id = $1 AND sent_at IS NOT NULL
		UNION ALL
		SELECT at, kind, '', detail, 0, NULL, '', '' FROM outreach_events WHERE household_id = $1
		UNION ALL
		SELECT signed_at, 'pledge_signed', '', '承诺文本版本 ' || version, coalesce(delivery_id, 0), NULL, '', '' FROM outreach_pledges WHERE household_id = $1
		ORDER BY 1, 5`, householdID)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	out := []TimelineEntry{}
	for rows.Next() {
		var e TimelineEntry
		if err := rows.Scan(&e.At, &e.Kind, &e.Status, &e.Detail, &e.DeliveryID, &e.CampaignID, &e.SendOn, &e.DueOn); err != nil {
			return nil, err
		}
		e.Detail = strings.TrimSpace(e.Detail)
		out = append(out, e)
	}
	return out, rows.Err()
}

// FollowUp is a household staff should call or visit, and why.
type FollowUp struct {
	HouseholdID string    `json:"household_id"`
	NameMasked  string    `json:"name_masked"`
	PhoneMasked string    `json:"phone_masked"`
	Region      string    `json:"region"`
	Reason      string    `json:"reason"` // unreachable | unacknowledged | pledge_overdue
	Detail      string    `json:"detail"`
	Since       time.Time `json:"since"`
}

// FollowUps lists households that need a person: unreachable (no chat, bot
// blocked, messages failing), reminders sent but unacknowledged after the
// rules' days, and pledges still unsigned after the last reminder.
func (s *Service) FollowUps(ctx context.Context) ([]FollowUp, error) {
	ack := s.rules.Default.UnacknowledgedAfterDays
	pledge := s.rules.Default
	rows, err := s.pool.Query(ctx, `
		SELECT h.household_id, h.name_masked, h.phone_masked, h.region, 'unreachable',
			coalesce(nullif(h.unreachable_reason, ''), '未绑定聊天'), coalesce(h.unreachable_at, h.created_at)
		FROM outreach_households h
		WHERE h.opted_out_at IS NULL AND (h.unreachable_at IS NOT NULL OR (h.chat_id IS NULL AND EXISTS (
			SELECT 1 FROM outreach_deliveries d WHERE d.household_id = h.household_id AND d.status = 'unreachable')))
		UNION ALL
		-- Bound since, but a reminder from before the binding was past its
		-- date by then and was never sent (Bind queues the current ones).
		SELECT h.household_id, h.name_masked, h.phone_masked, h.region, 'unreachable',
			d.kind || ' 提醒在绑定前未送达', min(d.created_at)
		FROM outreach_deliveries d JOIN outreach_households h USING (household_id)
		WHERE d.status = 'unreachable' AND d.campaign_id IS NULL AND h.chat_id IS NOT NULL
		  AND h.unreachable_at IS NULL AND h.opted_out_at IS NULL
		GROUP BY h.household_id, h.name_masked, h.phone_masked, h.region, d.kind
		UNION ALL
		SELECT h.household_id, h.name_masked, h.phone_masked, h.region, 'failed', d.kind || '：' || d.reason, d.updated_at
		FROM outreach_deliveries d JOIN outreach_households h USING (household_id)
		WHERE d.status = 'failed'
		UNION ALL
		SELECT h.household_id, h.name_masked, h.phone_masked, h.region, 'unacknowledged',
			d.kind || ' 提醒发出后未确认', min(d.sent_at)
		FROM outreach_deliveries d JOIN outreach_households h USING (household_id)
		WHERE d.status = 'sent' AND d.kind <> 'campaign' AND d.sent_at < now() - make_interval(days => $1)
		  AND h.opted_out_at IS NULL
		GROUP BY h.household_id, h.name_masked, h.phone_masked, h.region, d.kind
		UNION ALL
		SELECT h.household_id, h.name_masked, h.phone_masked, h.region, 'pledge_overdue',
			format('已提醒 %s 次仍未签署诚信承诺', count(*)), max(d.created_at)
		FROM outreach_deliveries d JOIN outreach_households h USING (household_id)
		WHERE d.kind = 'pledge' AND d.created_at > coalesce(h.pledge_signed_on, '-infinity'::date)
		GROUP BY h.household_id, h.name_masked, h.phone_masked, h.region
		HAVING count(*) >= $2 AND max(d.created_at) < now() - make_interval(days => $3)
		ORDER BY 5, 7, 1`, ack, pledge.PledgeMaxReminders, pledge.PledgeEveryDays)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	defer rows.Close()
	out := []FollowUp{}
	for rows.Next() {
		var f FollowUp
		if err := rows.Scan(&f.HouseholdID, &f.NameMasked, &f.PhoneMasked, &f.Region, &f.Reason, &f.Detail, &f.Since); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// WriteFollowUpsCSV writes the follow-up list as CSV for staff.
func WriteFollowUpsCSV(w io.Writer, list []FollowUp, tz *time.Location) error {
	cw := csvexport.NewWriter(w)
	_ = cw.Write([]string{"household_id", "name", "phone", "region", "reason", "detail", "since"})
	for _, f := range list {
		_ = cw.Write([]string{f.HouseholdID, f.NameMasked, f.PhoneMasked, f.Region, f.Reason, f.Detail,
			f.Since.In(tz).Format("2006-01-02 15:04")})
	}
	cw.Flush()
	return cw.Error()
}

// Delivery is one ledger row as staff see it.
type Delivery struct {
	ID           int64      `json:"id"`
	HouseholdID  string     `json:"household_id"`
	Kind         string     `json:"kind"`
	Period       string     `json:"period"`
	CampaignID   *int64     `json:"campaign_id,omitempty"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason,omitempty"`
	Attempts     int        `json:"attempts"`
	SentAt       *time.Time `json:"sent_at,omitempty"`
	Acknowledged *time.Time `json:"acknowledged_at,omitempty"`
}

// Deliveries lists a campaign's (or, with nil, the reminders') ledger rows
// in one status ("" for all), at most limit.
func (s *Service) Deliveries(ctx context.Context, campaignID *int64, status string, limit int) ([]Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	var cid int64
	if campaignID != nil {
		cid = *campaignID
	}
	rows, err := s.pool.Query(ctx, `SELECT id, household_id, kind, period, campaign_id, status, reason, attempts, sent_at, acknowledged_at
		FROM outreach_deliveries
		WHERE (($1 = 0 AND campaign_id IS NULL) OR campaign_id = $1) AND ($2 = '' OR status = $2)
		ORDER BY id LIMIT $3`, cid, status, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.HouseholdID, &d.Kind, &d.Period, &d.CampaignID, &d.Status, &d.Reason, &d.Attempts,
			&d.SentAt, &d.Acknowledged); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

package outreach

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/chat"
)

// Segment picks the households a campaign goes to. Empty fields match all.
// The due window selects households whose date of DueField (review,
// phaseout or pledge: the date the pledge is owed) lies in [DueFrom, DueTo].
type Segment struct {
	Regions  []string `json:"regions,omitempty"`
	Area     string   `json:"area,omitempty"`
	Programs []string `json:"programs,omitempty"`
	DueField string   `json:"due_field,omitempty"`
	DueFrom  string   `json:"due_from,omitempty"` // YYYY-MM-DD
	DueTo    string   `json:"due_to,omitempty"`
}

// CampaignInput is what staff give to create (or preview) a campaign.
type CampaignInput struct {
	Name string `json:"name"`
	// Template names an embedded template (prompts/outreach); Text is a
	// bureau's own message, placeholders allowed. One of them is required.
	Template   string    `json:"template,omitempty"`
	Text       string    `json:"text,omitempty"`
	WithPledge bool      `json:"with_pledge,omitempty"`
	Segment    Segment   `json:"segment"`
	StartAt    time.Time `json:"start_at"`
	Window     string    `json:"window,omitempty"` // local HH:MM-HH:MM, default the rules' window
	Rate       float64   `json:"rate,omitempty"`   // messages a second, ≤ OUTREACH_RATE; default OUTREACH_RATE
	// PauseAfter failures within PauseWindow pause the campaign (default 20
	// in 60 s); 0 keeps the default, negative turns auto-pause off.
	PauseAfter  int           `json:"pause_after,omitempty"`
	PauseWindow time.Duration `json:"pause_window,omitempty"`
	CreatedBy   string        `json:"created_by,omitempty"`
}

// Campaign is a stored campaign.
type Campaign struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Template     string     `json:"template"`
	Body         string     `json:"body"`
	WithPledge   bool       `json:"with_pledge"`
	Segment      Segment    `json:"segment"`
	StartAt      time.Time  `json:"start_at"`
	Window       string     `json:"window"`
	Rate         float64    `json:"rate"`
	PauseAfter   int        `json:"pause_after"`
	PauseWindowS int        `json:"pause_window_s"`
	Status       string     `json:"status"`
	StatusReason string     `json:"status_reason"`
	TestedAt     *time.Time `json:"tested_at"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	Counts       *Counts    `json:"counts,omitempty"`
}

// Preview is how many households a campaign reaches and three rendered
// samples, names masked.
type Preview struct {
	Count   int      `json:"count"`
	Samples []string `json:"samples"`
}

// FieldError names the input field that is wrong.
type FieldError struct{ Field, Message string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func (s *Service) normalize(ctx context.Context, in *CampaignInput) (body string, w Window, err error) {
	if strings.TrimSpace(in.Name) == "" {
		return "", w, &FieldError{"name", "is required"}
	}
	switch {
	case in.Template != "" && in.Text != "":
		return "", w, &FieldError{"template", "give a template or a text, not both"}
	case in.Template != "":
		body, err = TemplateText(in.Template)
		if err != nil {
			return "", w, &FieldError{"template", fmt.Sprintf("unknown template %q (known: %s)", in.Template, strings.Join(Templates(), ", "))}
		}
	case strings.TrimSpace(in.Text) != "":
		notice, err := TemplateText("notice")
		if err != nil {
			return "", w, err
		}
		body = strings.Replace(notice, "{{.Body}}", strings.TrimSpace(in.Text), 1)
	default:
		return "", w, &FieldError{"template", "a template or a text is required"}
	}
	if err := ValidateTemplate(body); err != nil {
		return "", w, &FieldError{"text", err.Error()}
	}
	if in.Window == "" {
		in.Window = s.rules.Default.Window
	}
	if w, err = ParseWindow(in.Window); err != nil {
		return "", w, &FieldError{"window", err.Error()}
	}
	if in.Rate == 0 || in.Rate > s.cfg.Rate {
		in.Rate = s.cfg.Rate
	}
	if in.Rate < 0 {
		return "", w, &FieldError{"rate", "must be positive"}
	}
	if in.PauseAfter == 0 {
		in.PauseAfter = 20
	}
	if in.PauseAfter < 0 {
		in.PauseAfter = 0
	}
	if in.PauseWindow <= 0 {
		in.PauseWindow = time.Minute
	}
	if in.StartAt.IsZero() {
		in.StartAt = s.cfg.Now()
	}
	sg := &in.Segment
	if len(sg.Regions) > 0 {
		known, err := s.cfg.Regions.RegionIDs(ctx)
		if err != nil {
			return "", w, fmt.Errorf("campaign: region list: %w", err)
		}
		for _, r := range sg.Regions {
			if !slices.Contains(known, r) {
				return "", w, &FieldError{"region", unknownRegion(r, known)}
			}
		}
	}
	if sg.Area != "" && sg.Area != "urban" && sg.Area != "rural" {
		return "", w, &FieldError{"area", fmt.Sprintf("%q is not urban or rural", sg.Area)}
	}
	for _, p := range sg.Programs {
		if !contains(Programs, p) {
			return "", w, &FieldError{"program", fmt.Sprintf("unknown program %q", p)}
		}
	}
	if sg.DueField != "" && !contains([]string{"review", "phaseout", "pledge"}, sg.DueField) {
		return "", w, &FieldError{"due-field", fmt.Sprintf("%q is not review, phaseout or pledge", sg.DueField)}
	}
	for _, f := range []struct{ name, v string }{{"due-from", sg.DueFrom}, {"due-to", sg.DueTo}} {
		if f.v == "" {
			continue
		}
		if sg.DueField == "" {
			return "", w, &FieldError{f.name, "needs --due-field"}
		}
		if _, err := time.Parse(time.DateOnly, f.v); err != nil {
			return "", w, &FieldError{f.name, fmt.Sprintf("%q is not a date YYYY-MM-DD", f.v)}
		}
	}
	return body, w, nil
}

// segmentWhere is the SQL condition of a segment over outreach_households h,
// with its arguments numbered from argBase+1.
func segmentWhere(sg Segment, argBase int) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, argBase+len(args)))
	}
	if len(sg.Regions) > 0 {
		add("h.region = ANY($%d::text[])", sg.Regions)
	}
	if sg.Area != "" {
		add("h.area = $%d", sg.Area)
	}
	if len(sg.Programs) > 0 {
		add("h.program = ANY($%d::text[])", sg.Programs)
	}
	var col string
	switch sg.DueField {
	case "review":
		col = "h.next_review_on"
	case "phaseout":
		col = "h.phaseout_ends_on"
	case "pledge":
		col = "CASE WHEN h.pledge_signed_on IS NULL THEN h.enrolled_on ELSE (h.pledge_signed_on + interval '1 year')::date END"
	}
	if col != "" && sg.DueFrom != "" {
		add(col+" >= $%d::date", sg.DueFrom)
	}
	if col != "" && sg.DueTo != "" {
		add(col+" <= $%d::date", sg.DueTo)
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return strings.Join(conds, " AND "), args
}

// PreviewCampaign counts the segment and renders three samples with masked
// names, without storing anything.
func (s *Service) PreviewCampaign(ctx context.Context, in CampaignInput) (Preview, error) {
	body, _, err := s.normalize(ctx, &in)
	if err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, body, in.Segment)
}

func (s *Service) preview(ctx context.Context, body string, sg Segment) (Preview, error) {
	where, args := segmentWhere(sg, 0)
	pv := Preview{Samples: []string{}}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outreach_households h WHERE `+where, args...).Scan(&pv.Count); err != nil {
		return pv, fmt.Errorf("preview: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT h.household_id, h.name_masked, h.region, h.program, h.next_review_on, h.phaseout_ends_on
		FROM outreach_households h WHERE `+where+` ORDER BY h.household_id LIMIT 3`, args...)
	if err != nil {
		return pv, fmt.Errorf("preview: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hid, name, region, program string
		var review time.Time
		var phaseout *time.Time
		if err := rows.Scan(&hid, &name, &region, &program, &review, &phaseout); err != nil {
			return pv, err
		}
		due := dueFor(sg.DueField, review, phaseout)
		msg, err := Render(body, s.messageData(hid, name, region, program, review, phaseout, due))
		if err != nil {
			return pv, err
		}
		pv.Samples = append(pv.Samples, msg)
	}
	return pv, rows.Err()
}

func dueFor(field string, review time.Time, phaseout *time.Time) *time.Time {
	switch field {
	case "phaseout":
		return phaseout
	case "review", "":
		return &review
	}
	return nil
}

// CreateCampaign stores a campaign as a draft: preview and test-send it,
// then StartCampaign.
func (s *Service) CreateCampaign(ctx context.Context, in CampaignInput) (Campaign, error) {
	body, w, err := s.normalize(ctx, &in)
	if err != nil {
		return Campaign{}, err
	}
	seg, _ := json.Marshal(in.Segment)
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO outreach_campaigns (name, template, body, with_pledge, segment, start_at,
		window_start, window_end, rate, pause_after, pause_window_s, status, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12) RETURNING id`,
		in.Name, in.Template, body, in.WithPledge, seg, in.StartAt, w.Start, w.End, in.Rate, in.PauseAfter,
		int(in.PauseWindow.Seconds()), in.CreatedBy).Scan(&id)
	if err != nil {
		return Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	return s.Campaign(ctx, id)
}

const campaignCols = `id, name, template, body, with_pledge, segment, start_at, window_start, window_end, rate,
	pause_after, pause_window_s, status, status_reason, tested_at, created_by, created_at`

func scanCampaign(row pgx.Row) (Campaign, error) {
	var c Campaign
	var seg []byte
	var ws, we int
	err := row.Scan(&c.ID, &c.Name, &c.Template, &c.Body, &c.WithPledge, &seg, &c.StartAt, &ws, &we, &c.Rate,
		&c.PauseAfter, &c.PauseWindowS, &c.Status, &c.StatusReason, &c.TestedAt, &c.CreatedBy, &c.CreatedAt)
	if err != nil {
		return c, err
	}
	_ = json.Unmarshal(seg, &c.Segment)
	c.Window = Window{Start: ws, End: we}.String()
	return c, nil
}

// Campaign returns one campaign with its counts by status.
func (s *Service) Campaign(ctx context.Context, id int64) (Campaign, error) {
	c, err := scanCampaign(s.pool.QueryRow(ctx, `SELECT `+campaignCols+` FROM outreach_campaigns WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("campaign %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("campaign %d: %w", id, err)
	}
	r, err := s.Report(ctx, &id)
	if err != nil {
		return c, err
	}
	c.Counts = &r.Counts
	return c, nil
}

// Campaigns lists campaigns, newest first.
func (s *Service) Campaigns(ctx context.Context) ([]Campaign, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+campaignCols+` FROM outreach_campaigns ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CampaignPreview previews a stored campaign.
func (s *Service) CampaignPreview(ctx context.Context, id int64) (Preview, error) {
	c, err := s.Campaign(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	return s.PreviewOf(ctx, c)
}

// PreviewOf previews a campaign the caller has loaded already, so a page
// that shows the campaign does not read it (and its counts) a second time.
func (s *Service) PreviewOf(ctx context.Context, c Campaign) (Preview, error) {
	return s.preview(ctx, c.Body, c.Segment)
}

// TestSend delivers the campaign's rendered samples (names masked) to staff
// chats directly, before any resident sees it, and records that it did.
func (s *Service) TestSend(ctx context.Context, id int64, staffChats []chat.Address) (int, error) {
	if s.cfg.Sender == nil {
		return 0, ErrNoSender
	}
	if len(staffChats) == 0 {
		return 0, &FieldError{"chat", "at least one staff chat id is required"}
	}
	c, err := s.Campaign(ctx, id)
	if err != nil {
		return 0, err
	}
	pv, err := s.preview(ctx, c.Body, c.Segment)
	if err != nil {
		return 0, err
	}
	if len(pv.Samples) == 0 {
		pv.Samples = []string{"（该人群目前没有住户，以下为示例）\n" + c.Body}
	}
	sent := 0
	for _, to := range staffChats {
		if err := to.Validate(); err != nil {
			return sent, &FieldError{"chat", err.Error()}
		}
		for i, sample := range pv.Samples {
			text := fmt.Sprintf("【测试发送 活动 #%d「%s」 样例 %d/%d，共 %d 户】\n%s", c.ID, c.Name, i+1, len(pv.Samples), pv.Count, sample)
			if _, err := s.cfg.Sender.Send(ctx, to, chat.Message{Text: text}); err != nil {
				return sent, fmt.Errorf("test send to staff chat: %w", err)
			}
			sent++
		}
	}
	_, err = s.pool.Exec(ctx, `UPDATE outreach_campaigns SET tested_at = now(), updated_at = now() WHERE id = $1`, id)
	return sent, err
}

// StartCampaign snapshots the segment into the ledger and queues every
// message, in one transaction, scheduled from the start time into the
// sending window. Unless force, the campaign must have been test-sent.
func (s *Service) StartCampaign(ctx context.Context, id int64, force bool) (Campaign, error) {
	c, err := s.Campaign(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Status != "draft" {
		return c, fmt.Errorf("start campaign %d (%s): %w", id, c.Status, ErrCampaignState)
	}
	if c.TestedAt == nil && !force {
		return c, ErrNotTested
	}
	w, _ := ParseWindow(c.Window)
	where, args := segmentWhere(c.Segment, 2)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE outreach_campaigns SET status = 'running', status_reason = '', updated_at = now()
			WHERE id = $1 AND status = 'draft'`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return ErrCampaignState
		}
		dueExpr := "h.next_review_on"
		if c.Segment.DueField == "phaseout" {
			dueExpr = "h.phaseout_ends_on"
		}
		rows, err := tx.Query(ctx, `
			INSERT INTO outreach_deliveries (household_id, kind, period, campaign_id, due_on, status, reason, chat_channel, chat_id)
			SELECT h.household_id, 'campaign', $2, $1, `+dueExpr+`, `+statusExpr+`, `+reasonExpr+`, h.chat_channel, h.chat_id
			FROM outreach_households h WHERE `+where+`
			ON CONFLICT (household_id, kind, period) DO NOTHING
			RETURNING id, status`, append([]any{id, fmt.Sprintf("c%d", id)}, args...)...)
		if err != nil {
			return err
		}
		var queued []int64
		for rows.Next() {
			var did int64
			var st string
			if err := rows.Scan(&did, &st); err != nil {
				rows.Close()
				return err
			}
			if st == "queued" {
				queued = append(queued, did)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		at := c.StartAt
		if now := s.cfg.Now(); at.Before(now) {
			at = now
		}
		return s.enqueue(ctx, tx, queued, w.Next(at, s.cfg.TZ))
	})
	if err != nil {
		return c, fmt.Errorf("start campaign %d: %w", id, err)
	}
	return s.Campaign(ctx, id)
}

// PauseCampaign stops a running campaign's sends; messages already on the
// wire finish, the rest wait as held until ResumeCampaign.
func (s *Service) PauseCampaign(ctx context.Context, id int64, reason string) (Campaign, error) {
	if strings.TrimSpace(reason) == "" {
		reason = "工作人员暂停"
	}
	return s.setCampaignStatus(ctx, id, "paused", reason, "running")
}

// ResumeCampaign continues a paused campaign and requeues its held messages.
func (s *Service) ResumeCampaign(ctx context.Context, id int64) (Campaign, error) {
	c, err := s.setCampaignStatus(ctx, id, "running", "", "paused")
	if err != nil {
		return c, err
	}
	if _, err := s.Requeue(ctx, id); err != nil {
		return c, err
	}
	return s.Campaign(ctx, id)
}

// CancelCampaign ends a campaign for good; unsent messages are cancelled.
func (s *Service) CancelCampaign(ctx context.Context, id int64, reason string) (Campaign, error) {
	if strings.TrimSpace(reason) == "" {
		reason = "工作人员取消"
	}
	c, err := s.setCampaignStatus(ctx, id, "cancelled", reason, "draft", "running", "paused")
	if err != nil {
		return c, err
	}
	if _, err := s.pool.Exec(ctx, `UPDATE outreach_deliveries SET status = 'cancelled', reason = '活动已取消', updated_at = now()
		WHERE campaign_id = $1 AND status IN ('queued', 'held')`, id); err != nil {
		return c, fmt.Errorf("cancel campaign %d: %w", id, err)
	}
	return s.Campaign(ctx, id)
}

func (s *Service) setCampaignStatus(ctx context.Context, id int64, to, reason string, from ...string) (Campaign, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE outreach_campaigns SET status = $2, status_reason = $3, updated_at = now()
		WHERE id = $1 AND status = ANY($4)`, id, to, reason, from)
	if err != nil {
		return Campaign{}, fmt.Errorf("campaign %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		c, err := s.Campaign(ctx, id)
		if err != nil {
			return c, err
		}
		return c, fmt.Errorf("campaign %d is %s: %w", id, c.Status, ErrCampaignState)
	}
	return s.Campaign(ctx, id)
}

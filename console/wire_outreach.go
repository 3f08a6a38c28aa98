package console

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/outreach"
)

// OutreachOf adapts the outreach service to both Households and
// Campaigns; pass the result as both: d.Households, d.Campaigns = o, o.
func OutreachOf(s *outreach.Service, tz *time.Location) interface {
	Households
	Campaigns
} {
	if tz == nil {
		tz = config.DefaultTZ()
	}
	return outreachAdapter{s, tz}
}

type outreachAdapter struct {
	s  *outreach.Service
	tz *time.Location
}

func outreachErr(err error) error {
	var fe *outreach.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return &FieldError{Field: fe.Field, Msg: fe.Message}
	case errors.Is(err, outreach.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, outreach.ErrCampaignState):
		return fmt.Errorf("%w: %w", ErrCampaignState, err)
	case errors.Is(err, outreach.ErrNotTested):
		return ErrNotTested
	}
	return err
}

// ErrNotTested means a campaign must be test-sent (or started with force).
var ErrNotTested = errors.New("campaign has not been test-sent")

func summaryOf(h outreach.HouseholdView) HouseholdSummary {
	return HouseholdSummary{ID: h.HouseholdID, HeadName: h.NameMasked, NationalID: h.NationalIDMasked, Region: h.Region, Program: h.Program}
}

func (o outreachAdapter) FindHouseholds(ctx context.Context, q string) ([]HouseholdSummary, error) {
	hs, err := o.s.SearchHouseholds(ctx, q, 50)
	if err != nil {
		return nil, outreachErr(err)
	}
	out := make([]HouseholdSummary, len(hs))
	for i, h := range hs {
		out[i] = summaryOf(h)
	}
	return out, nil
}

func (o outreachAdapter) HouseholdDetail(ctx context.Context, id string) (HouseholdDetail, error) {
	h, err := o.s.Household(ctx, id)
	if err != nil {
		return HouseholdDetail{}, outreachErr(err)
	}
	tl, err := o.s.Timeline(ctx, id)
	if err != nil {
		return HouseholdDetail{}, outreachErr(err)
	}
	d := HouseholdDetail{
		HouseholdSummary: summaryOf(h), Phone: h.PhoneMasked, Area: h.Area,
		EnrolledOn: h.EnrolledOn, NextReviewOn: h.NextReviewOn, PhaseoutEndsOn: h.PhaseoutEndsOn,
		PledgeSignedOn: h.PledgeSignedOn, Bound: h.Bound, OptedOut: h.OptedOutAt != nil,
		SharesIDWith: h.SharesIDWith,
	}
	for _, e := range tl {
		detail := e.Detail
		if e.Status != "" && e.Kind != "delivered" {
			detail = strings.TrimSpace(label(e.Status) + " " + detail)
		}
		if e.CampaignID != nil {
			detail = strings.TrimSpace(fmt.Sprintf("活动 #%d %s", *e.CampaignID, detail))
		}
		d.Timeline = append(d.Timeline, TimelineEvent{At: e.At, Kind: e.Kind, Detail: detail})
	}
	return d, nil
}

func (o outreachAdapter) FollowUps(ctx context.Context) ([]FollowUp, error) {
	fs, err := o.s.FollowUps(ctx)
	if err != nil {
		return nil, outreachErr(err)
	}
	out := make([]FollowUp, len(fs))
	for i, f := range fs {
		out[i] = FollowUp{HouseholdID: f.HouseholdID, HeadName: f.NameMasked, Phone: f.PhoneMasked, Region: f.Region,
			Reason: f.Reason, Reminder: f.Detail, Since: f.Since}
	}
	return out, nil
}

func (o outreachAdapter) CampaignTemplates(ctx context.Context) ([]string, error) {
	return outreach.Templates(), nil
}

// input maps the console's form onto a campaign input. "Due within N
// days" selects households whose periodic review falls in the next N
// days, counted from the start.
func (o outreachAdapter) input(spec CampaignSpec, by string) outreach.CampaignInput {
	in := outreach.CampaignInput{
		Name: spec.Name, Template: spec.Template, StartAt: spec.StartAt,
		Rate: float64(spec.Rate), CreatedBy: by,
		Segment: outreach.Segment{Area: spec.Area},
	}
	// The general notice carries the bureau's own words inside the
	// template's greeting and sign-off.
	if strings.TrimSpace(spec.Text) != "" && (spec.Template == "" || spec.Template == "notice") {
		in.Template, in.Text = "", spec.Text
	}
	if spec.WindowStart != "" || spec.WindowEnd != "" {
		in.Window = spec.WindowStart + "-" + spec.WindowEnd
	}
	if spec.Region != "" {
		in.Segment.Regions = []string{spec.Region}
	}
	if spec.Program != "" {
		in.Segment.Programs = []string{spec.Program}
	}
	if spec.DueWithin > 0 {
		from := spec.StartAt
		if from.IsZero() {
			from = time.Now()
		}
		from = from.In(o.tz)
		in.Segment.DueField = "review"
		in.Segment.DueFrom = from.Format(time.DateOnly)
		in.Segment.DueTo = from.AddDate(0, 0, spec.DueWithin).Format(time.DateOnly)
	}
	return in
}

func (o outreachAdapter) campaignOf(c outreach.Campaign) Campaign {
	out := Campaign{ID: c.ID, Name: c.Name, State: c.Status, Reason: c.StatusReason, CreatedBy: c.CreatedBy,
		CreatedAt: c.CreatedAt, Tested: c.TestedAt != nil, Counts: map[string]int{}}
	ws, we, _ := strings.Cut(c.Window, "-")
	out.Spec = CampaignSpec{Name: c.Name, Area: c.Segment.Area, Template: c.Template, StartAt: c.StartAt,
		Text:        c.Body,
		WindowStart: ws, WindowEnd: we, Rate: int(c.Rate)}
	if len(c.Segment.Regions) > 0 {
		out.Spec.Region = strings.Join(c.Segment.Regions, ",")
	}
	if len(c.Segment.Programs) > 0 {
		out.Spec.Program = strings.Join(c.Segment.Programs, ",")
	}
	if k := c.Counts; k != nil {
		out.Counts = map[string]int{"queued": k.Queued, "sent": k.Sent, "failed": k.Failed,
			"unreachable": k.Unreachable, "acknowledged": k.Acknowledged, "opted_out": k.OptedOut}
	}
	return out
}

func (o outreachAdapter) PreviewCampaign(ctx context.Context, spec CampaignSpec) (CampaignPreview, error) {
	p, err := o.s.PreviewCampaign(ctx, o.input(spec, ""))
	if err != nil {
		return CampaignPreview{}, outreachErr(err)
	}
	return CampaignPreview{Count: p.Count, Samples: p.Samples}, nil
}

func (o outreachAdapter) CreateCampaign(ctx context.Context, spec CampaignSpec, by string) (Campaign, error) {
	c, err := o.s.CreateCampaign(ctx, o.input(spec, by))
	if err != nil {
		return Campaign{}, outreachErr(err)
	}
	return o.campaignOf(c), nil
}

func (o outreachAdapter) ListCampaigns(ctx context.Context) ([]Campaign, error) {
	cs, err := o.s.Campaigns(ctx)
	if err != nil {
		return nil, outreachErr(err)
	}
	out := make([]Campaign, 0, len(cs))
	for _, c := range cs {
		// The list has no counts; each campaign's report is a small
		// grouped count over its own deliveries.
		full, err := o.s.Campaign(ctx, c.ID)
		if err != nil {
			return nil, outreachErr(err)
		}
		out = append(out, o.campaignOf(full))
	}
	return out, nil
}

func (o outreachAdapter) GetCampaign(ctx context.Context, id int64) (Campaign, error) {
	c, err := o.s.Campaign(ctx, id)
	if err != nil {
		return Campaign{}, outreachErr(err)
	}
	return o.campaignOf(c), nil
}

func (o outreachAdapter) TestSendCampaign(ctx context.Context, id int64, by string, chats []chat.Address) (int, error) {
	n, err := o.s.TestSend(ctx, id, chats)
	if errors.Is(err, outreach.ErrNoSender) {
		return 0, &FieldError{Field: "chats", Msg: "本服务没有配置 Telegram 机器人，无法测试发送"}
	}
	return n, outreachErr(err)
}

func (o outreachAdapter) StartCampaign(ctx context.Context, id int64, by string, force bool) (Campaign, error) {
	c, err := o.s.StartCampaign(ctx, id, force)
	if err != nil {
		return Campaign{}, outreachErr(err)
	}
	return o.campaignOf(c), nil
}

func (o outreachAdapter) PauseCampaign(ctx context.Context, id int64, by string) (Campaign, error) {
	c, err := o.s.PauseCampaign(ctx, id, by+" 在工作台暂停")
	if err != nil {
		return Campaign{}, outreachErr(err)
	}
	return o.campaignOf(c), nil
}

func (o outreachAdapter) ResumeCampaign(ctx context.Context, id int64, by string) (Campaign, error) {
	c, err := o.s.ResumeCampaign(ctx, id)
	if err != nil {
		return Campaign{}, outreachErr(err)
	}
	return o.campaignOf(c), nil
}

func (o outreachAdapter) CancelCampaign(ctx context.Context, id int64, by string) (Campaign, error) {
	c, err := o.s.CancelCampaign(ctx, id, by+" 在工作台取消")
	if err != nil {
		return Campaign{}, outreachErr(err)
	}
	return o.campaignOf(c), nil
}

package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/safetynet/safetynet/outreach"
)

const dashboardDays = 14

type dashboardData struct {
	Residents      bool // the bot's question log is wired
	Outreach       bool // the outreach service is wired
	QuestionsChart template.HTML
	ShareChart     template.HTML
	HotlineChart   template.HTML
	// The reminders' funnel counts what `safetynet outreach report` counts
	// (outreach.Service.Report), so the two never disagree; the campaigns'
	// is the sum of `outreach report --campaign ID` over campaigns.
	ReminderFunnel template.HTML
	CampaignFunnel template.HTML
	ReminderLost   []statusCount // what has not got through: queued, unreachable, failed, opted out
	CampaignLost   []statusCount
	Totals         stats
}

// dayCount is one day's questions (residents' or hotline's): how many,
// how many went unanswered.
type dayCount struct {
	Day        string `json:"date"` // YYYY-MM-DD in the console's zone
	Total      int    `json:"total"`
	Unanswered int    `json:"unanswered"`
}

// stats are the dashboard's figures, also served as JSON.
type stats struct {
	Days            int             `json:"days"`
	Questions       []dayCount      `json:"questions"`
	HotlineLookups  []dayCount      `json:"hotline_lookups"`
	QuestionsTotal  int             `json:"questions_total"`
	UnansweredTotal int             `json:"unanswered_total"`
	Reminders       outreach.Counts `json:"reminders"`         // = outreach report
	CampaignCounts  outreach.Counts `json:"campaign_messages"` // summed over campaigns
	Campaigns       int             `json:"campaigns"`
}

// dayRange returns the last n local days, oldest first, as YYYY-MM-DD.
func (c *Console) dayRange(n int) []string {
	now := time.Now().In(c.tz)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, c.tz)
	out := make([]string, n)
	for i := range out {
		out[i] = today.AddDate(0, 0, i-n+1).Format(time.DateOnly)
	}
	return out
}

// fillDays puts counts onto every day of the range, zero where none.
func fillDays(days []string, counts []dayCount) []dayCount {
	byDay := map[string]dayCount{}
	for _, d := range counts {
		byDay[d.Day] = d
	}
	out := make([]dayCount, len(days))
	for i, d := range days {
		dc := byDay[d]
		dc.Day = d
		out[i] = dc
	}
	return out
}

func (c *Console) hotlineDaily(ctx context.Context, since string) ([]dayCount, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT to_char(asked_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day, count(*), count(*) FILTER (WHERE NOT answered)
		FROM console_hotline_questions WHERE asked_at >= ($1::date)::timestamp AT TIME ZONE $2
		GROUP BY 1 ORDER BY 1`, since, c.tz.String())
	if err != nil {
		return nil, fmt.Errorf("hotline daily: %w", err)
	}
	defer rows.Close()
	var out []dayCount
	for rows.Next() {
		var d dayCount
		if err := rows.Scan(&d.Day, &d.Total, &d.Unanswered); err != nil {
			return nil, fmt.Errorf("hotline daily: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func addCounts(a *outreach.Counts, b outreach.Counts) {
	a.Queued += b.Queued
	a.Sent += b.Sent
	a.Failed += b.Failed
	a.Unreachable += b.Unreachable
	a.Acknowledged += b.Acknowledged
	a.OptedOut += b.OptedOut
}

func (c *Console) collectStats(r *http.Request) (stats, error) {
	ctx := r.Context()
	days := c.dayRange(dashboardDays)
	st := stats{Days: dashboardDays}
	if c.questions != nil {
		qd, err := c.questions.Daily(ctx, dashboardDays, c.tz)
		if err != nil {
			return stats{}, fmt.Errorf("question log: %w", err)
		}
		// Daily has every day of the range already, those without
		// questions too; only the hotline's counts need filling in.
		st.Questions = make([]dayCount, len(qd))
		for i, d := range qd {
			st.Questions[i] = dayCount{Day: d.Date, Total: d.Asked, Unanswered: d.Unanswered}
		}
		if len(qd) == len(days) {
			// Daily counts its days by the database's clock; the hotline's
			// take the same days, so that around midnight the two charts
			// do not end on different dates.
			for i, d := range qd {
				days[i] = d.Date
			}
		}
		for _, d := range st.Questions {
			st.QuestionsTotal += d.Total
			st.UnansweredTotal += d.Unanswered
		}
	}
	h, err := c.hotlineDaily(ctx, days[0])
	if err != nil {
		return stats{}, err
	}
	st.HotlineLookups = fillDays(days, h)
	if c.outreach != nil {
		rep, err := c.outreach.Report(ctx, nil)
		if err != nil {
			return stats{}, fmt.Errorf("reminders: %w", err)
		}
		st.Reminders = rep.Counts
		list, err := c.campaignList(r)
		if err != nil {
			return stats{}, fmt.Errorf("campaigns: %w", err)
		}
		st.Campaigns = len(list)
		for _, cp := range list {
			if cp.Counts != nil {
				addCounts(&st.CampaignCounts, *cp.Counts)
			}
		}
	}
	return st, nil
}

func points(days []dayCount) []barPoint {
	out := make([]barPoint, len(days))
	for i, d := range days {
		// MM-DD: the year is the same on every bar but rarely.
		label := d.Day
		if len(label) == len(time.DateOnly) {
			label = label[5:]
		}
		out[i] = barPoint{Label: label, Total: d.Total, Part: d.Unanswered}
	}
	return out
}

// deliveryFunnel is the stages messages go through. Every message was
// queued once; those delivered include the acknowledged ones.
func deliveryFunnel(k outreach.Counts) []funnelStage {
	sent := k.Sent + k.Acknowledged
	all := k.Queued + sent + k.Failed + k.Unreachable + k.OptedOut
	return []funnelStage{
		{Label: "应发", Value: all, Class: "f1"},
		{Label: "已送达", Value: sent, Class: "f2"},
		{Label: "已确认", Value: k.Acknowledged, Class: "f3"},
	}
}

// notThrough is what has not reached residents (yet): still queued, and
// what never will — the bureau's follow-up work.
func notThrough(k outreach.Counts) []statusCount {
	return []statusCount{{"queued", k.Queued}, {"unreachable", k.Unreachable}, {"failed", k.Failed}, {"opted_out", k.OptedOut}}
}

func (c *Console) dashboardPage(w http.ResponseWriter, r *http.Request, s *session) {
	st, err := c.collectStats(r)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := dashboardData{Residents: c.questions != nil, Outreach: c.outreach != nil, Totals: st}
	if d.Residents {
		d.QuestionsChart = barChart("居民每日提问数（红色为未能回答）", "未回答", points(st.Questions))
		d.ShareChart = shareChart("未回答占比", points(st.Questions))
	}
	d.HotlineChart = barChart("热线每日查询数（红色为未能回答）", "未回答", points(st.HotlineLookups))
	if d.Outreach {
		d.ReminderFunnel = funnelChart("定期提醒送达漏斗", deliveryFunnel(st.Reminders))
		d.CampaignFunnel = funnelChart("提醒活动送达漏斗", deliveryFunnel(st.CampaignCounts))
		d.ReminderLost, d.CampaignLost = notThrough(st.Reminders), notThrough(st.CampaignCounts)
	}
	c.render(w, r, http.StatusOK, "dashboard", c.newView(s, "dashboard", "数据看板", d))
}

func (c *Console) apiStats(w http.ResponseWriter, r *http.Request, s *session) {
	st, err := c.collectStats(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

const dashboardDays = 14

type dashboardData struct {
	Residents      bool // the bot's question log is wired
	QuestionsChart template.HTML
	ShareChart     template.HTML
	HotlineChart   template.HTML
	Funnel         template.HTML
	FunnelNote     string
	Lost           []statusCount // what did not get through: failed, unreachable, opted out
	Totals         stats
}

// stats are the dashboard's figures, also served as JSON.
type stats struct {
	Days            int            `json:"days"`
	Questions       []DayCount     `json:"questions"`
	HotlineLookups  []DayCount     `json:"hotline_lookups"`
	QuestionsTotal  int            `json:"questions_total"`
	UnansweredTotal int            `json:"unanswered_total"`
	Delivery        map[string]int `json:"delivery"`
	Campaigns       int            `json:"campaigns"`
}

// dayRange returns the last n local days, oldest first, as midnights.
func (c *Console) dayRange(n int) []time.Time {
	now := time.Now().In(c.tz)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, c.tz)
	out := make([]time.Time, n)
	for i := range out {
		out[i] = today.AddDate(0, 0, i-n+1)
	}
	return out
}

// fillDays puts counts onto every day of the range, zero where none.
func (c *Console) fillDays(days []time.Time, counts []DayCount) []DayCount {
	byDay := map[string]DayCount{}
	for _, d := range counts {
		byDay[d.Day.In(c.tz).Format(time.DateOnly)] = d
	}
	out := make([]DayCount, len(days))
	for i, d := range days {
		dc := byDay[d.Format(time.DateOnly)]
		dc.Day = d
		out[i] = dc
	}
	return out
}

func (c *Console) hotlineDaily(ctx context.Context, since time.Time) ([]DayCount, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT date_trunc('day', asked_at AT TIME ZONE $2) AS day, count(*),
		       count(*) FILTER (WHERE NOT answered),
		       count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful)
		FROM console_hotline_questions WHERE asked_at >= $1 GROUP BY 1 ORDER BY 1`, since, c.tz.String())
	if err != nil {
		return nil, fmt.Errorf("hotline daily: %w", err)
	}
	defer rows.Close()
	var out []DayCount
	for rows.Next() {
		var d DayCount
		var day time.Time
		if err := rows.Scan(&day, &d.Total, &d.Unanswered, &d.Up, &d.Down); err != nil {
			return nil, fmt.Errorf("hotline daily: %w", err)
		}
		// The day came back as a local wall time without a zone.
		d.Day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, c.tz)
		out = append(out, d)
	}
	return out, rows.Err()
}

func (c *Console) collectStats(ctx context.Context) (stats, error) {
	days := c.dayRange(dashboardDays)
	st := stats{Days: dashboardDays, Delivery: map[string]int{}}
	if c.questions != nil {
		q, err := c.questions.DailyQuestions(ctx, days[0])
		if err != nil {
			return stats{}, fmt.Errorf("question log: %w", err)
		}
		st.Questions = c.fillDays(days, q)
		for _, d := range st.Questions {
			st.QuestionsTotal += d.Total
			st.UnansweredTotal += d.Unanswered
		}
	}
	h, err := c.hotlineDaily(ctx, days[0])
	if err != nil {
		return stats{}, err
	}
	st.HotlineLookups = c.fillDays(days, h)
	if c.campaigns != nil {
		list, err := c.campaigns.ListCampaigns(ctx)
		if err != nil {
			return stats{}, fmt.Errorf("campaigns: %w", err)
		}
		st.Campaigns = len(list)
		for _, cp := range list {
			for k, v := range cp.Counts {
				st.Delivery[k] += v
			}
		}
	}
	return st, nil
}

func points(days []DayCount) []barPoint {
	out := make([]barPoint, len(days))
	for i, d := range days {
		out[i] = barPoint{Label: d.Day.Format("01-02"), Total: d.Total, Part: d.Unanswered}
	}
	return out
}

// deliveryFunnel is the stages a campaign's messages go through. Every
// message was queued once; those sent include the acknowledged ones.
func deliveryFunnel(d map[string]int) []funnelStage {
	ack := d["acknowledged"]
	sent := d["sent"] + ack
	queued := d["queued"] + sent + d["failed"] + d["unreachable"] + d["opted_out"]
	return []funnelStage{
		{Label: "目标家庭", Value: queued, Class: "f1"},
		{Label: "已送达", Value: sent, Class: "f2"},
		{Label: "已确认", Value: ack, Class: "f3"},
	}
}

func (c *Console) dashboardPage(w http.ResponseWriter, r *http.Request, s *session) {
	st, err := c.collectStats(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := dashboardData{Residents: c.questions != nil, Totals: st}
	if d.Residents {
		d.QuestionsChart = barChart("居民每日提问数（红色为未能回答）", "未回答", points(st.Questions))
		d.ShareChart = shareChart("未回答占比", points(st.Questions))
	}
	d.HotlineChart = barChart("热线每日查询数（红色为未能回答）", "未回答", points(st.HotlineLookups))
	d.Funnel = funnelChart("提醒送达漏斗", deliveryFunnel(st.Delivery))
	if c.campaigns == nil {
		d.FunnelNote = "提醒活动模块尚未接入。"
	}
	for _, k := range []string{"unreachable", "failed", "opted_out"} {
		d.Lost = append(d.Lost, statusCount{k, st.Delivery[k]})
	}
	c.render(w, r, http.StatusOK, "dashboard", c.newView(s, "dashboard", "数据看板", d))
}

func (c *Console) apiStats(w http.ResponseWriter, r *http.Request, s *session) {
	st, err := c.collectStats(r.Context())
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

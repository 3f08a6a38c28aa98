package console

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
)

// campaignForm is the create form as typed, so a page with an error shows
// back what the person wrote.
type campaignForm struct {
	Name, Region, Area, Program, DueWithin string
	Template, Text                         string
	StartDate, StartTime                   string // YYYY-MM-DD and HH:MM, in the console's zone
	WindowStart, WindowEnd, Rate           string
}

type campaignsData struct {
	Templates []string
	Regions   []eligibility.Profile
	Form      campaignForm
	Preview   *outreach.Preview
	Campaigns []outreach.Campaign
	Bars      map[int64]template.HTML
}

type campaignData struct {
	Campaign outreach.Campaign
	Bar      template.HTML
	Statuses []statusCount
	Total    int
	Samples  []string // the message as residents will read it, names masked
}

type statusCount struct {
	Status string
	Count  int
}

var (
	reClock = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// parseDate reads a YYYY-MM-DD field typed by staff; the error names the
// field in words.
func parseDate(field, label, raw string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, raw, loc) // exactly YYYY-MM-DD, a real day
	if err != nil {
		return time.Time{}, &FieldError{field, label + "要写成 2026-03-01 这样的日期（年-月-日）"}
	}
	return t, nil
}

// parseClock reads an HH:MM field in 24-hour time.
func parseClock(field, label, raw string) (hour, minute int, err error) {
	if !reClock.MatchString(raw) {
		return 0, 0, &FieldError{field, label + "要写成 24 小时制的 08:00 这样的时间"}
	}
	hour, _ = strconv.Atoi(raw[:2])
	minute, _ = strconv.Atoi(raw[3:])
	return hour, minute, nil
}

// campaignInput reads the create form into the outreach service's input.
// Dates and times are plain text (not the browser's date pickers, whose
// format follows the browser's locale) and are checked here, each error
// naming its field. "Due within N days" selects households whose periodic
// review falls in the next N days from the start.
func (c *Console) campaignInput(r *http.Request) (campaignForm, outreach.CampaignInput, error) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	form := campaignForm{
		Name: f("name"), Region: f("region"), Area: f("area"), Program: f("program"), DueWithin: f("due_within"),
		Template: f("template"), Text: f("text"), StartDate: f("start_date"), StartTime: f("start_time"),
		WindowStart: f("window_start"), WindowEnd: f("window_end"), Rate: f("rate"),
	}
	in := outreach.CampaignInput{Name: form.Name, Template: form.Template,
		Segment: outreach.Segment{Area: form.Area}}
	if form.Name == "" {
		return form, in, &FieldError{"name", "请给活动起个名字"}
	}
	switch {
	case form.Template == "":
		return form, in, &FieldError{"template", "请选择消息模板"}
	case form.Template == "notice" && form.Text == "":
		return form, in, &FieldError{"text", "选了“一般通知”，请填写要告诉居民的内容"}
	case form.Template == "notice":
		// The general notice carries the bureau's own words inside the
		// template's greeting and sign-off.
		in.Template, in.Text = "", form.Text
	default:
		form.Text = ""
	}
	if form.Region != "" {
		in.Segment.Regions = []string{form.Region}
	}
	if form.Program != "" {
		in.Segment.Programs = []string{form.Program}
	}
	in.StartAt = time.Now()
	if form.StartDate != "" || form.StartTime != "" {
		day, err := parseDate("start_date", "开始日期", form.StartDate, c.tz)
		if err != nil {
			return form, in, err
		}
		h, m := 0, 0
		if form.StartTime != "" {
			if h, m, err = parseClock("start_time", "开始时间", form.StartTime); err != nil {
				return form, in, err
			}
		}
		in.StartAt = time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, c.tz)
	}
	if form.DueWithin != "" && form.DueWithin != "0" {
		n, err := strconv.Atoi(form.DueWithin)
		if err != nil || n < 0 || n > 366 {
			return form, in, &FieldError{"due_within", "到期天数应为 0 到 366 的整数"}
		}
		from := in.StartAt.In(c.tz)
		in.Segment.DueField = "review"
		in.Segment.DueFrom = from.Format(time.DateOnly)
		in.Segment.DueTo = from.AddDate(0, 0, n).Format(time.DateOnly)
	}
	if _, _, err := parseClock("window_start", "每天发送时段的开始", form.WindowStart); err != nil {
		return form, in, err
	}
	if _, _, err := parseClock("window_end", "每天发送时段的结束", form.WindowEnd); err != nil {
		return form, in, err
	}
	if form.WindowStart >= form.WindowEnd {
		return form, in, &FieldError{"window", "每天发送时段的结束要晚于开始"}
	}
	in.Window = form.WindowStart + "-" + form.WindowEnd
	rate, err := strconv.Atoi(form.Rate)
	if err != nil || rate < 1 || rate > 1000 {
		return form, in, &FieldError{"rate", "发送速度应为每秒 1 到 1000 条"}
	}
	in.Rate = float64(rate)
	return form, in, nil
}

// campaignList is every campaign with its counts.
func (c *Console) campaignList(r *http.Request) ([]outreach.Campaign, error) {
	list, err := c.outreach.Campaigns(r.Context())
	if err != nil {
		return nil, err
	}
	counts, err := c.outreach.CampaignCounts(r.Context())
	if err != nil {
		return nil, err
	}
	for i, cp := range list {
		k := counts[cp.ID]
		list[i].Counts = &k
	}
	return list, nil
}

func (c *Console) campaignsView(r *http.Request, s *session, d campaignsData) (view, error) {
	d.Regions = c.regions(r.Context())
	d.Templates = outreach.Templates()
	list, err := c.campaignList(r)
	if err != nil {
		return view{}, fmt.Errorf("campaigns: %w", err)
	}
	d.Campaigns = list
	d.Bars = map[int64]template.HTML{}
	for _, cp := range list {
		d.Bars[cp.ID] = progressBar(cp.Counts)
	}
	if d.Form.WindowStart == "" && d.Form.WindowEnd == "" {
		d.Form.WindowStart, d.Form.WindowEnd, d.Form.Rate = "09:00", "20:00", "25"
	}
	if d.Form.StartDate == "" {
		d.Form.StartDate = time.Now().In(c.tz).Format(time.DateOnly)
	}
	if d.Form.Template == "" {
		d.Form.Template = "review_notice"
	}
	return c.newView(s, "campaigns", "提醒活动", d), nil
}

func (c *Console) campaignsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "campaigns", "提醒活动")
		return
	}
	var d campaignsData
	status := http.StatusOK
	var msg string
	if r.Method == http.MethodPost {
		form, in, err := c.campaignInput(r)
		d.Form = form
		if err == nil && r.PostFormValue("op") == "create" {
			var cp outreach.Campaign
			cp, err = c.createCampaign(r, s, in)
			if err == nil {
				http.Redirect(w, r, "/console/campaigns/"+strconv.FormatInt(cp.ID, 10), http.StatusSeeOther)
				return
			}
		} else if err == nil {
			var p outreach.Preview
			p, err = c.outreach.PreviewCampaign(r.Context(), in)
			d.Preview = &p
		}
		if p, ok := explain(err); ok && p.Status == http.StatusBadRequest {
			status, msg, d.Preview = p.Status, p.Words, nil
		} else if err != nil {
			c.fail(w, r, s, err)
			return
		}
	}
	v, err := c.campaignsView(r, s, d)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Error = msg
	c.render(w, r, status, "campaigns", v)
}

func (c *Console) createCampaign(r *http.Request, s *session, in outreach.CampaignInput) (outreach.Campaign, error) {
	in.CreatedBy = s.User.Name
	cp, err := c.outreach.CreateCampaign(r.Context(), in)
	if err != nil {
		return outreach.Campaign{}, err
	}
	detail := map[string]any{"name": in.Name, "template": in.Template, "area": in.Segment.Area}
	if len(in.Segment.Regions) > 0 {
		detail["regions"] = in.Segment.Regions
	}
	if len(in.Segment.Programs) > 0 {
		detail["programs"] = in.Segment.Programs
	}
	err = audit(r.Context(), c.pool, s.User, r, AuditCampaignCreate, strconv.FormatInt(cp.ID, 10), detail)
	return cp, err
}

func campaignID(r *http.Request) (int64, bool) { return ticketID(r) }

func (c *Console) campaignView(r *http.Request, s *session, cp outreach.Campaign) view {
	d := campaignData{Campaign: cp, Bar: progressBar(cp.Counts)}
	for _, sc := range countsOf(cp.Counts) {
		d.Statuses = append(d.Statuses, sc)
		d.Total += sc.Count
	}
	if p, err := c.outreach.PreviewOf(r.Context(), cp); err == nil {
		d.Samples = p.Samples
	} else {
		c.log.Warn("console: campaign samples", "campaign", cp.ID, "err", err)
	}
	return c.newView(s, "campaigns", cp.Name, d)
}

// countsOf lists a campaign's counts in the order staff read them.
func countsOf(k *outreach.Counts) []statusCount {
	if k == nil {
		k = &outreach.Counts{}
	}
	return []statusCount{{"queued", k.Queued}, {"sent", k.Sent}, {"acknowledged", k.Acknowledged},
		{"failed", k.Failed}, {"unreachable", k.Unreachable}, {"opted_out", k.OptedOut}}
}

func (c *Console) campaignPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "campaigns", "提醒活动")
		return
	}
	id, ok := campaignID(r)
	if !ok {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个活动。")
		return
	}
	cp, err := c.outreach.Campaign(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "campaign", c.campaignView(r, s, cp))
}

func (c *Console) campaignDo(r *http.Request, s *session, id int64, action string) (outreach.Campaign, error) {
	var cp outreach.Campaign
	var err error
	var a string
	ctx := r.Context()
	switch action {
	case "test":
		var chats []chat.Address
		chats, err = parseChatIDs(r.PostFormValue("chats"))
		if err == nil {
			_, err = c.outreach.TestSend(ctx, id, chats)
		}
		if err == nil {
			cp, err = c.outreach.Campaign(ctx, id)
		}
		a = AuditCampaignTest
	case "start":
		force := r.PostFormValue("force") == "on" || r.URL.Query().Get("force") == "1"
		cp, err = c.outreach.StartCampaign(ctx, id, force)
		a = AuditCampaignStart
	case "pause":
		cp, err = c.outreach.PauseCampaign(ctx, id, s.User.Name+" 在工作台暂停")
		a = AuditCampaignPause
	case "resume":
		cp, err = c.outreach.ResumeCampaign(ctx, id)
		a = AuditCampaignResume
	case "cancel":
		cp, err = c.outreach.CancelCampaign(ctx, id, s.User.Name+" 在工作台取消")
		a = AuditCampaignCancel
	default:
		return outreach.Campaign{}, ErrNotFound
	}
	if err != nil {
		return outreach.Campaign{}, err
	}
	return cp, audit(ctx, c.pool, s.User, r, a, strconv.FormatInt(id, 10), nil)
}

// parseChatIDs reads the staff chats typed for a test send, separated by
// commas, spaces or Chinese commas: a number is a Telegram chat id,
// "channel:id" (wechat:openid) names another channel.
func parseChatIDs(raw string) ([]chat.Address, error) {
	fields := strings.FieldsFunc(raw, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(fields) == 0 {
		return nil, &FieldError{"chats", "请填写至少一个工作人员的聊天 ID"}
	}
	ids := make([]chat.Address, 0, len(fields))
	for _, f := range fields {
		if channel, id, ok := strings.Cut(f, ":"); ok {
			if channel == "" || id == "" {
				return nil, &FieldError{"chats", "聊天 ID 格式应为 渠道:ID：" + f}
			}
			ids = append(ids, chat.Address{Channel: channel, ID: id})
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id == 0 {
			return nil, &FieldError{"chats", "聊天 ID 应当是数字：" + f}
		}
		ids = append(ids, chat.Address{Channel: "telegram", ID: f})
	}
	return ids, nil
}

func (c *Console) campaignAction(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "campaigns", "提醒活动")
		return
	}
	id, ok := campaignID(r)
	if !ok {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个活动。")
		return
	}
	_, err := c.campaignDo(r, s, id, r.PathValue("action"))
	if p, ok := explain(err); ok && p.Status != http.StatusNotFound && p.Status != http.StatusServiceUnavailable {
		// Said on the campaign's own page, as it is now.
		cp, gerr := c.outreach.Campaign(r.Context(), id)
		if gerr != nil {
			c.fail(w, r, s, gerr)
			return
		}
		v := c.campaignView(r, s, cp)
		v.Error = p.Words
		c.render(w, r, http.StatusConflict, "campaign", v)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/campaigns/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (c *Console) apiCampaigns(w http.ResponseWriter, r *http.Request, s *session) {
	list, err := c.campaignList(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// apiCampaignInput reads the outreach service's own campaign input; who
// creates it is the session's user, whatever the body says (createCampaign
// sets it).
func (c *Console) apiCampaignInput(w http.ResponseWriter, r *http.Request) (outreach.CampaignInput, bool) {
	var in outreach.CampaignInput
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return in, false
	}
	return in, true
}

func (c *Console) apiCampaignPreview(w http.ResponseWriter, r *http.Request, s *session) {
	in, ok := c.apiCampaignInput(w, r)
	if !ok {
		return
	}
	p, err := c.outreach.PreviewCampaign(r.Context(), in)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (c *Console) apiCampaignCreate(w http.ResponseWriter, r *http.Request, s *session) {
	in, ok := c.apiCampaignInput(w, r)
	if !ok {
		return
	}
	cp, err := c.createCampaign(r, s, in)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, cp)
}

func (c *Console) apiCampaign(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := campaignID(r)
	if !ok {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	cp, err := c.outreach.Campaign(r.Context(), id)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

func (c *Console) apiCampaignAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := campaignID(r)
	if !ok {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	cp, err := c.campaignDo(r, s, id, r.PathValue("action"))
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

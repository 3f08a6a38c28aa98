package console

import (
	"github.com/safetynet/safetynet/chat"

	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FieldError is bad input that names the field; Campaigns and other parts
// return it (wrapped) so the form can say what to fix.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

type campaignsData struct {
	Available bool
	Templates []string
	Regions   []Region
	Form      CampaignSpec
	StartAt   string // as the datetime-local input wants it
	Preview   *CampaignPreview
	Campaigns []Campaign
	Bars      map[int64]template.HTML
}

type campaignData struct {
	Campaign Campaign
	Bar      template.HTML
	Statuses []statusCount
	Total    int
}

type statusCount struct {
	Status string
	Count  int
}

var reClock = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

// parseCampaignForm reads the create form; times are in the console's
// zone, as staff think of them.
func (c *Console) parseCampaignForm(r *http.Request) (CampaignSpec, string, error) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	spec := CampaignSpec{
		Name: f("name"), Region: f("region"), Area: f("area"), Program: f("program"),
		Template: f("template"), Text: f("text"), WindowStart: f("window_start"), WindowEnd: f("window_end"),
	}
	startRaw := f("start_at")
	if spec.Name == "" {
		return spec, startRaw, &FieldError{"name", "请给活动起个名字"}
	}
	if spec.Template == "" {
		return spec, startRaw, &FieldError{"template", "请选择消息模板"}
	}
	if spec.Template == "notice" && spec.Text == "" {
		return spec, startRaw, &FieldError{"text", "选了“一般通知”，请填写要告诉居民的内容"}
	}
	if spec.Template != "notice" {
		spec.Text = ""
	}
	if v := f("due_within"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 366 {
			return spec, startRaw, &FieldError{"due_within", "到期天数应为 0 到 366 的整数"}
		}
		spec.DueWithin = n
	}
	if startRaw == "" {
		spec.StartAt = time.Now()
	} else {
		t, err := time.ParseInLocation("2006-01-02T15:04", startRaw, c.tz)
		if err != nil {
			return spec, startRaw, &FieldError{"start_at", "开始时间格式不对"}
		}
		spec.StartAt = t
	}
	if !reClock.MatchString(spec.WindowStart) || !reClock.MatchString(spec.WindowEnd) {
		return spec, startRaw, &FieldError{"window", "发送时段要写成 08:00 这样的时间"}
	}
	if spec.WindowStart >= spec.WindowEnd {
		return spec, startRaw, &FieldError{"window", "发送时段的结束要晚于开始"}
	}
	rate, err := strconv.Atoi(f("rate"))
	if err != nil || rate < 1 || rate > 1000 {
		return spec, startRaw, &FieldError{"rate", "发送速度应为每秒 1 到 1000 条"}
	}
	spec.Rate = rate
	return spec, startRaw, nil
}

func (c *Console) campaignsView(r *http.Request, s *session, d campaignsData) (view, error) {
	d.Available = true
	d.Regions = c.regions()
	tpls, err := c.campaigns.CampaignTemplates(r.Context())
	if err != nil {
		return view{}, fmt.Errorf("campaign templates: %w", err)
	}
	d.Templates = tpls
	list, err := c.campaigns.ListCampaigns(r.Context())
	if err != nil {
		return view{}, fmt.Errorf("campaigns: %w", err)
	}
	d.Campaigns = list
	d.Bars = map[int64]template.HTML{}
	for _, cp := range list {
		d.Bars[cp.ID] = progressBar(cp.Counts)
	}
	if d.Form.WindowStart == "" {
		d.Form.WindowStart, d.Form.WindowEnd, d.Form.Rate = "09:00", "20:00", 25
	}
	if d.Form.Template == "" {
		for _, t := range tpls {
			if t == "review_notice" {
				d.Form.Template = t
			}
		}
	}
	return c.newView(s, "campaigns", "提醒活动", d), nil
}

func (c *Console) campaignsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.campaigns == nil {
		c.unavailable(w, r, s, "campaigns", "提醒活动")
		return
	}
	var d campaignsData
	status := http.StatusOK
	var msg string
	if r.Method == http.MethodPost {
		spec, startRaw, err := c.parseCampaignForm(r)
		d.Form, d.StartAt = spec, startRaw
		if err == nil && r.PostFormValue("op") == "create" {
			var cp Campaign
			cp, err = c.createCampaign(r, s, spec)
			if err == nil {
				http.Redirect(w, r, "/console/campaigns/"+strconv.FormatInt(cp.ID, 10), http.StatusSeeOther)
				return
			}
		} else if err == nil {
			var p CampaignPreview
			p, err = c.campaigns.PreviewCampaign(r.Context(), spec)
			d.Preview = &p
		}
		var fe *FieldError
		switch {
		case errors.As(err, &fe):
			status, msg, d.Preview = http.StatusBadRequest, fe.Msg, nil
		case err != nil:
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

func (c *Console) createCampaign(r *http.Request, s *session, spec CampaignSpec) (Campaign, error) {
	cp, err := c.campaigns.CreateCampaign(r.Context(), spec, s.User.Name)
	if err != nil {
		return Campaign{}, err
	}
	err = audit(r.Context(), c.pool, s.User, r, AuditCampaignCreate, strconv.FormatInt(cp.ID, 10), map[string]any{
		"name": spec.Name, "region": spec.Region, "area": spec.Area, "program": spec.Program, "template": spec.Template,
	})
	return cp, err
}

func campaignID(r *http.Request) (int64, bool) { return ticketID(r) }

func (c *Console) campaignView(s *session, cp Campaign) view {
	d := campaignData{Campaign: cp, Bar: progressBar(cp.Counts)}
	for _, k := range []string{"queued", "sent", "acknowledged", "failed", "unreachable", "opted_out"} {
		d.Statuses = append(d.Statuses, statusCount{k, cp.Counts[k]})
		d.Total += cp.Counts[k]
	}
	return c.newView(s, "campaigns", cp.Name, d)
}

func (c *Console) campaignPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.campaigns == nil {
		c.unavailable(w, r, s, "campaigns", "提醒活动")
		return
	}
	id, ok := campaignID(r)
	if !ok {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个活动。")
		return
	}
	cp, err := c.campaigns.GetCampaign(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "campaign", c.campaignView(s, cp))
}

// ErrCampaignState is what Campaigns returns (wrapped) when an action does
// not fit, e.g. resuming a cancelled campaign.
var ErrCampaignState = errors.New("campaign state does not allow this")

func (c *Console) campaignDo(r *http.Request, s *session, id int64, action string) (Campaign, error) {
	var cp Campaign
	var err error
	var a string
	switch action {
	case "test":
		var chats []chat.Address
		chats, err = parseChatIDs(r.PostFormValue("chats"))
		if err == nil {
			_, err = c.campaigns.TestSendCampaign(r.Context(), id, s.User.Name, chats)
		}
		if err == nil {
			cp, err = c.campaigns.GetCampaign(r.Context(), id)
		}
		a = AuditCampaignTest
	case "start":
		force := r.PostFormValue("force") == "on" || r.URL.Query().Get("force") == "1"
		cp, err = c.campaigns.StartCampaign(r.Context(), id, s.User.Name, force)
		a = AuditCampaignStart
	case "pause":
		cp, err = c.campaigns.PauseCampaign(r.Context(), id, s.User.Name)
		a = AuditCampaignPause
	case "resume":
		cp, err = c.campaigns.ResumeCampaign(r.Context(), id, s.User.Name)
		a = AuditCampaignResume
	case "cancel":
		cp, err = c.campaigns.CancelCampaign(r.Context(), id, s.User.Name)
		a = AuditCampaignCancel
	default:
		return Campaign{}, ErrNotFound
	}
	if err != nil {
		return Campaign{}, err
	}
	return cp, audit(r.Context(), c.pool, s.User, r, a, strconv.FormatInt(id, 10), nil)
}

// parseChatIDs reads the staff chats typed for a test send, separated by
// commas, spaces or Chinese commas: a number is a Telegram chat id,
// "channel:id" (wechat:openid) names another channel.
func parseChatIDs(raw string) ([]chat.Address, error) {
	fields := strings.FieldsFunc(raw, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(fields) == 0 {
		return nil, &FieldError{"chats", "请填写至少一个工作人员的 Telegram 聊天 ID"}
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
	if c.campaigns == nil {
		c.unavailable(w, r, s, "campaigns", "提醒活动")
		return
	}
	id, ok := campaignID(r)
	if !ok {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个活动。")
		return
	}
	_, err := c.campaignDo(r, s, id, r.PathValue("action"))
	var fe *FieldError
	if errors.Is(err, ErrCampaignState) || errors.Is(err, ErrNotTested) || errors.As(err, &fe) {
		cp, gerr := c.campaigns.GetCampaign(r.Context(), id)
		if gerr != nil {
			c.fail(w, r, s, gerr)
			return
		}
		v := c.campaignView(s, cp)
		v.Error = "活动当前的状态不能这样操作。"
		var fe *FieldError
		if errors.As(err, &fe) {
			v.Error = fe.Msg
		}
		if errors.Is(err, ErrNotTested) {
			v.Error = "这个活动还没有发给工作人员测试。请先测试发送，或勾选“跳过测试”后再开始。"
		}
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
	list, err := c.campaigns.ListCampaigns(r.Context())
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []Campaign{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (c *Console) apiCampaignSpec(w http.ResponseWriter, r *http.Request) (CampaignSpec, bool) {
	var spec CampaignSpec
	if err := decodeJSON(r, &spec); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return spec, false
	}
	return spec, true
}

func (c *Console) campaignErr(w http.ResponseWriter, r *http.Request, err error) {
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		writeError(w, http.StatusBadRequest, fe.Error())
	case errors.Is(err, ErrCampaignState), errors.Is(err, ErrNotTested):
		writeError(w, http.StatusConflict, err.Error())
	default:
		c.apiFail(w, r, err)
	}
}

func (c *Console) apiCampaignPreview(w http.ResponseWriter, r *http.Request, s *session) {
	spec, ok := c.apiCampaignSpec(w, r)
	if !ok {
		return
	}
	p, err := c.campaigns.PreviewCampaign(r.Context(), spec)
	if err != nil {
		c.campaignErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (c *Console) apiCampaignCreate(w http.ResponseWriter, r *http.Request, s *session) {
	spec, ok := c.apiCampaignSpec(w, r)
	if !ok {
		return
	}
	cp, err := c.createCampaign(r, s, spec)
	if err != nil {
		c.campaignErr(w, r, err)
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
	cp, err := c.campaigns.GetCampaign(r.Context(), id)
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
		c.campaignErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

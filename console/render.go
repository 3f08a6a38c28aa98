package console

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

type pageTemplate struct{ t *template.Template }

// navItem is one entry of the top navigation.
type navItem struct {
	Key, Label, Href string
	Roles            []Role
}

var nav = []navItem{
	{"answer", "建议答复", "/console/answer", allRoles},
	{"handoffs", "人工转接", "/console/handoffs", hotlineRoles},
	{"check", "资格预审", "/console/check", allRoles},
	{"households", "家庭查询", "/console/households", bureauRoles},
	{"campaigns", "提醒活动", "/console/campaigns", bureauRoles},
	{"regions", "地区标准", "/console/regions", bureauRoles},
	{"knowledge", "知识库", "/console/knowledge", bureauRoles},
	{"dashboard", "数据看板", "/console/dashboard", allRoles},
	{"operations", "运行开关", "/console/operations", adminRoles},
	{"staff", "账号", "/console/staff", adminRoles},
}

// view is what every page template gets.
type view struct {
	Title   string
	Active  string
	User    *User
	CSRF    string
	Nav     []navItem
	Notice  string // a success message
	Error   string // what went wrong, in plain words
	Hotline string
	Data    any

	// regionNames maps region ids to names, read from the database the
	// first time a page asks (most pages show no region), unless the page
	// has read the regions already and set it; nil without a user.
	regionNames func() map[string]string
}

// RegionName is a region's name for staff, never its id where a name is
// known.
func (v view) RegionName(id string) string {
	if v.regionNames != nil {
		if n := v.regionNames()[id]; n != "" {
			return n
		}
	}
	return id
}

// regionNames maps region ids to names, reading the regions in force.
func (c *Console) regionNames(ctx context.Context) map[string]string {
	set, err := c.regionSet(ctx)
	if err != nil {
		c.log.Warn("console: region names", "err", err)
		return regionNamesIn(nil)
	}
	return regionNamesIn(set.Profiles())
}

// regionNamesIn maps region ids to names: those of the profiles in force,
// and the bundled ones for ids no longer in force (old households, old
// campaigns).
func regionNamesIn(inForce []eligibility.Profile) map[string]string {
	out := map[string]string{}
	for _, p := range eligibility.Regions() {
		out[p.ID] = p.Name
	}
	for _, p := range inForce {
		if p.Name != "" {
			out[p.ID] = p.Name
		}
	}
	return out
}

var pageNames = []string{"login", "error", "answer", "handoffs", "handoff", "check", "households", "household",
	"followups", "campaigns", "campaign", "knowledge", "dashboard", "operations", "staff", "regions", "region"}

func loadPages(c *Console) (map[string]*pageTemplate, error) {
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(c.tz).Format("2006-01-02 15:04")
		},
		"day":   func(t time.Time) string { return t.In(c.tz).Format("01-02") },
		"label": func(code any) string { return label(fmt.Sprint(code)) },
		"citation": func(ct eligibility.Citation) string {
			line := "《" + eligibility.DocTitle(ct.Doc) + "》" + ct.Section
			if ct.Borrowed {
				line += "（外地文件，仅作参考）"
			}
			return line
		},
		"add": func(a, b int) int { return a + b },
		"pct": func(a, b int) string {
			if b == 0 {
				return "0%"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(a)/float64(b))
		},
		"highlight": highlight,
		"spanOf":    spanOf,
		"join":      strings.Join,
		"deref":     func(b *bool) bool { return b != nil && *b },
		"paramLabel": func(p string) string {
			if l := paramLabels[p]; l != "" {
				return l
			}
			return p
		},
	}
	out := map[string]*pageTemplate{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		out[name] = &pageTemplate{t: t}
	}
	return out, nil
}

func (c *Console) newView(s *session, active, title string, data any) view {
	v := view{Title: title, Active: active, Hotline: c.hotline, Data: data}
	if s != nil {
		u := s.User
		v.User = &u
		v.CSRF = s.CSRF
		for _, n := range nav {
			if allowed(u.Role, n.Roles) {
				v.Nav = append(v.Nav, n)
			}
		}
	}
	return v
}

// render writes a page. It renders into a buffer first so a template
// error becomes a clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	p, ok := c.pages[name]
	if !ok {
		c.log.Error("console: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.User != nil && v.regionNames == nil {
		ctx := r.Context()
		v.regionNames = sync.OnceValue(func() map[string]string { return c.regionNames(ctx) })
	}
	var buf bytes.Buffer
	if err := p.t.Execute(&buf, v); err != nil {
		c.log.Error("console render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	v := c.newView(s, "", "出错了", nil)
	v.Error = msg
	c.render(w, r, status, "error", v)
}

// fail answers an unexpected error on a page: the cause to the log, a
// plain sentence to the person.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if p, ok := explain(err); ok {
		c.renderError(w, r, s, p.Status, p.Words)
		return
	}
	c.log.Error("console page", "path", r.URL.Path, "err", err)
	c.renderError(w, r, s, http.StatusInternalServerError, "系统出了点问题，请稍后再试；如果一直这样，请联系管理员。")
}

func (c *Console) unavailable(w http.ResponseWriter, r *http.Request, s *session, active, what string) {
	v := c.newView(s, active, what, nil)
	v.Error = what + "功能暂未启用（该模块尚未接入本服务）。"
	c.render(w, r, http.StatusServiceUnavailable, "error", v)
}

// labels in Chinese for the codes the parts use.
var labels = map[string]string{
	"open": "待处理", "claimed": "处理中", "closed": "已关闭",
	"draft": "草稿", "scheduled": "待开始", "running": "发送中", "paused": "已暂停", "done": "已完成", "cancelled": "已取消",
	"queued": "排队中", "sent": "已发送", "failed": "失败", "unreachable": "无法送达",
	"acknowledged": "已确认", "opted_out": "已退订",
	"eligible": "可能符合", "not_eligible": "暂不符合", "refer": "建议咨询",
	"dibao": "最低生活保障", "dibao_expenditure": "支出型低保", "dibao_phaseout": "低保渐退",
	"dibao_single": "单人户低保", "low_income": "低收入家庭", "tekun": "特困供养", "temporary": "临时救助",
	"urban": "城市", "rural": "农村",
	"unacknowledged": "未确认", "pledge_unsigned": "未签承诺", "pledge_overdue": "承诺逾期未签",
	"review": "复核提醒", "phaseout": "渐退到期提醒", "pledge": "诚信承诺提醒", "campaign": "活动消息",
	"telegram": "Telegram", "web": "网页聊天", "wechat": "微信",
	"review_notice": "年度复核通知", "notice": "一般通知",
	"delivered": "已送达", "bound": "绑定聊天", "opted_in": "重新订阅", "pledge_signed": "签署诚信承诺",
	"contact_requested": "请求联系", "held": "暂缓", "sending": "发送中",
	"resident": "居民", "bot": "机器人", "staff": "工作人员",
	"resident_qa": "居民问答", "outreach_sending": "提醒发送",
	"added": "新增", "updated": "更新", "unchanged": "未变", "error": "失败",
	"admin": "管理员", "bureau": "民政局", "hotline": "热线", "bundled": "系统内置数据",
	AuditLogin: "登录", AuditLogout: "退出", AuditHouseholdView: "查看家庭", AuditHouseholdFind: "查询家庭",
	AuditFollowupExport: "导出跟进名单", AuditFollowupView: "查看跟进名单", AuditSwitchSet: "切换开关",
	AuditCampaignCreate: "创建活动", AuditCampaignStart: "开始活动", AuditCampaignPause: "暂停活动",
	AuditCampaignResume: "继续活动", AuditCampaignCancel: "取消活动", AuditTicketClaim: "认领工单",
	AuditTicketReply: "回复工单", AuditTicketClose: "关闭工单", AuditTicketView: "查看工单", AuditKnowledgeLoad: "上传文件",
	AuditKnowledgeRemove: "移除文件", AuditKnowledgeReingest: "重新导入文件", AuditRegionSave: "修改地区标准",
	AuditUserAdd: "添加账号", AuditUserDisable: "停用账号", AuditUserEnable: "恢复账号",
}

func label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

package console

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// AuditRegionSave is the audit action of a region profile saved in the
// console; the detail lists each changed figure or source, old and new.
const AuditRegionSave = "region.save"

// today is the day in the console's zone, the day a pre-check is for.
func (c *Console) today() time.Time {
	d, _ := eligibility.DayAsked("", c.tz)
	return d
}

// regionRoutes mounts the region pages: staff of the bureau keep their
// standards here, each figure with the document and section it comes from.
func (c *Console) regionRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/regions", c.page(bureauRoles, c.regionsPage))
	m.HandleFunc("GET /console/regions/{id}", c.page(bureauRoles, c.regionPage))
	m.HandleFunc("POST /console/regions/{id}", c.page(bureauRoles, c.regionPage))
}

type regionRow struct {
	ID, Name      string
	EffectiveFrom string
	Versions      int
	UpdatedBy     string
	UpdatedAt     time.Time
}

func (c *Console) regionsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.regionStore == nil {
		c.unavailable(w, r, s, "regions", "地区标准")
		return
	}
	vs, err := c.regionStore.Versions(r.Context(), "")
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	today := c.today()
	rows := map[string]*regionRow{}
	for _, v := range vs {
		row := rows[v.ID]
		if row == nil {
			row = &regionRow{ID: v.ID}
			rows[v.ID] = row
		}
		row.Versions++
		if !v.EffectiveFrom.After(today) {
			row.Name, row.EffectiveFrom = v.Name, v.EffectiveFrom.Format(time.DateOnly)
			row.UpdatedBy, row.UpdatedAt = v.UpdatedBy, v.UpdatedAt
		}
		if row.Name == "" {
			row.Name = v.Name
		}
	}
	var list []regionRow
	for _, row := range rows {
		list = append(list, *row)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	c.render(w, r, http.StatusOK, "regions", c.newView(s, "regions", "地区标准", list))
}

// paramRow is one parameter of the edit form.
type paramRow struct {
	Param, Label       string
	Value              string
	Doc, Section, Note string
	Example            bool
}

type regionData struct {
	ID, Name      string
	EffectiveFrom string
	Params        []paramRow
	Documents     []eligibility.Document
	Versions      []eligibility.RegionVersion
	Error         string
	Saved         []eligibility.Change
	Done          bool // saved, with or without changes
}

// paramLabels are the parameters' names for staff.
var paramLabels = map[string]string{
	"dibao_standard_monthly.urban": "城市低保标准（元/人·月）",
	"dibao_standard_monthly.rural": "农村低保标准（元/人·月）",
	"low_income_multiplier":        "低收入认定倍数（× 低保标准）",
	"phaseout_cap_multiplier":      "渐退上限倍数（× 低保标准）",
	"phaseout_months.min":          "渐退期最短（月）",
	"phaseout_months.max":          "渐退期最长（月，空为不限）",
	"min_wage_monthly":             "最低工资（元/月）",
	"working_age.min":              "劳动年龄下限（岁）",
	"working_age.max":              "劳动年龄上限（岁）",
	"elderly_age":                  "老年人年龄（岁）",
	"tekun_minor_age":              "特困未成年人年龄上限（岁）",
	"temporary_town_limit":         "乡镇可确认的临时救助额（元）",
}

func (c *Console) regionPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.regionStore == nil {
		c.unavailable(w, r, s, "regions", "地区标准")
		return
	}
	id := r.PathValue("id")
	versions, err := c.regionStore.Versions(r.Context(), id)
	if errors.Is(err, eligibility.ErrUnknownRegion) {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个地区。")
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	today := c.today()
	cur := versions[0]
	for _, v := range versions {
		if !v.EffectiveFrom.After(today) {
			cur = v
		}
	}
	d := regionData{ID: id, Name: cur.Name, EffectiveFrom: today.Format(time.DateOnly),
		Documents: eligibility.Documents(), Versions: versions}
	for _, param := range eligibility.RegionParams() {
		src := cur.Sources[param]
		d.Params = append(d.Params, paramRow{Param: param, Label: paramLabels[param], Value: cur.ParamValue(param),
			Doc: src.Doc, Section: src.Section, Note: src.Note, Example: src.Example})
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		d.Name = strings.TrimSpace(r.PostFormValue("name"))
		d.EffectiveFrom = strings.TrimSpace(r.PostFormValue("effective_from"))
		values := map[string]string{}
		sources := map[string]eligibility.Source{}
		for i, p := range d.Params {
			p.Value = strings.TrimSpace(r.PostFormValue("v_" + p.Param))
			p.Doc = strings.TrimSpace(r.PostFormValue("doc_" + p.Param))
			p.Section = strings.TrimSpace(r.PostFormValue("sec_" + p.Param))
			p.Note = strings.TrimSpace(r.PostFormValue("note_" + p.Param))
			p.Example = r.PostFormValue("ex_"+p.Param) != ""
			d.Params[i] = p
			values[p.Param] = p.Value
			sources[p.Param] = eligibility.Source{Doc: p.Doc, Section: p.Section, Note: p.Note, Example: p.Example}
		}
		changes, err := c.saveRegion(r, s, id, d.Name, d.EffectiveFrom, values, sources)
		var de *eligibility.DocumentError
		switch {
		case errors.As(err, &de):
			d.Error, status = "没有保存："+de.Error(), http.StatusBadRequest
		case err != nil:
			c.fail(w, r, s, err)
			return
		default:
			d.Saved, d.Done = changes, true
			if d.Versions, err = c.regionStore.Versions(r.Context(), id); err != nil {
				c.fail(w, r, s, err)
				return
			}
		}
	}
	c.render(w, r, status, "region", c.newView(s, "regions", "地区标准："+d.Name, d))
}

// saveRegion validates and stores the edit, and writes the audit record
// of who changed which figure or source from what to what, in the same
// transaction: neither is ever written without the other.
func (c *Console) saveRegion(r *http.Request, s *session, id, name, from string, values map[string]string,
	sources map[string]eligibility.Source) ([]eligibility.Change, error) {
	if name == "" {
		return nil, &eligibility.DocumentError{Err: errors.New("name: 地区名称不能为空")}
	}
	if _, err := time.Parse(time.DateOnly, from); err != nil {
		return nil, &eligibility.DocumentError{Err: errors.New("effective_from: 生效日期应为 YYYY-MM-DD")}
	}
	doc, err := eligibility.ProfileDocument(id, name, from, values, sources)
	if err != nil {
		return nil, err
	}
	_, changes, err := c.regionStore.SaveWith(r.Context(), doc, s.User.Name,
		func(tx pgx.Tx, v eligibility.RegionVersion, changes []eligibility.Change) error {
			detail := map[string]any{"effective_from": v.EffectiveFrom.Format(time.DateOnly), "changes": changes}
			return audit(r.Context(), tx, s.User, r, AuditRegionSave, id, detail)
		})
	return changes, err
}

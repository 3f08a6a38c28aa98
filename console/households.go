package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/outreach"
)

type householdsData struct {
	Query    string
	Results  []outreach.HouseholdView
	Searched bool
	Notice   string
}

// idInURL is said when a full ID number arrives in a URL: it has already
// reached the browser's history and the access logs, so it is not searched
// and not echoed, and the person is sent to the form, which posts it.
const idInURL = "身份证号不能放在网址里（会留在浏览器历史和访问日志中）。请在下面的输入框中输入后点“查询”。"

// searchTarget is what the audit log keeps of a search: a household id as
// typed, or a masked ID number — never the full number.
func searchTarget(q string) string {
	if id, err := pii.ValidateNationalID(q); err == nil {
		return "national_id:" + pii.MaskNationalID(id)
	}
	if utf8.RuneCountInString(q) > 64 {
		return "query:" + string([]rune(q)[:64])
	}
	return q
}

// householdDetail is one household with its history, for the page and
// the API.
type householdDetail struct {
	outreach.HouseholdView
	Timeline []outreach.TimelineEntry `json:"timeline"`
}

func (c *Console) householdDetail(r *http.Request, id string) (householdDetail, error) {
	h, err := c.outreach.Household(r.Context(), id)
	if err != nil {
		return householdDetail{}, err
	}
	tl, err := c.outreach.Timeline(r.Context(), id)
	return householdDetail{HouseholdView: h, Timeline: tl}, err
}

func (c *Console) findHouseholds(r *http.Request, s *session, q string) ([]outreach.HouseholdView, error) {
	list, err := c.outreach.SearchHouseholds(r.Context(), q, 50)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, h := range list {
		ids[i] = h.HouseholdID
	}
	// A search shows masked personal data, so it is a view too.
	err = audit(r.Context(), c.pool, s.User, r, AuditHouseholdFind, searchTarget(q), map[string]any{"results": ids})
	return list, err
}

func (c *Console) householdsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "households", "家庭查询")
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if r.Method == http.MethodPost {
		q = strings.TrimSpace(r.PostFormValue("q"))
	} else if _, err := pii.ValidateNationalID(q); err == nil {
		c.render(w, r, http.StatusBadRequest, "households", c.newView(s, "households", "家庭查询", householdsData{Notice: idInURL}))
		return
	}
	d := householdsData{Query: q}
	if d.Query != "" {
		list, err := c.findHouseholds(r, s, d.Query)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		d.Results, d.Searched = list, true
	}
	c.render(w, r, http.StatusOK, "households", c.newView(s, "households", "家庭查询", d))
}

func (c *Console) householdPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "households", "家庭查询")
		return
	}
	id := r.PathValue("id")
	h, err := c.householdDetail(r, id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditHouseholdView, id, nil); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "household", c.newView(s, "households", "家庭 "+id, h))
}

func (c *Console) followupsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "households", "待跟进家庭")
		return
	}
	list, err := c.outreach.FollowUps(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditFollowupView, "", map[string]any{"rows": len(list)}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "followups", c.newView(s, "households", "待跟进家庭", list))
}

// followupsCSV exports the follow-up list for home visits. Excel opens
// UTF-8 CSV correctly only with a byte-order mark, so one is written.
func (c *Console) followupsCSV(w http.ResponseWriter, r *http.Request, s *session) {
	if c.outreach == nil {
		c.unavailable(w, r, s, "households", "待跟进家庭")
		return
	}
	list, err := c.outreach.FollowUps(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditFollowupExport, "", map[string]any{"rows": len(list)}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="followups-%s.csv"`, time.Now().In(c.tz).Format("20060102")))
	_, _ = w.Write([]byte("\ufeff"))
	// The same file `safetynet outreach followups --csv` writes.
	if err := outreach.WriteFollowUpsCSV(w, list, c.tz); err != nil {
		c.log.Error("console: follow-ups csv", "err", err)
	}
}

func (c *Console) apiHouseholds(w http.ResponseWriter, r *http.Request, s *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if r.Method == http.MethodPost {
		var body struct {
			Q string `json:"q"`
		}
		if err := decodeJSON(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		q = strings.TrimSpace(body.Q)
	} else if _, err := pii.ValidateNationalID(q); err == nil {
		writeError(w, http.StatusBadRequest, "q: an ID number never goes in a URL; POST {\"q\": …} to /console/api/households/search")
		return
	}
	if q == "" {
		writeError(w, http.StatusBadRequest, "q: a household id or an ID number is required")
		return
	}
	list, err := c.findHouseholds(r, s, q)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []outreach.HouseholdView{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (c *Console) apiHousehold(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	h, err := c.householdDetail(r, id)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditHouseholdView, id, nil); err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (c *Console) apiFollowups(w http.ResponseWriter, r *http.Request, s *session) {
	list, err := c.outreach.FollowUps(r.Context())
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditFollowupView, "", map[string]any{"rows": len(list)}); err != nil {
		c.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []outreach.FollowUp{}
	}
	writeJSON(w, http.StatusOK, list)
}

package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

const formMembers = 8 // member rows on the form; more via the API

type checkMember struct {
	Age, Income                            string
	Employed, Illness, Student, Caregiving bool
	Labor, Disability, Supporters          string
}

type checkForm struct {
	Region, Area, Current                 string
	Rigid, EmploymentCosts, SuddenExpense string
	Sudden                                bool
	Members                               []checkMember
}

type checkData struct {
	Regions []eligibility.Profile
	Form    checkForm
	Result  *eligibility.Result
}

// regionSet is the region profiles a pre-check uses: the bureau's, as in
// force today, so an edit in the console changes the very next check; the
// bundled ones where no store is wired.
func (c *Console) regionSet(ctx context.Context) (eligibility.RegionSet, error) {
	if c.regionStore == nil {
		return eligibility.BundledRegions(), nil
	}
	return c.regionStore.InForce(ctx, c.today())
}

// regionList is the regions for the forms' selects, by name.
func (c *Console) regionList(ctx context.Context) ([]eligibility.Profile, error) {
	set, err := c.regionSet(ctx)
	if err != nil {
		return nil, err
	}
	return set.Profiles(), nil
}

// check runs the pre-check on one household document against set, the
// regions the caller has read; bad input is an *eligibility.InputError
// naming the field.
func (c *Console) check(set eligibility.RegionSet, doc []byte) (eligibility.Result, error) {
	h, err := eligibility.DecodeIn(bytes.NewReader(doc), set)
	if err != nil {
		return eligibility.Result{}, err
	}
	return eligibility.Check(h, c.hotline), nil
}

func blankCheckForm() checkForm {
	f := checkForm{Area: "rural", Current: "none", Members: make([]checkMember, formMembers)}
	for i := range f.Members {
		f.Members[i] = checkMember{Labor: "full", Disability: "none", Supporters: "able"}
	}
	return f
}

// householdJSON turns the form into the household document of
// household.schema.json, so the form and the API share one decoder and
// one engine. A member row without an age is empty and skipped.
func (c *Console) householdJSON(r *http.Request) (checkForm, []byte, error) {
	f := blankCheckForm()
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.Region, f.Area, f.Current = v("region"), v("area"), v("current_program")
	f.Rigid, f.EmploymentCosts, f.SuddenExpense = v("rigid"), v("employment_costs"), v("sudden_expense")
	f.Sudden = v("sudden") == "on"
	doc := map[string]any{"region": f.Region, "area": f.Area, "current_program": f.Current, "sudden_hardship": f.Sudden}
	money := func(field, s string) (float64, error) {
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil {
			return 0, &FieldError{field, "请填数字（元）"}
		}
		return n, nil
	}
	var err error
	var members []map[string]any
	for i := range f.Members {
		p := fmt.Sprintf("m%d_", i)
		m := checkMember{
			Age: v(p + "age"), Income: v(p + "income"),
			Employed: v(p+"employed") == "on", Illness: v(p+"illness") == "on",
			Student: v(p+"student") == "on", Caregiving: v(p+"caregiving") == "on",
			Labor: v(p + "labor"), Disability: v(p + "disability"), Supporters: v(p + "supporters"),
		}
		if m.Labor == "" {
			m.Labor, m.Disability, m.Supporters = "full", "none", "able"
		}
		f.Members[i] = m
		if m.Age == "" {
			continue
		}
		age, aerr := strconv.Atoi(m.Age)
		if aerr != nil {
			return f, nil, &FieldError{fmt.Sprintf("成员 %d 的年龄", i+1), "请填整数"}
		}
		income, merr := money(fmt.Sprintf("成员 %d 的月收入", i+1), m.Income)
		if merr != nil {
			return f, nil, merr
		}
		members = append(members, map[string]any{
			"age": age, "monthly_income": income, "employed": m.Employed,
			"labor_capacity": m.Labor, "disability": m.Disability, "serious_illness": m.Illness,
			"student": m.Student, "caregiving": m.Caregiving, "supporters": m.Supporters,
		})
	}
	if len(members) == 0 {
		return f, nil, &FieldError{"members", "请至少填写一位家庭成员的年龄"}
	}
	doc["members"] = members
	for _, x := range []struct{ key, label, raw string }{
		{"monthly_rigid_expenses", "刚性支出", f.Rigid},
		{"monthly_employment_costs", "就业成本", f.EmploymentCosts},
		{"sudden_expense", "突发支出", f.SuddenExpense},
	} {
		n, merr := money(x.label, x.raw)
		if merr != nil {
			return f, nil, merr
		}
		doc[x.key] = n
	}
	b, err := json.Marshal(doc)
	return f, b, err
}

func (c *Console) checkPage(w http.ResponseWriter, r *http.Request, s *session) {
	// The regions are read once: the select, the check and the names on the
	// page all come from the same reading, even if someone saves a region
	// meanwhile.
	set, err := c.regionSet(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := checkData{Regions: set.Profiles(), Form: blankCheckForm()}
	if len(d.Regions) > 0 {
		d.Form.Region = d.Regions[0].ID
	}
	status, msg := http.StatusOK, ""
	if r.Method == http.MethodPost {
		form, doc, err := c.householdJSON(r)
		d.Form = form
		if err == nil {
			var res eligibility.Result
			res, err = c.check(set, doc)
			d.Result = &res
		}
		var fe *FieldError
		p, known := explain(err)
		switch {
		case errors.As(err, &fe):
			status, msg, d.Result = http.StatusBadRequest, fe.Field+"："+fe.Msg, nil
		case known && p.Status == http.StatusBadRequest:
			status, msg, d.Result = p.Status, p.Words, nil
		case err != nil:
			c.fail(w, r, s, err)
			return
		}
	}
	v := c.newView(s, "check", "资格预审", d)
	v.regionNames = sync.OnceValue(func() map[string]string { return regionNamesIn(d.Regions) })
	v.Error = msg
	c.render(w, r, status, "check", v)
}

func (c *Console) apiCheck(w http.ResponseWriter, r *http.Request, s *session) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "request body: too large or unreadable")
		return
	}
	set, err := c.regionSet(r.Context())
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	res, err := c.check(set, b)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

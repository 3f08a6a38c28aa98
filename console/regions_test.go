package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// regionsSetup is the console over the region profiles in the database,
// seeded with the bundled ones.
func regionsSetup(t *testing.T) (*testBundle, *eligibility.Store) {
	t.Helper()
	var store *eligibility.Store
	b := setup(t, func(d *console.Deps) {
		store = eligibility.NewStore(d.Pool)
		d.Regions = store
		d.TZ = time.UTC
	})
	require.NoError(t, store.Seed(context.Background()))
	return b, store
}

// A bureau worker edits Guizhou's rural standard in the console: the next
// pre-check uses it, and the audit log says who changed what.
func TestRegionEditChangesNextCheckAndIsAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := regionsSetup(t)
	c := b.client(t)
	csrf := c.login("bureau", bureauPW)

	resp, page := c.get("/console/regions")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "贵州省（2020年）")
	resp, page = c.get("/console/regions/guizhou-2020")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "贵州省民政兜底脱贫三年行动计划", "documents by title")
	require.NotContains(t, page, ">004_f3d72d4f8696011b.txt<", "never a file name shown")

	household := `{"region":"guizhou-2020","area":"rural","members":[{"age":45,"monthly_income":380,"employed":true}]}`
	check := func() map[string]any {
		resp, body := c.api("POST", "/console/api/check", csrf, household)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &res))
		return res
	}
	require.EqualValues(t, 375, check()["standard_monthly"])

	cur, err := store.Version(ctx, "guizhou-2020", time.Now())
	require.NoError(t, err)
	form := url.Values{"csrf": {csrf}, "name": {cur.Name}, "effective_from": {"2025-01-01"}}
	for _, p := range eligibility.RegionParams() {
		src := cur.Sources[p]
		form.Set("v_"+p, cur.ParamValue(p))
		form.Set("doc_"+p, src.Doc)
		form.Set("sec_"+p, src.Section)
		form.Set("note_"+p, src.Note)
		if src.Example {
			form.Set("ex_"+p, "1")
		}
	}
	// A figure without a source and not marked an example is refused.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("v_dibao_standard_monthly.rural", "abc")
	resp, page = c.postForm("/console/regions/guizhou-2020", bad)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, page, "dibao_standard_monthly.rural")
	require.EqualValues(t, 375, check()["standard_monthly"], "nothing saved")

	form.Set("v_dibao_standard_monthly.rural", "400")
	form.Set("note_dibao_standard_monthly.rural", "2025年农村低保标准 4800 元/年")
	resp, page = c.postForm("/console/regions/guizhou-2020", form)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, "已保存")
	require.EqualValues(t, 400, check()["standard_monthly"], "the next pre-check uses the edit")
	// So does the form's, which reads the regions once for its select and
	// its check.
	resp, page = c.postForm("/console/check", url.Values{"csrf": {csrf}, "region": {"guizhou-2020"}, "area": {"rural"},
		"current_program": {"none"}, "m0_age": {"45"}, "m0_income": {"380"}, "m0_employed": {"on"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `<option value="guizhou-2020" selected>贵州省（2020年）</option>`)
	require.Contains(t, page, "当地低保标准 400 元/人·月")

	var who, target, detail string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT actor, target, detail::text FROM console_audit
		WHERE action = $1`, console.AuditRegionSave).Scan(&who, &target, &detail))
	require.Equal(t, "bureau", who)
	require.Equal(t, "guizhou-2020", target)
	require.Contains(t, detail, `"dibao_standard_monthly.rural"`)
	require.Contains(t, detail, `"old": 375`)
	require.Contains(t, detail, `"new": 400`)
	require.True(t, strings.Contains(detail, "2025-01-01"), detail)

	// Hotline staff may not edit standards.
	h := b.client(t)
	hcsrf := h.login("hotline", hotlinePW)
	form.Set("csrf", hcsrf)
	resp, _ = h.postForm("/console/regions/guizhou-2020", form)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// An edit and its audit record are one transaction: when the record cannot
// be written, the standard stays as it was.
func TestRegionEditWithoutAuditRecordIsNotSaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := regionsSetup(t)
	// The audit log refuses region records, as a full disk or a lost
	// connection at that moment would.
	_, err := b.pool.Exec(ctx, `
		CREATE FUNCTION refuse_region_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit unavailable'; END $$;
		CREATE TRIGGER refuse_region_audit BEFORE INSERT ON console_audit
		FOR EACH ROW WHEN (NEW.action = 'region.save') EXECUTE FUNCTION refuse_region_audit();`)
	require.NoError(t, err)
	c := b.client(t)
	csrf := c.login("bureau", bureauPW)

	cur, err := store.Version(ctx, "guizhou-2020", time.Now())
	require.NoError(t, err)
	before, err := store.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	form := url.Values{"csrf": {csrf}, "name": {cur.Name}, "effective_from": {"2025-01-01"}}
	for _, p := range eligibility.RegionParams() {
		src := cur.Sources[p]
		form.Set("v_"+p, cur.ParamValue(p))
		form.Set("doc_"+p, src.Doc)
		form.Set("sec_"+p, src.Section)
		form.Set("note_"+p, src.Note)
		if src.Example {
			form.Set("ex_"+p, "1")
		}
	}
	form.Set("v_dibao_standard_monthly.rural", "400")
	resp, _ := c.postForm("/console/regions/guizhou-2020", form)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)

	after, err := store.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	require.Len(t, after, len(before), "no version saved without its record")
	now, err := store.Version(ctx, "guizhou-2020", time.Now())
	require.NoError(t, err)
	require.Equal(t, cur.ParamValue("dibao_standard_monthly.rural"), now.ParamValue("dibao_standard_monthly.rural"))
}

package eligibility_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// guizhouDoc is the stored Guizhou profile as a document, with changes.
func guizhouDoc(t *testing.T, st *eligibility.Store, from string, rural float64) []byte {
	t.Helper()
	v, err := st.Version(context.Background(), "guizhou-2020", day("2024-01-01"))
	require.NoError(t, err)
	doc := v.Document()
	doc["effective_from"] = from
	doc["dibao_standard_monthly"].(map[string]any)["rural"] = rural
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return b
}

func TestStoreStandardsByEffectiveDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := eligibility.NewStore(testdb.New(t))
	require.NoError(t, st.Seed(ctx))
	require.NoError(t, st.Seed(ctx), "seeding twice is harmless")

	vs, err := st.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	require.Len(t, vs, 1)
	require.Equal(t, "bundled", vs[0].UpdatedBy)

	// 2021's standard takes effect on 2021-01-01; 2020 keeps 375.
	_, changes, err := st.Save(ctx, guizhouDoc(t, st, "2021-01-01", 4680.0/12), "tester")
	require.NoError(t, err)
	require.Equal(t, []eligibility.Change{{Field: "dibao_standard_monthly.rural", Old: 375.0, New: 390.0}}, changes)

	household := `{"region":"guizhou-2020","area":"rural","members":[{"age":45,"monthly_income":380,"employed":true}]}`
	verdict := func(on string) (float64, eligibility.Verdict) {
		set, err := st.InForce(ctx, day(on))
		require.NoError(t, err)
		h, err := eligibility.DecodeIn(strings.NewReader(household), set)
		require.NoError(t, err)
		r := eligibility.Check(h, "")
		return r.StandardMonthly, r.Program(eligibility.Dibao).Verdict
	}
	s, v := verdict("2020-06-30")
	require.Equal(t, 375.0, s)
	require.Equal(t, eligibility.NotEligible, v)
	s, v = verdict("2021-03-01")
	require.Equal(t, 390.0, s)
	require.Equal(t, eligibility.Eligible, v, "380 a month is under the 2021 standard")

	// Before any version: the region is not in force; the error lists ids.
	set, err := st.InForce(ctx, day("2019-12-31"))
	require.NoError(t, err)
	_, err = eligibility.DecodeIn(strings.NewReader(household), set)
	var ie *eligibility.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "region", ie.Field)
	_, err = st.Version(ctx, "guizhou-2020", day("2019-12-31"))
	require.ErrorIs(t, err, eligibility.ErrNoProfileInForce)
	_, err = st.Versions(ctx, "atlantis")
	require.ErrorIs(t, err, eligibility.ErrUnknownRegion)
	require.ErrorContains(t, err, "qinghai-2021")

	// /api/check with ?date= uses the one in force that day.
	h := eligibility.StoreHandler("12345", st, time.UTC)
	for on, want := range map[string]float64{"2020-05-01": 375, "2022-05-01": 390} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/check?date="+on, strings.NewReader(household)))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var res eligibility.Result
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
		require.Equal(t, want, res.StandardMonthly, on)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/check?date=2022-13-01", strings.NewReader(household)))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), `"field":"date"`)
}

func TestStoreRefusesBadDocumentsNamingTheField(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := eligibility.NewStore(testdb.New(t))
	require.NoError(t, st.Seed(ctx))
	good := guizhouDoc(t, st, "2022-01-01", 400)

	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	for field, doc := range map[string][]byte{
		"effective_from":                       mutate(func(m map[string]any) { delete(m, "effective_from") }),
		"sources.dibao_standard_monthly.rural": mutate(func(m map[string]any) { delete(m["sources"].(map[string]any), "dibao_standard_monthly.rural") }),
		"dibao_standard_monthly.rural":         mutate(func(m map[string]any) { m["dibao_standard_monthly"].(map[string]any)["rural"] = -5 }),
		"colour":                               mutate(func(m map[string]any) { m["colour"] = "blue" }),
	} {
		_, _, err := st.Save(ctx, doc, "tester")
		var de *eligibility.DocumentError
		require.True(t, errors.As(err, &de), "%s: %v", field, err)
		require.Contains(t, err.Error(), field)
	}
	vs, err := st.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	require.Len(t, vs, 1, "nothing stored from a bad document")

	// Export and import round-trip; an import with one bad item stores none.
	_, _, err = st.Save(ctx, good, "tester")
	require.NoError(t, err)
	vs, err = st.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	var export []map[string]any
	for _, v := range vs {
		export = append(export, v.Document())
	}
	b, _ := json.Marshal(export)
	n, err := st.Import(ctx, b, "cli")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	bad := bytes.Replace(b, []byte(`"effective_from":"2022-01-01"`), []byte(`"effective_from":"2022-02-30"`), 1)
	_, err = st.Import(ctx, bad, "cli")
	require.ErrorContains(t, err, "effective_from")
	vs, err = st.Versions(ctx, "guizhou-2020")
	require.NoError(t, err)
	require.Len(t, vs, 2)
}

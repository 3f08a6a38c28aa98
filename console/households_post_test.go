package console_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/outreach"
)

// A full ID number never travels in a URL: the page and the API refuse it
// there (without searching, echoing or auditing it) and take it by POST.
func TestHouseholdSearchByIDNumberOnlyByPost(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	st.enrol(t, 4)
	c := st.client(t)
	csrf := c.login("bureau", bureauPW)
	searches := func() int { return auditCount(t, st, "household.search", "") }
	before := searches()

	resp, body := c.get("/console/households?q=" + nid(2))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "身份证号不能放在网址里")
	require.NotContains(t, body, nid(2))
	require.NotContains(t, body, "GZ-0002")
	require.Contains(t, body, `method="post" action="/console/households"`)

	resp, body = c.api("GET", "/console/api/households?q="+nid(2), "", "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "POST")
	require.Equal(t, before, searches(), "nothing searched from a URL")

	resp, body = c.api("POST", "/console/api/households/search", csrf, `{"q":"`+nid(2)+`"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "GZ-0002")
	require.NotContains(t, body, nid(2))

	resp, body = c.postForm("/console/households", url.Values{"csrf": {csrf}, "q": {nid(2)}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "GZ-0002")
	require.Equal(t, before+2, searches())

	resp, _ = c.postForm("/console/households", url.Values{"q": {nid(2)}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "the form needs its CSRF token")
}

// Without a data key a search by ID number cannot work: the page and the
// API say what is missing instead of a generic error.
func TestHouseholdSearchWithoutDataKeySaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	b := setup(t, func(d *console.Deps) {
		o, err := outreach.New(d.Pool, outreach.Config{PollInterval: 50 * time.Millisecond})
		require.NoError(t, err)
		d.Outreach = o
	})
	c := b.client(t)
	csrf := c.login("bureau", bureauPW)
	resp, body := c.postForm("/console/households", url.Values{"csrf": {csrf}, "q": {nid(7)}})
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, body, "SAFETYNET_DATA_KEY")
	require.Contains(t, body, "没有设置数据密钥")

	resp, body = c.api("POST", "/console/api/households/search", csrf, `{"q":"`+nid(7)+`"}`)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, body, "SAFETYNET_DATA_KEY")
}

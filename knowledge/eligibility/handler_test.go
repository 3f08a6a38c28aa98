package eligibility_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(eligibility.Handler("96110"))
	t.Cleanup(srv.Close)

	post := func(body string) (*http.Response, []byte) {
		resp, err := http.Post(srv.URL+"/api/check", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, b
	}

	t.Run("eval cases", func(t *testing.T) {
		for _, c := range loadCases(t) {
			resp, body := post(string(c.Household))
			if string(c.Expect) == `"error"` {
				require.Equal(t, http.StatusBadRequest, resp.StatusCode, c.Name)
				var e struct{ Error, Field string }
				require.NoError(t, json.Unmarshal(body, &e))
				require.NotEmpty(t, e.Field, c.Name)
				require.NotEmpty(t, e.Error, c.Name)
				continue
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, c.Name)
			CheckAgainstExpect(t, body, c)
		}
	})
	t.Run("bad input names field", func(t *testing.T) {
		resp, body := post(`{"region":"guizhou-2020","area":"rural","members":[{"age":140}]}`)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		var e map[string]string
		require.NoError(t, json.Unmarshal(body, &e))
		require.Equal(t, "members[0].age", e["field"])
	})
	t.Run("hotline in next steps", func(t *testing.T) {
		resp, body := post(`{"region":"guizhou-2020","area":"rural","members":[{"age":30,"employed":true,"monthly_income":5000}]}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), "96110")
	})
	t.Run("too large", func(t *testing.T) {
		big := `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"relation":"` + strings.Repeat("x", eligibility.MaxBodyBytes) + `"}]}`
		resp, _ := post(big)
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	})
	t.Run("GET refused", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/api/check")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})
}

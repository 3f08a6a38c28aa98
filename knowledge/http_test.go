package knowledge_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
)

func TestAskHandler(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()

	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"question":"珙县低保渐退期一般给多长时间？","k":3}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var ans knowledge.Answer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	require.True(t, ans.Answered)
	require.Len(t, ans.Citations, 3)

	for _, body := range []string{`{"question":""}`, `{"question":"x","k":-1}`, `{"nope":1}`, `not json`} {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	}
}

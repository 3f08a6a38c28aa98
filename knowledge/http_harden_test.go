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

func TestAskHandlerRefusesBadBodies(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	post := func(body string) (int, string, knowledge.Answer) {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var raw json.RawMessage
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&raw))
		var e struct{ Error string }
		_ = json.Unmarshal(raw, &e)
		var a knowledge.Answer
		_ = json.Unmarshal(raw, &a)
		return resp.StatusCode, e.Error, a
	}

	status, msg, _ := post(`{"question":"` + strings.Repeat("低保", 20000) + `"}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, status, msg)

	for body, field := range map[string]string{
		`{"question":"低保怎么申请"}{"question":"x"}`: "body",
		`{"question":"低保怎么申请"} [1]`:             "body",
		`{"question":1}`:                        "question",
		`{"question":"x","k":"5"}`:              "k",
		`{"question":"x","region":["a"]}`:       "region",
		`[]`:                                    "body",
		`{"question":"x","nope":1}`:             "body",
		`{"question":"x"`:                       "body",
		``:                                      "body",
	} {
		status, msg, _ := post(body)
		require.Equal(t, http.StatusBadRequest, status, body)
		require.True(t, strings.HasPrefix(msg, field+":"), "%s → %s", body, msg)
		for _, goWord := range []string{"Go ", "struct", "askRequest", "knowledge.", "int", "string"} {
			if goWord == "string" && strings.Contains(msg, "a string") {
				continue
			}
			require.NotContains(t, msg, goWord, "%s → %s", body, msg)
		}
	}

	status, msg, _ = post(`{"question":"低保怎么申请","region":"atlantis"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, msg, "region:")
	require.Contains(t, msg, "guizhou")
	status, _, _ = post(`{"question":"低保怎么申请","region":"guizhou-2020"}`)
	require.Equal(t, http.StatusOK, status)
	status, _, _ = post(`{"question":"低保怎么申请","region":"贵州"}`)
	require.Equal(t, http.StatusOK, status)

	// Zero-width characters are stripped before the question is read.
	status, _, plain := post(`{"question":"珙县低保渐退期一般给多长时间？","k":3}`)
	require.Equal(t, http.StatusOK, status)
	status, _, hidden := post(`{"question":"珙\u200b县低\u200d保渐\ufeff退期一般给多长时间？","k":3}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, plain.Citations, hidden.Citations)
	require.NotContains(t, hidden.Question, "\u200b")
}

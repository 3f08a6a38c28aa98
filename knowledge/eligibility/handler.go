package eligibility

import (
	"encoding/json"
	"errors"
	"net/http"
)

// MaxBodyBytes bounds a check request: 30 members fit in a few kilobytes.
const MaxBodyBytes = 64 << 10

// Handler serves POST /api/check: a household JSON in, the Result JSON out.
// Bad input gets 400 with {"error": "...", "field": "..."}.
func Handler(hotline string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "只接受 POST 请求", "field": ""})
			return
		}
		h, err := Decode(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			var ie *InputError
			switch {
			case errors.As(err, &tooBig):
				writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "请求内容过大", "field": ""})
			case errors.As(err, &ie):
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": ie.Error(), "field": ie.Field})
			default:
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error(), "field": ""})
			}
			return
		}
		writeJSON(w, http.StatusOK, Check(h, hotline))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

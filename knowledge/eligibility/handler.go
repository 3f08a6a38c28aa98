package eligibility

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DayAsked reads the day a pre-check is for: YYYY-MM-DD, or today in tz
// when empty.
func DayAsked(s string, tz *time.Location) (time.Time, error) {
	if s == "" {
		if tz == nil {
			tz = time.UTC
		}
		n := time.Now().In(tz)
		return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date: %q is not a date YYYY-MM-DD", s)
	}
	return d, nil
}

// MaxBodyBytes bounds a check request: 30 members fit in a few kilobytes.
const MaxBodyBytes = 64 << 10

// Handler serves POST /api/check: a household JSON in, the Result JSON out.
// Bad input gets 400 with {"error": "...", "field": "..."}.
func Handler(hotline string) http.Handler { return handler(hotline, nil, nil) }

// StoreHandler is Handler with the bureau's profiles from store: those in
// force on ?date=YYYY-MM-DD, today in tz by default.
func StoreHandler(hotline string, store *Store, tz *time.Location) http.Handler {
	return handler(hotline, store, tz)
}

func handler(hotline string, store *Store, tz *time.Location) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "只接受 POST 请求", "field": ""})
			return
		}
		set := BundledRegions()
		if store != nil {
			day, err := DayAsked(r.URL.Query().Get("date"), tz)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error(), "field": "date"})
				return
			}
			if set, err = store.InForce(r.Context(), day); err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "地区标准暂时无法读取，请稍后再试", "field": ""})
				return
			}
		}
		h, err := DecodeIn(http.MaxBytesReader(w, r.Body, MaxBodyBytes), set)
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

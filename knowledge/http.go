package knowledge

import (
	"encoding/json"
	"errors"
	"net/http"
)

// askRequest is the body of POST /api/ask.
type askRequest struct {
	Question string `json:"question"`
	K        int    `json:"k"`
	Region   string `json:"region"`
}

// Handler serves POST /api/ask: {"question": "…", "k": 5, "region": "…"}
// → the Answer as JSON (the `ask --json` format). Bad input gets 400 with
// {"error": "…"} naming the field.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		var req askRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body: " + err.Error()})
			return
		}
		if req.K < 0 || req.K > 20 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "k: want 1 to 20"})
			return
		}
		ans, err := s.Ask(r.Context(), req.Question, AskOptions{K: req.K, Region: req.Region})
		switch {
		case errors.Is(err, ErrEmptyQuestion), errors.Is(err, ErrLongQuestion):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case err != nil:
			s.log.Error("ask failed", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "暂时无法回答，请稍后再试或拨打热线 " + s.opts.Hotline})
		default:
			writeJSON(w, http.StatusOK, ans)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package knowledge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/knowledge/place"
)

// askRequest is the body of POST /api/ask.
type askRequest struct {
	Question string `json:"question"`
	K        int    `json:"k"`
	Region   string `json:"region"`
}

// maxAskBody is far above a question of MaxQuestion characters in JSON;
// anything bigger is not a question.
const maxAskBody = 16 << 10

// Handler serves POST /api/ask: {"question": "…", "k": 5, "region": "…"}
// → the Answer as JSON (the `ask --json` format). Bad input gets 400 (413
// for a body too large) with {"error": "…"} naming the field.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		req, status, msg := decodeAsk(w, r)
		if status != 0 {
			writeJSON(w, status, map[string]string{"error": msg})
			return
		}
		if req.K < 0 || req.K > 20 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "k: want 1 to 20"})
			return
		}
		// Zero-width characters carry no meaning in a question; left in,
		// they split words and numbers past segmentation and redaction.
		req.Question = pii.StripInvisible(req.Question)
		req.Region = strings.TrimSpace(pii.StripInvisible(req.Region))
		if req.Region != "" && !knownRegion(req.Region) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(
				"region: %q is not known; use one of %s (a suffix such as guizhou-2020 is allowed) or a place name such as 贵州",
				req.Region, strings.Join(regionIDs(), ", "))})
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

// decodeAsk reads exactly one JSON object. Its errors speak of the
// request's fields, never of Go types: encoding/json's own messages name
// the struct they decode into.
func decodeAsk(w http.ResponseWriter, r *http.Request) (askRequest, int, string) {
	var req askRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAskBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil {
		// A second value after the object is a client bug or a smuggling
		// attempt; either way the request is not what it seems.
		if _, terr := dec.Token(); terr != io.EOF {
			var tooBig *http.MaxBytesError
			if errors.As(terr, &tooBig) {
				err = terr
			} else {
				return req, http.StatusBadRequest, "body: one JSON object only; there is more after it"
			}
		}
	}
	if err == nil {
		return req, 0, ""
	}
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooBig):
		return req, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d KiB", maxAskBody>>10)
	case errors.As(err, &typeErr):
		want := map[string]string{"question": "a string", "region": "a string", "k": "a whole number"}[typeErr.Field]
		if want == "" {
			return req, http.StatusBadRequest, "body: must be a JSON object {\"question\": \"…\"}"
		}
		return req, http.StatusBadRequest, fmt.Sprintf("%s: must be %s", typeErr.Field, want)
	case errors.As(err, &synErr):
		return req, http.StatusBadRequest, fmt.Sprintf("body: not valid JSON (at byte %d)", synErr.Offset)
	case errors.Is(err, io.EOF):
		return req, http.StatusBadRequest, "body: empty; send {\"question\": \"…\"}"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return req, http.StatusBadRequest, "body: JSON ends too early"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return req, http.StatusBadRequest, fmt.Sprintf("body: unknown field %s (known: question, k, region)", name)
	}
	return req, http.StatusBadRequest, "body: not a JSON object {\"question\": \"…\"}"
}

// knownRegion: a region id (with or without a suffix such as -2020) or a
// place name of the gazetteer.
func knownRegion(region string) bool {
	_, isID := placeOfID(region)
	return isID || len(place.Lookup(region)) > 0
}

func regionIDs() []string {
	ids := make([]string, 0, len(regionNames))
	for id := range regionNames {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

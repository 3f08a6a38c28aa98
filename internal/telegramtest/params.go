package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// params are a call's parameters as the Bot API sees them: every value is a
// string, and structured values (reply_markup, commands) are JSON text. The
// real server accepts the query string, x-www-form-urlencoded, multipart
// (what go-telegram/bot sends) and JSON bodies; all end up here.
type params map[string]string

func readParams(r *http.Request, maxBody int64) (params, error) {
	p := make(params, 8)
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return p, nil
	}
	mt, mp, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("bad Content-Type: %w", err)
	}
	switch mt {
	case "multipart/form-data":
		return p, readMultipart(p, body, mp["boundary"])
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("bad form body: %w", err)
		}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
		return p, nil
	case "application/json":
		return p, readJSON(p, body)
	default:
		return p, nil
	}
}

func readMultipart(p params, body io.Reader, boundary string) error {
	if boundary == "" {
		return errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(body, boundary)
	var buf bytes.Buffer
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bad multipart body: %w", err)
		}
		name := part.FormName()
		if part.FileName() != "" {
			// Uploaded files are accepted and dropped; only their presence
			// matters to the methods this server implements.
			n, err := io.Copy(io.Discard, part)
			if err != nil {
				return fmt.Errorf("read file %s: %w", name, err)
			}
			p[name] = "attach://" + part.FileName() + "#" + strconv.FormatInt(n, 10)
			continue
		}
		buf.Reset()
		if _, err := buf.ReadFrom(part); err != nil {
			return fmt.Errorf("read field %s: %w", name, err)
		}
		p[name] = buf.String()
	}
}

func readJSON(p params, body io.Reader) error {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(body)
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("bad JSON body: %w", err)
	}
	for k, raw := range m {
		if len(raw) > 0 && raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("bad JSON value for %s: %w", k, err)
			}
			p[k] = s
			continue
		}
		if string(raw) == "null" {
			continue
		}
		p[k] = string(raw)
	}
	return nil
}

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

// chatID reads chat_id. Usernames ("@channel") are not modelled, so they
// get the same answer as an unknown chat.
func (p params) chatID() (int64, *apiError) {
	v := strings.TrimSpace(p["chat_id"])
	// go-telegram/bot encodes a missing chat_id as the JSON null.
	if v == "" || v == "null" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func (p params) int(name string) (int, bool) {
	v, ok := p[name]
	if !ok || v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, false
	}
	return n, true
}

func (p params) bool(name string) bool {
	v := strings.TrimSpace(p[name])
	return v == "true" || v == "1" || v == "True"
}

// writeOK writes {"ok":true,"result":...}. result is encoded before the
// status line so an encoding failure can still become an error answer.
func writeOK(w http.ResponseWriter, result any) {
	b, err := json.Marshal(result)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Server Error: "+err.Error(), 0)
		return
	}
	writeRawOK(w, b)
}

var (
	okPrefix = []byte(`{"ok":true,"result":`)
	okSuffix = []byte("}")
)

func writeRawOK(w http.ResponseWriter, result []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(okPrefix)+len(result)+len(okSuffix)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(okPrefix)
	_, _ = w.Write(result)
	_, _ = w.Write(okSuffix)
}

type errorBody struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *errorParameter `json:"parameters,omitempty"`
}

type errorParameter struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// writeError answers like Telegram: the HTTP status equals error_code, and
// a 429 carries parameters.retry_after in whole seconds.
func writeError(w http.ResponseWriter, code int, desc string, retryAfter int) {
	body := errorBody{ErrorCode: code, Description: desc}
	if retryAfter > 0 {
		body.Parameters = &errorParameter{RetryAfter: retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

func (e *apiError) write(w http.ResponseWriter) { writeError(w, e.code, e.desc, e.retryAfter) }

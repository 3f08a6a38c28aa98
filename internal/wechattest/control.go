package wechattest

import (
	"net/http"
	"time"
)

// control mounts /_test/, the endpoints a person uses to play the
// resident by hand (see the README's "Try WeChat by hand"):
//
//	POST /_test/callback?url=U          where the service receives callbacks
//	POST /_test/send?user=U&text=T      the resident writes (twice=1: delivered twice)
//	POST /_test/click?user=U&key=K      a menu press
//	POST /_test/subscribe?user=U[&ticket=T]  follow, by scanning a QR ticket
//	POST /_test/scan?user=U&ticket=T    a follower scans a QR ticket
//	POST /_test/unsubscribe?user=U      unfollow
//	POST /_test/forge?user=U&text=T     a callback with a wrong signature
//	POST /_test/advance?d=49h           the clock moves on
//	POST /_test/expire-tokens           every access token expires
//	GET  /_test/inbox?user=U            what the resident received
func (s *Server) control(mux *http.ServeMux) {
	mux.HandleFunc("GET /_test/{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"app_id": s.AppID, "app_secret": s.AppSecret, "token": s.Token, "aes_key": s.AESKey,
			"endpoints": []string{"callback", "send", "click", "subscribe", "scan", "unsubscribe", "forge", "advance", "expire-tokens", "inbox"}})
	})
	mux.HandleFunc("POST /_test/callback", func(w http.ResponseWriter, r *http.Request) {
		s.SetCallback(r.URL.Query().Get("url"))
		writeJSON(w, map[string]any{"ok": true})
	})
	deliveries := func(f func(r *http.Request) ([]Delivery, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			ds, err := f(r)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				writeJSON(w, map[string]any{"error": err.Error()})
				return
			}
			writeJSON(w, map[string]any{"deliveries": ds})
		}
	}
	q := func(r *http.Request, k string) string { return r.URL.Query().Get(k) }
	mux.HandleFunc("POST /_test/send", deliveries(func(r *http.Request) ([]Delivery, error) {
		if q(r, "twice") == "1" {
			return s.SendTwice(r.Context(), q(r, "user"), q(r, "text"))
		}
		return s.Send(r.Context(), q(r, "user"), q(r, "text"))
	}))
	mux.HandleFunc("POST /_test/click", deliveries(func(r *http.Request) ([]Delivery, error) {
		return s.Click(r.Context(), q(r, "user"), q(r, "key"))
	}))
	mux.HandleFunc("POST /_test/subscribe", deliveries(func(r *http.Request) ([]Delivery, error) {
		return s.Subscribe(r.Context(), q(r, "user"), q(r, "ticket"))
	}))
	mux.HandleFunc("POST /_test/scan", deliveries(func(r *http.Request) ([]Delivery, error) {
		return s.Scan(r.Context(), q(r, "user"), q(r, "ticket"))
	}))
	mux.HandleFunc("POST /_test/unsubscribe", deliveries(func(r *http.Request) ([]Delivery, error) {
		return s.Unsubscribe(r.Context(), q(r, "user"))
	}))
	mux.HandleFunc("POST /_test/forge", deliveries(func(r *http.Request) ([]Delivery, error) {
		d, err := s.Forge(r.Context(), q(r, "user"), q(r, "text"))
		return []Delivery{d}, err
	}))
	mux.HandleFunc("POST /_test/advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(q(r, "d"))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": "d: a duration such as 49h"})
			return
		}
		s.Advance(d)
		writeJSON(w, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /_test/expire-tokens", func(w http.ResponseWriter, _ *http.Request) {
		s.ExpireTokens()
		writeJSON(w, map[string]any{"ok": true})
	})
	mux.HandleFunc("GET /_test/inbox", func(w http.ResponseWriter, r *http.Request) {
		msgs := s.Inbox(q(r, "user"))
		if msgs == nil {
			msgs = []Message{}
		}
		writeJSON(w, map[string]any{"messages": msgs})
	})
}

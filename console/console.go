// Package console is the staff web console and its JSON API: suggested
// answers for hotline staff, the handoff queue, the eligibility form,
// households and their follow-up, campaigns, knowledge uploads, the
// dashboard and the operations switches.
//
// Pages are rendered on the server (html/template, embedded CSS and a
// little script, charts drawn as inline SVG), so the console works with no
// network beyond the server and on a phone. Every page and API call checks
// the session, the role and — when it changes something — the CSRF token.
// Sessions, login limits and the audit log live in PostgreSQL, so several
// servers can serve the console at once.
package console

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/clientip"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
	"github.com/safetynet/safetynet/questions"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the console is built from. Pool is required; every other
// part may be nil, and its pages then say that it is not available.
type Deps struct {
	Pool     *pgxpool.Pool
	Log      *slog.Logger
	Switches *switches.Board // made from Pool when nil

	// The domain services the pages call directly.
	Knowledge *knowledge.Service
	Handoffs  *handoff.Desk
	Questions *questions.Log
	Outreach  *outreach.Service
	// Regions keeps the region profiles (standards) staff edit and the
	// pre-check reads as in force today; nil: the regions pages say the
	// part is not wired and the pre-check uses the bundled profiles.
	Regions *eligibility.Store

	Hotline string         // the residents' hotline number, shown in help text
	TZ      *time.Location // zone dates are shown in; config.DefaultTZ when nil
	// SecureCookies marks cookies Secure even when the request came over
	// plain HTTP, for a server behind a TLS-terminating proxy. Requests
	// that arrive over TLS get Secure cookies regardless.
	SecureCookies bool
	// UploadDir is where uploaded documents are kept (under documents/),
	// so an admin can re-ingest one from its file; the system's temporary
	// directory when empty.
	UploadDir string
	// ClientIPHeader names the header a trusted reverse proxy puts the
	// client's address in ("X-Real-IP", or "X-Forwarded-For", whose last
	// entry is used). Empty: the peer address. Set it only behind a proxy
	// that overwrites the header, or clients could forge their address
	// past the login limit; without it, everyone behind one proxy shares
	// one address and its limit.
	ClientIPHeader string
	// ClientIP finds the client behind trusted proxies
	// (SAFETYNET_TRUSTED_PROXIES); used when ClientIPHeader is empty.
	ClientIP *clientip.Resolver
}

// Console is the staff console, an http.Handler for everything under
// /console/.
type Console struct {
	pool          *pgxpool.Pool
	log           *slog.Logger
	switches      *switches.Board
	know          *knowledge.Service
	handoffs      *handoff.Desk
	questions     *questions.Log
	outreach      *outreach.Service
	regionStore   *eligibility.Store
	hotline       string
	tz            *time.Location
	secureCookies bool
	uploadDir     string
	ipHeader      string
	clientIP      *clientip.Resolver

	pages map[string]*pageTemplate
	mux   *http.ServeMux
}

// Prefix is where the console is mounted.
const Prefix = "/console/"

// New builds the console. Mount it with mux.Handle("/console/", c).
func New(d Deps) (*Console, error) {
	if d.Pool == nil {
		return nil, errors.New("console: a database pool is required")
	}
	c := &Console{
		pool: d.Pool, log: d.Log, switches: d.Switches,
		know: d.Knowledge, handoffs: d.Handoffs, questions: d.Questions,
		outreach: d.Outreach, regionStore: d.Regions,
		hotline: d.Hotline, tz: d.TZ, secureCookies: d.SecureCookies, uploadDir: d.UploadDir,
		ipHeader: d.ClientIPHeader, clientIP: d.ClientIP,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.switches == nil {
		c.switches = switches.New(d.Pool)
	}
	if c.hotline == "" {
		c.hotline = config.DefaultHotline
	}
	if c.tz == nil {
		c.tz = config.DefaultTZ()
	}
	pages, err := loadPages(c)
	if err != nil {
		return nil, err
	}
	c.pages = pages
	c.routes()
	return c, nil
}

// ServeHTTP serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Staff pages carry personal data: never cached, never framed, no
	// scripts from anywhere but here.
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	defer func() {
		// A bug in one page must not take the connection down with no
		// answer; the cause goes to the log.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			c.log.Error("console panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	if c.ipHeader == "" && c.clientIP != nil {
		// Everything below (login delays, audit) reads RemoteAddr.
		r2 := *r
		r2.RemoteAddr = net.JoinHostPort(c.clientIP.Addr(r), "0")
		r = &r2
	}
	if c.ipHeader != "" {
		if v := r.Header.Get(c.ipHeader); v != "" {
			parts := strings.Split(v, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				r2 := *r
				r2.RemoteAddr = net.JoinHostPort(ip.String(), "0")
				r = &r2
			}
		}
	}
	c.mux.ServeHTTP(w, r)
}

// Who may open what.
var (
	allRoles     = []Role{RoleAdmin, RoleBureau, RoleHotline}
	hotlineRoles = []Role{RoleAdmin, RoleHotline}
	bureauRoles  = []Role{RoleAdmin, RoleBureau}
	adminRoles   = []Role{RoleAdmin}
)

type handler func(w http.ResponseWriter, r *http.Request, s *session)

func (c *Console) routes() {
	m := http.NewServeMux()
	c.mux = m
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))

	m.HandleFunc("GET /console/login", c.loginPage)
	m.HandleFunc("POST /console/login", c.loginSubmit)
	m.HandleFunc("POST /console/logout", c.page(allRoles, c.logout))
	m.HandleFunc("GET /console/{$}", c.page(allRoles, c.home))

	m.HandleFunc("GET /console/answer", c.page(allRoles, c.answerPage))
	m.HandleFunc("POST /console/answer", c.page(allRoles, c.answerPage))
	m.HandleFunc("POST /console/answer/{id}/feedback", c.page(allRoles, c.answerFeedbackForm))
	m.HandleFunc("POST /console/answer/{id}/source", c.page(allRoles, c.answerSourceForm))
	m.HandleFunc("POST /console/api/ask", c.api(allRoles, c.apiAsk))
	m.HandleFunc("POST /console/api/ask/{id}/feedback", c.api(allRoles, c.apiAskFeedback))
	m.HandleFunc("GET /console/api/ask/recent", c.api(allRoles, c.apiAskRecent))

	m.HandleFunc("GET /console/handoffs", c.page(hotlineRoles, c.handoffsPage))
	m.HandleFunc("GET /console/handoffs/{id}", c.page(hotlineRoles, c.handoffPage))
	m.HandleFunc("POST /console/handoffs/{id}/{action}", c.page(hotlineRoles, c.handoffAction))
	m.HandleFunc("GET /console/api/handoffs", c.api(hotlineRoles, c.wired("handoffs", c.handoffs != nil, c.apiHandoffs)))
	m.HandleFunc("GET /console/api/handoffs/{id}", c.api(hotlineRoles, c.wired("handoffs", c.handoffs != nil, c.apiHandoff)))
	m.HandleFunc("POST /console/api/handoffs/{id}/{action}", c.api(hotlineRoles, c.wired("handoffs", c.handoffs != nil, c.apiHandoffAction)))

	m.HandleFunc("GET /console/check", c.page(allRoles, c.checkPage))
	m.HandleFunc("POST /console/check", c.page(allRoles, c.checkPage))
	m.HandleFunc("POST /console/api/check", c.api(allRoles, c.apiCheck))

	m.HandleFunc("GET /console/households", c.page(bureauRoles, c.householdsPage))
	// POST: the search form, so a full ID number stays out of URLs.
	m.HandleFunc("POST /console/households", c.page(bureauRoles, c.householdsPage))
	m.HandleFunc("GET /console/households/{id}", c.page(bureauRoles, c.householdPage))
	m.HandleFunc("GET /console/followups", c.page(bureauRoles, c.followupsPage))
	m.HandleFunc("GET /console/followups.csv", c.page(bureauRoles, c.followupsCSV))
	m.HandleFunc("GET /console/api/households", c.api(bureauRoles, c.wired("households", c.outreach != nil, c.apiHouseholds)))
	m.HandleFunc("POST /console/api/households/search", c.api(bureauRoles, c.wired("households", c.outreach != nil, c.apiHouseholds)))
	m.HandleFunc("GET /console/api/households/{id}", c.api(bureauRoles, c.wired("households", c.outreach != nil, c.apiHousehold)))
	m.HandleFunc("GET /console/api/followups", c.api(bureauRoles, c.wired("households", c.outreach != nil, c.apiFollowups)))

	c.regionRoutes(m)

	m.HandleFunc("GET /console/campaigns", c.page(bureauRoles, c.campaignsPage))
	m.HandleFunc("POST /console/campaigns", c.page(bureauRoles, c.campaignsPage))
	m.HandleFunc("GET /console/campaigns/{id}", c.page(bureauRoles, c.campaignPage))
	m.HandleFunc("POST /console/campaigns/{id}/{action}", c.page(bureauRoles, c.campaignAction))
	m.HandleFunc("GET /console/api/campaigns", c.api(bureauRoles, c.wired("campaigns", c.outreach != nil, c.apiCampaigns)))
	m.HandleFunc("POST /console/api/campaigns", c.api(bureauRoles, c.wired("campaigns", c.outreach != nil, c.apiCampaignCreate)))
	m.HandleFunc("POST /console/api/campaigns/preview", c.api(bureauRoles, c.wired("campaigns", c.outreach != nil, c.apiCampaignPreview)))
	m.HandleFunc("GET /console/api/campaigns/{id}", c.api(bureauRoles, c.wired("campaigns", c.outreach != nil, c.apiCampaign)))
	m.HandleFunc("POST /console/api/campaigns/{id}/{action}", c.api(bureauRoles, c.wired("campaigns", c.outreach != nil, c.apiCampaignAction)))

	m.HandleFunc("GET /console/knowledge", c.page(bureauRoles, c.knowledgePage))
	m.HandleFunc("POST /console/knowledge", c.page(bureauRoles, c.knowledgeUpload))
	m.HandleFunc("POST /console/knowledge/documents/{action}", c.page(adminRoles, c.knowledgeDocAction))

	m.HandleFunc("GET /console/dashboard", c.page(allRoles, c.dashboardPage))
	m.HandleFunc("GET /console/api/stats", c.api(allRoles, c.apiStats))

	m.HandleFunc("GET /console/operations", c.page(adminRoles, c.operationsPage))
	m.HandleFunc("POST /console/operations", c.page(adminRoles, c.operationsSet))
	m.HandleFunc("GET /console/api/switches", c.api(allRoles, c.apiSwitches))
	m.HandleFunc("POST /console/api/switches", c.api(adminRoles, c.apiSwitchSet))
	m.HandleFunc("GET /console/api/audit", c.api(adminRoles, c.apiAudit))

	m.HandleFunc("GET /console/staff", c.page(adminRoles, c.staffPage))
	m.HandleFunc("POST /console/staff", c.page(adminRoles, c.staffAdd))
	m.HandleFunc("POST /console/staff/{id}/{action}", c.page(adminRoles, c.staffToggle))

	m.HandleFunc("/console/", c.page(allRoles, func(w http.ResponseWriter, r *http.Request, s *session) {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个页面。")
	}))
	m.HandleFunc("/console/api/", c.api(allRoles, func(w http.ResponseWriter, r *http.Request, s *session) {
		writeError(w, http.StatusNotFound, "no such API endpoint")
	}))
}

func mutating(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func allowed(role Role, roles []Role) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// page wraps a page handler: no session → the login page (coming back
// here after); wrong role → 403; a form without its CSRF token → 403.
func (c *Console) page(roles []Role, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := c.loadSession(r)
		if errors.Is(err, errNoSession) {
			next := r.URL.RequestURI()
			if mutating(r) {
				next = r.URL.Path
			}
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		if !allowed(s.User.Role, roles) {
			c.renderError(w, r, s, http.StatusForbidden, "您的账号没有打开这个页面的权限。")
			return
		}
		if mutating(r) {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				if err := r.ParseMultipartForm(maxUpload); err != nil {
					c.renderError(w, r, s, http.StatusBadRequest, "上传的内容无法读取，或文件太大。")
					return
				}
			}
			if !csrfOK(r, s.CSRF) {
				c.renderError(w, r, s, http.StatusForbidden, "表单已过期，请刷新页面后再试。")
				return
			}
		}
		h(w, r, s)
	}
}

// api wraps a JSON API handler: the same checks, answered with 401/403.
func (c *Console) api(roles []Role, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := c.loadSession(r)
		if errors.Is(err, errNoSession) {
			writeError(w, http.StatusUnauthorized, "sign in first")
			return
		}
		if err != nil {
			c.log.Error("console api session", "err", err)
			writeError(w, http.StatusInternalServerError, "internal error")
			return
		}
		if !allowed(s.User.Role, roles) {
			writeError(w, http.StatusForbidden, "your role may not use this endpoint")
			return
		}
		if mutating(r) && !csrfOK(r, s.CSRF) {
			writeError(w, http.StatusForbidden, "missing or wrong X-CSRF-Token header")
			return
		}
		h(w, r, s)
	}
}

// wired answers 503 for a part this server was built without, so each JSON
// handler need not check its own dependency. Parts are fixed at New, so
// the check is decided once, at routing.
func (c *Console) wired(part string, ok bool, h handler) handler {
	if ok {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		writeError(w, http.StatusServiceUnavailable, part+" are not wired into this server")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// apiFail answers an error: one explain knows, with its status, field and
// words; anything else with a plain 500, the cause going to the log.
func (c *Console) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	if p, ok := explain(err); ok {
		body := map[string]string{"error": p.En, "message": p.Words}
		if p.Field != "" {
			body["field"] = p.Field
		}
		writeJSON(w, p.Status, body)
		return
	}
	c.log.Error("console api", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// decodeJSON reads a request body of at most 1 MiB into v.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, s *session) {
	dest := "/console/dashboard"
	if s.User.Role == RoleHotline {
		dest = "/console/answer"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// Package console is the county's web console, served by gridhub under
// /console/: accounts with roles, sessions, the matters inbox (assign a
// matter to a grid worker, change its status, which the station's look-up
// then answers), registrations and volunteer hours with their CSV export,
// and the audit log of every reveal of personal data.
//
// Pages are rendered on the server from html/template, with no
// JavaScript: they work on a phone, a laptop and a screen reader alike.
// Everything a second hub process needs (accounts, sessions, failed
// log-ins, a matter's history, the audit log) is in the hub's Store
// (hub.ConsoleStore), never only in memory.
package console

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Console serves the console's pages.
type Console struct {
	Store hub.Store
	Log   *slog.Logger
	Now   func() time.Time
	// Secure marks the session cookie Secure: set it when the hub serves
	// TLS, and the cookie then also takes the __Host- prefix.
	Secure bool
	// OverdueAfter is how long after receipt an open matter is overdue:
	// default 3 days (see DefaultOverdue).
	OverdueAfter time.Duration
	// IdleTimeout ends a session not used for this long (30 min), MaxAge
	// one this old whatever its use (12 h).
	IdleTimeout, MaxAge time.Duration
	// Throttle bounds failed log-ins.
	Throttle Throttle
	// Password are the costs of passwords set through the console's
	// callers (tests make them cheap); zero means DefaultPassword.
	Password PasswordParams

	// pages are parsed at the first page served, not kept from
	// Handler's check: a kiosk under --simulate carries this console
	// beside it, and its parsed templates (about 1 MB of heap) would
	// otherwise stay for the kiosk's life whether a browser ever comes.
	pagesOnce sync.Once
	pages     map[string]*template.Template
	pagesErr  error
}

// DefaultOverdue is when an open matter becomes overdue: 3 days after
// receipt. County rules for grid matters commonly ask for a first answer
// within a working day and an ordinary matter handled within three to
// five working days; 3 calendar days flags a matter before the shortest
// of those runs out, even over a weekend.
const DefaultOverdue = 72 * time.Hour

// Throttle is how many failed log-ins an account (PerUser) and a client
// address (PerClient) may have within Window before log-ins are refused
// until the oldest of them leaves the window.
type Throttle struct {
	PerUser, PerClient int
	Window             time.Duration
}

// Handler returns the console's handler, for Prefix.
func (c *Console) Handler() (http.Handler, error) {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.OverdueAfter <= 0 {
		c.OverdueAfter = DefaultOverdue
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 12 * time.Hour
	}
	if c.Throttle == (Throttle{}) {
		c.Throttle = Throttle{PerUser: 5, PerClient: 20, Window: 15 * time.Minute}
	}
	if c.Password == (PasswordParams{}) {
		c.Password = DefaultPassword
	}
	if _, err := parse(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/matters", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.login)
	mux.HandleFunc("POST /console/logout", c.authed(anyRole, c.logout))
	mux.HandleFunc("GET /console/matters", c.authed(anyRole, c.inbox))
	mux.HandleFunc("GET /console/matters/{id}", c.authed(anyRole, c.matter))
	mux.HandleFunc("POST /console/matters/{id}/assign", c.authed(handlers, c.assign))
	mux.HandleFunc("POST /console/matters/{id}/status", c.authed(handlers, c.setStatus))
	mux.HandleFunc("POST /console/reveal/{id}", c.authed(handlers, c.reveal))
	mux.HandleFunc("GET /console/registrations", c.authed(anyRole, c.people(kindRegistration)))
	mux.HandleFunc("GET /console/volunteers", c.authed(anyRole, c.people(kindVolunteer)))
	mux.HandleFunc("GET /console/registrations.csv", c.authed(anyRole, c.exportCSV(kindRegistration)))
	mux.HandleFunc("GET /console/volunteers.csv", c.authed(anyRole, c.exportCSV(kindVolunteer)))
	mux.HandleFunc("POST /console/registrations.csv", c.authed(handlers, c.exportCSV(kindRegistration)))
	mux.HandleFunc("POST /console/volunteers.csv", c.authed(handlers, c.exportCSV(kindVolunteer)))
	mux.HandleFunc("GET /console/audit", c.authed(adminOnly, c.audit))
	mux.HandleFunc("GET /console/stations", c.authed(anyRole, c.stations))
	mux.HandleFunc("GET /console/stations/{id}", c.authed(anyRole, c.station))
	mux.HandleFunc("POST /console/stations/{id}/release", c.authed(adminOnly, c.assignRelease))
	// Browsers' own cross-origin check (Sec-Fetch-Site, Origin) before
	// the CSRF token: two locks, either of which stops a forged form.
	return securityHeaders(http.NewCrossOriginProtection().Handler(mux)), nil
}

// securityHeaders keeps the console out of frames and other sites'
// scripts, and its pages out of shared caches.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

var funcs = template.FuncMap{
	"state":  stateLabel,
	"when":   when,
	"action": actionLabel,
}

var actionLabels = map[string]string{
	"login": "登录 log-in", "reveal": "查看个人信息 personal data shown", "export": "导出个人信息 export with personal data",
	"assign": "指派 assigned", "status": "改状态 status changed",
	"release-add": "添加系统版本 release added", "release-assign": "指派系统版本 release assigned",
}

func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

// parse parses every page's template with the layout around it.
func parse() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n, err)
		}
		pages[n[len("templates/"):len(n)-len(".html")]] = t
	}
	return pages, nil
}

// page is what every page's template gets besides its own data.
type page struct {
	Title string
	User  *hub.User
	CSRF  string
	Nav   string
	Flash string
	Data  any
}

func (c *Console) render(w http.ResponseWriter, code int, name string, p page) {
	c.pagesOnce.Do(func() { c.pages, c.pagesErr = parse() })
	t, ok := c.pages[name]
	if c.pagesErr != nil || !ok {
		c.Log.Error("console: no template", "page", name, "err", c.pagesErr)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if err := t.Execute(w, p); err != nil {
		c.Log.Error("console: render", "page", name, "err", err)
	}
}

// fail answers with a page that says what went wrong, in both languages.
func (c *Console) fail(w http.ResponseWriter, s *session, code int, msg string) {
	p := page{Title: "出错了 Error", Flash: msg}
	if s != nil {
		p.User, p.CSRF = &s.user, s.CSRF
	}
	c.render(w, code, "error", p)
}

func (c *Console) storeFailed(w http.ResponseWriter, s *session, err error) {
	c.Log.Error("console: store", "err", err)
	c.fail(w, s, http.StatusServiceUnavailable, "存储暂不可用，请稍后再试 / Storage unavailable; try again later")
}

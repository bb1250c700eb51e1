package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// session is a request's logged-in account.
type session struct {
	hub.Session
	user hub.User
}

// Who may do what: every role reads; admins and community staff handle
// matters and may see personal data; only admins read the audit log.
var (
	anyRole   = []string{hub.RoleAdmin, hub.RoleStaff, hub.RoleViewer}
	handlers  = []string{hub.RoleAdmin, hub.RoleStaff}
	adminOnly = []string{hub.RoleAdmin}
)

// touchEvery is how stale a session's LastSeen may get before a request
// writes it again: idle expiry needs minutes, not every request's write.
const touchEvery = time.Minute

func (c *Console) cookieName() string {
	// __Host- makes the browser refuse the cookie unless it is Secure,
	// for this host only and for path /: no subdomain can plant one.
	if c.Secure {
		return "__Host-gk_console"
	}
	return "gk_console"
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	path := Prefix
	if c.Secure {
		path = "/"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteStrictMode})
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// authed runs h for a request with a live session of an account in one
// of roles, and checks the CSRF token of every POST.
func (c *Console) authed(roles []string, h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, why, err := c.session(r)
		if err != nil {
			c.storeFailed(w, nil, err)
			return
		}
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/login?why="+why+"&next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, nil, http.StatusUnauthorized, "请先登录 / Please log in")
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), s.CSRF) {
			c.Log.Warn("console: CSRF token refused", "user", s.User, "path", r.URL.Path)
			c.fail(w, s, http.StatusForbidden, "请求已过期或来源无效，请返回重试 / The form expired or did not come from this console (CSRF); go back and try again")
			return
		}
		if !slices.Contains(roles, s.user.Role) {
			c.fail(w, s, http.StatusForbidden, "您的角色无权进行此操作 / Your role may not do this")
			return
		}
		h(w, r, s)
	}
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// session returns the request's live session, or nil and why not
// ("expired" or "").
func (c *Console) session(r *http.Request) (*session, string, error) {
	ck, err := r.Cookie(c.cookieName())
	if err != nil || ck.Value == "" {
		return nil, "", nil
	}
	h := hashID(ck.Value)
	se, ok, err := c.Store.Session(h)
	if err != nil || !ok {
		return nil, "", err
	}
	now := c.Now()
	if now.Sub(se.LastSeen) > c.IdleTimeout || now.Sub(se.Created) > c.MaxAge {
		return nil, "expired", c.Store.DeleteSession(h)
	}
	u, ok, err := c.Store.User(se.User)
	if err != nil {
		return nil, "", err
	}
	if !ok || u.Disabled {
		return nil, "", c.Store.DeleteSession(h)
	}
	if now.Sub(se.LastSeen) > touchEvery {
		se.LastSeen = now
		if err := c.Store.PutSession(se); err != nil {
			return nil, "", err
		}
	}
	return &session{Session: se, user: u}, "", nil
}

type loginData struct {
	Name, Next string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "登录 Log in"}
	if r.URL.Query().Get("why") == "expired" {
		p.Flash = "会话已过期，请重新登录 / Your session expired; please log in again"
	}
	c.renderLogin(w, http.StatusOK, p, loginData{Next: r.URL.Query().Get("next")})
}

// renderLogin shows the log-in form with a fresh pre-session CSRF token,
// kept in a cookie of its own (double submit): there is no session yet
// to keep it in.
func (c *Console) renderLogin(w http.ResponseWriter, code int, p page, d loginData) {
	tok := randomToken()
	c.setCookie(w, "gk_login_csrf", tok, 3600)
	p.CSRF, p.Data = tok, d
	c.render(w, code, "login", p)
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	name, pw := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	d := loginData{Name: name, Next: r.PostFormValue("next")}
	ck, err := r.Cookie("gk_login_csrf")
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		c.renderLogin(w, http.StatusForbidden, page{Title: "登录 Log in",
			Flash: "登录表单已过期，请重试 / The log-in form expired (CSRF); please try again"}, d)
		return
	}
	now := c.Now()
	userKey, clientKey := "user:"+name, "client:"+clientAddr(r)
	if msg, err := c.throttled(userKey, clientKey, now); err != nil || msg != "" {
		if err != nil {
			c.storeFailed(w, nil, err)
			return
		}
		c.Log.Warn("console: log-in throttled", "client", clientAddr(r))
		c.renderLogin(w, http.StatusTooManyRequests, page{Title: "登录 Log in", Flash: msg}, d)
		return
	}
	u, ok, err := c.Store.User(name)
	if err != nil {
		c.storeFailed(w, nil, err)
		return
	}
	good := false
	if ok && !u.Disabled {
		good, err = VerifyPassword(u.PassHash, pw)
		if err != nil {
			c.Log.Error("console: password hash", "user", name, "err", err)
		}
	} else {
		// The same work as a real check, so that the time taken does
		// not tell which names are accounts.
		VerifyPassword(dummyHash, pw)
	}
	if !good {
		c.loginFailed(w, ok, userKey, clientKey, now, d)
		return
	}
	if err := c.startSession(w, u, now); err != nil {
		c.storeFailed(w, nil, err)
		return
	}
	next := d.Next
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") {
		next = "/console/matters"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) loginFailed(w http.ResponseWriter, known bool, userKey, clientKey string, now time.Time, d loginData) {
	keys := []string{clientKey}
	// Only accounts that exist are counted by name, so that made-up
	// names do not fill the store.
	if known {
		keys = append(keys, userKey)
	}
	for _, k := range keys {
		if err := c.Store.AddLoginFailure(k, now); err != nil {
			c.storeFailed(w, nil, err)
			return
		}
	}
	c.Log.Info("console: log-in failed", "known_user", known)
	c.renderLogin(w, http.StatusUnauthorized, page{Title: "登录 Log in",
		Flash: "用户名或密码不正确 / Wrong name or password"}, d)
}

// throttled returns the message for a log-in refused for too many
// failures, or "".
func (c *Console) throttled(userKey, clientKey string, now time.Time) (string, error) {
	t := c.Throttle
	for _, k := range []struct {
		key   string
		limit int
		who   string
	}{{userKey, t.PerUser, "该账号 / this account"}, {clientKey, t.PerClient, "这台电脑 / this computer"}} {
		n, first, err := c.Store.LoginFailures(k.key, now.Add(-t.Window))
		if err != nil {
			return "", err
		}
		if n >= k.limit {
			wait := max(first.Add(t.Window).Sub(now), time.Minute).Round(time.Minute)
			mins := int(wait / time.Minute)
			return fmt.Sprintf("%s登录失败次数过多，请 %d 分钟后再试 / Too many failed log-ins (%s); try again in %d minutes",
				strings.SplitN(k.who, " / ", 2)[0], mins, strings.SplitN(k.who, " / ", 2)[1], mins), nil
		}
	}
	return "", nil
}

func (c *Console) startSession(w http.ResponseWriter, u hub.User, now time.Time) error {
	if err := c.Store.ClearLoginFailures("user:" + u.Name); err != nil {
		return err
	}
	id := randomToken()
	se := hub.Session{IDHash: hashID(id), User: u.Name, CSRF: randomToken(), Created: now, LastSeen: now}
	if err := c.Store.PutSession(se); err != nil {
		return err
	}
	// Browsers that never log out leave sessions; each log-in sweeps
	// them, so the store holds only live ones and a few stale.
	if err := c.Store.DeleteExpiredSessions(now.Add(-c.IdleTimeout-touchEvery), now.Add(-c.MaxAge)); err != nil {
		return err
	}
	c.setCookie(w, "gk_login_csrf", "", -1)
	c.setCookie(w, c.cookieName(), id, int(c.MaxAge/time.Second))
	c.Log.Info("console: logged in", "user", u.Name, "role", u.Role)
	return c.Store.AddAudit(hub.AuditEntry{At: now, User: u.Name, Action: "login"})
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.Store.DeleteSession(s.IDHash); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	c.setCookie(w, c.cookieName(), "", -1)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// dummyHash is checked against for names that are no account.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$ZHVtbXlkdW1teWR1bW15$7Qy0a8z0XlU6m0d3v6e2y1k9y4tq4mJx3m2u0b1c2d4"

package console

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type loginData struct {
	Name  string
	Next  string
	Token string
}

// safeNext keeps a post-login redirect inside the console, so the login
// page cannot be used to send staff elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix
	}
	return next
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := c.loadSession(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := c.newView(nil, "", "登录", loginData{Next: safeNext(r.URL.Query().Get("next")), Token: c.loginToken(w, r)})
	c.render(w, r, http.StatusOK, "login", v)
}

func (c *Console) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name := strings.TrimSpace(r.PostFormValue("name"))
	next := safeNext(r.PostFormValue("next"))
	again := func(status int, msg string) {
		v := c.newView(nil, "", "登录", loginData{Name: name, Next: next, Token: c.loginToken(w, r)})
		v.Error = msg
		c.render(w, r, status, "login", v)
	}
	ck, err := r.Cookie(loginCSRF)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		again(http.StatusForbidden, "登录表单已过期，请再试一次。")
		return
	}
	u, err := authenticate(r.Context(), c.pool, name, r.PostFormValue("password"), clientIP(r))
	switch {
	case errors.Is(err, ErrTooManyAttempts):
		msg := "登录尝试太多，请稍后再试。"
		var wait *LoginWait
		if errors.As(err, &wait) {
			secs := max(1, int(time.Until(wait.Until).Seconds()+0.999))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			msg = fmt.Sprintf("登录尝试太多，请 %d 秒后再试。", secs)
		}
		again(http.StatusTooManyRequests, msg)
		return
	case errors.Is(err, ErrBadCredentials):
		again(http.StatusUnauthorized, "用户名或密码不对。")
		return
	case err != nil:
		c.fail(w, r, nil, err)
		return
	}
	if _, err := c.startSession(r.Context(), w, r, u); err != nil {
		c.fail(w, r, nil, err)
		return
	}
	if err := audit(r.Context(), c.pool, u, r, AuditLogin, "", nil); err != nil {
		c.fail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.endSession(r.Context(), w, r, s); err != nil {
		c.fail(w, r, s, err)
		return
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditLogout, "", nil); err != nil {
		c.log.Error("console audit", "err", err)
	}
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wenban/appliance/audit"
	"wenban/appliance/auth"
)

// AuditTrail records who did what on the staff side. *audit.Log
// implements it.
type AuditTrail interface {
	Record(ctx context.Context, e audit.Entry) error
	List(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
}

// audited wraps a staff handler so that a request it completes, with a
// status below 400, leaves an audit entry for action about target(r).
// Failed requests change nothing, so they are not recorded, except for
// logins, which loginSubmit records itself.
func (s *Server) audited(action audit.Action, target func(*http.Request) string, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rec := &statusRecorder{ResponseWriter: w}
		if err := h(rec, r); err != nil {
			return err
		}
		if rec.status == 0 || rec.status < http.StatusBadRequest {
			_, acct := account(r)
			s.recordAudit(r, audit.Entry{ActorID: acct.ID, Actor: acct.DisplayName, Action: action, Target: targetOf(target, r)})
		}
		return nil
	}
}

func targetOf(target func(*http.Request) string, r *http.Request) string {
	if target == nil {
		return ""
	}
	return target(r)
}

// pathTarget names the target by a path parameter.
func pathTarget(name string) func(*http.Request) string {
	return func(r *http.Request) string { return r.PathValue(name) }
}

// formTarget names the target by a form field, cut to 64 runes.
func formTarget(name string) func(*http.Request) string {
	return func(r *http.Request) string {
		v := []rune(r.PostFormValue(name))
		return string(v[:min(len(v), 64)])
	}
}

// recordAudit stores e with the client's address. A trail that cannot be
// written is logged as an error and does not fail the request, because
// the action has already happened.
func (s *Server) recordAudit(r *http.Request, e audit.Entry) {
	if s.deps.Audit == nil {
		return
	}
	e.Remote = remoteHost(r)
	if err := s.deps.Audit.Record(r.Context(), e); err != nil {
		s.log.Error("recording audit entry failed", "action", string(e.Action), "error", err)
	}
}

// recordLogin records a login attempt. A failure names the account only
// when the typed login belongs to one, so a password typed into the login
// field never reaches the trail.
func (s *Server) recordLogin(r *http.Request, login string, sess auth.Session, err error) {
	if err == nil {
		a, aerr := s.deps.Auth.Account(r.Context(), sess.AccountID)
		if aerr != nil {
			a = auth.Account{ID: sess.AccountID}
		}
		s.recordAudit(r, audit.Entry{ActorID: a.ID, Actor: a.DisplayName, Action: audit.LoginSucceeded})
		return
	}

	e := audit.Entry{Action: audit.LoginFailed, Detail: loginFailureDetail(err)}
	// auth folds case and spaces in a login, so the trail must too, or
	// guesses typed as " AGENT2" would hide from agent2's filter.
	typed := strings.ToLower(strings.TrimSpace(login))
	if accounts, lerr := s.deps.Auth.Accounts(r.Context()); lerr == nil {
		for _, a := range accounts {
			if strings.EqualFold(a.Login, typed) {
				e.ActorID, e.Actor = a.ID, a.DisplayName
				break
			}
		}
	}
	// Guesses at names nobody has could otherwise flood the capped trail
	// and push real entries out, so one address records only a few.
	if e.ActorID == "" && !s.unknownLogins.allow(r.RemoteAddr, s.now()) {
		return
	}
	s.recordAudit(r, e)
}

// Rate of audit entries for failed logins that name no account, per
// client address: enough to show an attack, too few to flood the trail.
const (
	unknownLoginEvery = time.Minute
	unknownLoginBurst = 20
)

func loginFailureDetail(err error) string {
	switch {
	case errors.Is(err, auth.ErrLocked):
		return "账号已临时锁定"
	case errors.Is(err, auth.ErrAccountDisabled):
		return "账号已停用"
	case errors.Is(err, auth.ErrBadCredentials):
		return "账号或密码错误"
	case errors.Is(err, auth.ErrBusy):
		return "系统繁忙"
	}
	return "输入有误"
}

// groupTarget names a group window's history by its id.
func groupTarget(r *http.Request) string { return "group:" + r.PathValue("id") }

// importTarget names a knowledge-base import by its mode and file name;
// a check-only upload changes nothing and is marked so.
func importTarget(r *http.Request) string {
	mode := "检查"
	if r.PostFormValue("mode") == "import" {
		mode = "导入"
	}
	name := ""
	if r.MultipartForm != nil && len(r.MultipartForm.File["file"]) > 0 {
		name = r.MultipartForm.File["file"][0].Filename
	}
	return mode + " " + name
}

// messagesTarget names a view of the 留言 list by its page and search.
func messagesTarget(r *http.Request) string {
	target := "第 " + strconv.Itoa(max(pageNumber(r), 1)) + " 页"
	if q := messageQuery(r); q != "" {
		target += "，查找 " + q
	}
	return target
}

package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"wenban/appliance/auth"
	"wenban/appliance/logvalue"
	"wenban/ui/seat"
)

// msgBadMaxChats rejects a concurrent chat limit that is not a number.
const msgBadMaxChats = "同时服务上限须为 0 至 50 之间的整数，0 表示使用系统默认值。"

// accountNotices confirm an action after its redirect. The done query
// parameter only selects one of these fixed texts.
var accountNotices = map[string]string{
	"updated":  "账号信息已保存。",
	"disabled": "账号已停用，其登录已全部失效。",
	"enabled":  "账号已启用。",
}

// resetAccountPassword gives account id a generated password and shows it
// on this response only: the password never goes into a URL, a redirect
// or a log line, and the page is sent with Cache-Control no-store.
func (s *Server) resetAccountPassword(w http.ResponseWriter, r *http.Request) error {
	_, admin := account(r)
	target, err := s.deps.Auth.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		return s.accountActionFailed(w, r, err)
	}

	password, err := auth.GeneratePasswordFor(target.Login)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.ResetPassword(r.Context(), admin.ID, target.ID, password); err != nil {
		return s.accountActionFailed(w, r, err)
	}
	s.recheckSeat(target.ID)

	reset := &seat.ResetNotice{Login: target.Login, Name: target.DisplayName, Password: password}
	return s.renderAccountsView(w, r, http.StatusOK, seat.Accounts{Reset: reset})
}

// disableAccount stops account id from signing in and ends its sessions.
func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request) error {
	return s.setDisabled(w, r, true)
}

// enableAccount lets account id sign in again.
func (s *Server) enableAccount(w http.ResponseWriter, r *http.Request) error {
	return s.setDisabled(w, r, false)
}

func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	a, err := s.deps.Auth.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		return s.accountActionFailed(w, r, err)
	}

	a.Disabled = disabled
	if err := s.deps.Auth.Update(r.Context(), a); err != nil {
		return s.accountActionFailed(w, r, err)
	}
	if disabled {
		s.recheckSeat(a.ID)
	}

	done := "enabled"
	if disabled {
		done = "disabled"
	}
	http.Redirect(w, r, "/seat/admin/accounts?done="+done, http.StatusSeeOther)
	return nil
}

// updateAccount saves the display name, role and concurrent chat limit
// of account id from the row's edit form.
func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.deps.Auth.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		return s.accountActionFailed(w, r, err)
	}

	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		ie := &auth.InputError{Field: "role", Message: "请选择坐席、班长或管理员角色。", Err: err}
		return s.accountActionFailed(w, r, ie)
	}
	maxChats, err := parseMaxChats(r.PostFormValue("max_chats"))
	if err != nil {
		return s.accountActionFailed(w, r, &auth.InputError{Field: "max_chats", Message: msgBadMaxChats, Err: err})
	}

	a.DisplayName, a.Role, a.MaxChats = r.PostFormValue("name"), role, maxChats
	if err := s.deps.Auth.Update(r.Context(), a); err != nil {
		return s.accountActionFailed(w, r, err)
	}
	http.Redirect(w, r, "/seat/admin/accounts?done=updated", http.StatusSeeOther)
	return nil
}

// parseMaxChats reads the edit form's concurrent chat limit. The range is
// left to auth.Update, which names it in its message.
func parseMaxChats(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("parsing max chats %q: %w", s, err)
	}
	return n, nil
}

// accountActionFailed shows the account page with the Chinese message of
// a rejected action. Errors the administrator cannot fix are returned.
func (s *Server) accountActionFailed(w http.ResponseWriter, r *http.Request, err error) error {
	var ie *auth.InputError
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &ie):
	case errors.Is(err, auth.ErrLastAdmin):
		status = http.StatusConflict
	case errors.Is(err, auth.ErrNotFound):
		status = http.StatusNotFound
	default:
		return err
	}

	// An input error is logged by field only, because its cause may quote
	// what the administrator typed.
	reason := slog.Any("error", err)
	if ie != nil {
		reason = slog.String("field", ie.Field)
	}
	_, admin := account(r)
	s.log.Info("account action rejected", "route", r.Pattern, "account_id", logvalue.Clip(r.PathValue("id")),
		"admin_id", admin.ID, "status", status, reason)
	return s.renderAccountsView(w, r, status, seat.Accounts{Error: auth.UserMessage(err)})
}

// recheckSeat closes the account's open seat pages whose login no longer
// holds, without waiting for their periodic check.
func (s *Server) recheckSeat(accountID string) {
	if s.deps.RecheckSeat != nil {
		s.deps.RecheckSeat(accountID)
	}
}

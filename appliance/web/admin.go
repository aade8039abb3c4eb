package web

import (
	"errors"
	"fmt"
	"net/http"

	"wenban/appliance/auth"
	"wenban/ui/seat"
)

var roleOptions = []seat.Option{
	{Value: auth.RoleAgent.String(), Label: auth.RoleAgent.Label()},
	{Value: auth.RoleSupervisor.String(), Label: auth.RoleSupervisor.Label()},
	{Value: auth.RoleAdmin.String(), Label: auth.RoleAdmin.Label()},
}

// accounts lists the staff accounts with the create form.
func (s *Server) accounts(w http.ResponseWriter, r *http.Request) error {
	view := seat.Accounts{Notice: accountNotices[r.URL.Query().Get("done")]}
	if r.URL.Query().Get("created") == "1" {
		view.Form.Notice = "账号已创建，请将账号和初始密码告知本人。"
	}
	return s.renderAccountsView(w, r, http.StatusOK, view)
}

func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, status int, form seat.AccountForm) error {
	return s.renderAccountsView(w, r, status, seat.Accounts{Form: form})
}

// renderAccountsView completes view with the account list, the header and
// the role choices and renders it. The create form defaults to the agent role.
func (s *Server) renderAccountsView(w http.ResponseWriter, r *http.Request, status int, view seat.Accounts) error {
	list, err := s.deps.Auth.Accounts(r.Context())
	if err != nil {
		return err
	}
	view.Nav, view.Roles = navOf(r, "accounts"), roleOptions
	if view.Form.Role == "" {
		view.Form.Role = auth.RoleAgent.String()
	}
	for _, a := range list {
		view.Items = append(view.Items, seat.Account{
			ID:        a.ID,
			Login:     a.Login,
			Name:      a.DisplayName,
			Role:      a.Role.Label(),
			RoleValue: a.Role.String(),
			MaxChats:  a.MaxChats,
			Disabled:  a.Disabled,
			Created:   s.formatTime(a.CreatedAt),
		})
	}
	return s.render(w, r, status, seat.AccountsView(view))
}

// createAccount adds a staff account. requireStaff already parsed the
// form and checked its CSRF token and the administrator role.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	form := seat.AccountForm{
		Login: r.PostFormValue("login"),
		Name:  r.PostFormValue("name"),
		Role:  r.PostFormValue("role"),
	}
	role, err := auth.ParseRole(form.Role)
	if err != nil {
		form.Error = "请选择坐席、班长或管理员角色。"
		return s.renderAccounts(w, r, http.StatusBadRequest, form)
	}

	_, err = s.deps.Auth.CreateAccount(r.Context(), form.Login, form.Name, role, r.PostFormValue("password"))
	var ie *auth.InputError
	if errors.As(err, &ie) {
		form.Error = ie.Message
		return s.renderAccounts(w, r, http.StatusBadRequest, form)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/seat/admin/accounts?created=1", http.StatusSeeOther)
	return nil
}

// passwordPage shows the change-password form; staff whose password an
// administrator set are sent here until they choose their own.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	_, acct := account(r)
	view := seat.Password{Nav: navOf(r, ""), Required: acct.MustChangePassword}
	return s.render(w, r, http.StatusOK, seat.PasswordView(view))
}

// changePassword sets a new password. Success ends every session of the
// account, so the member signs in again with the new password.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	_, acct := account(r)
	view := seat.Password{Nav: navOf(r, ""), Required: acct.MustChangePassword}

	newPassword := r.PostFormValue("new_password")
	if newPassword != r.PostFormValue("confirm_password") {
		view.Error = "两次输入的新密码不一致，请重新输入。"
		return s.render(w, r, http.StatusBadRequest, seat.PasswordView(view))
	}
	err := s.deps.Auth.SetPassword(r.Context(), acct.ID, r.PostFormValue("old_password"), newPassword)
	var ie *auth.InputError
	if errors.As(err, &ie) {
		view.Error = ie.Message
		return s.render(w, r, http.StatusBadRequest, seat.PasswordView(view))
	}
	// Wrong old passwords lock the account like failed logins do; that is
	// the guard working, not a fault of the hub.
	var locked *auth.LockedError
	if errors.As(err, &locked) {
		s.log.Info("password change locked", "account_id", acct.ID, "minutes", locked.Minutes())
		view.Error = fmt.Sprintf("原密码输错次数过多，修改密码已暂停，请 %d 分钟后再试；如忘记原密码，请联系系统管理员重置。", locked.Minutes())
		return s.render(w, r, http.StatusTooManyRequests, seat.PasswordView(view))
	}
	if err != nil {
		return err
	}
	auth.ClearCookie(w)
	http.Redirect(w, r, "/seat/login?changed=1", http.StatusSeeOther)
	return nil
}

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"wenban/appliance/auth"
)

// staffPage guards an HTML page for any signed-in staff member.
func (s *Server) staffPage(h handlerFunc) http.Handler {
	return s.requireStaff(auth.RoleAgent, true, s.page(h))
}

// adminPage guards an HTML page for administrators.
func (s *Server) adminPage(h handlerFunc) http.Handler {
	return s.requireStaff(auth.RoleAdmin, true, s.page(h))
}

// staffAPI guards a non-HTML route, such as the seat WebSocket, for any
// signed-in staff member.
func (s *Server) staffAPI(h http.Handler) http.Handler {
	return s.requireStaff(auth.RoleAgent, false, h)
}

// requireStaff lets a request through with a valid session, the session's
// CSRF token on unsafe methods and at least role min. It stores the
// session in the request context for auth.FromContext. A page request
// without a session is sent to the login page; other requests get 401.
func (s *Server) requireStaff(min auth.Role, isPage bool, next http.Handler) http.Handler {
	respond := s.api
	if isPage {
		respond = s.page
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, acct, err := s.deps.Auth.FromRequest(r)
		if err != nil {
			respond(func(w http.ResponseWriter, r *http.Request) error {
				return s.denyNoSession(w, r, err, isPage)
			}).ServeHTTP(w, r)
			return
		}

		if denied := s.checkStaffRequest(w, r, sess, acct, min); denied != nil {
			respond(func(http.ResponseWriter, *http.Request) error { return denied }).ServeHTTP(w, r)
			return
		}
		if acct.MustChangePassword && r.URL.Path != "/seat/password" && r.URL.Path != "/seat/logout" {
			// A handed-over password opens nothing but its own change: the
			// pages redirect there, and the JSON routes refuse.
			if isPage {
				http.Redirect(w, r, "/seat/password", http.StatusSeeOther)
				return
			}
			respond(func(http.ResponseWriter, *http.Request) error {
				return &appError{Status: http.StatusForbidden, Message: msgMustChangePassword,
					Cause: fmt.Errorf("account %s must change its password", acct.ID)}
			}).ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithAccount(r.Context(), sess, acct)))
	})
}

// checkStaffRequest returns the rejection of a signed-in request, or nil.
func (s *Server) checkStaffRequest(w http.ResponseWriter, r *http.Request, sess auth.Session, acct auth.Account, min auth.Role) error {
	if !safeMethod(r.Method) {
		if err := parseForm(w, r); err != nil {
			return err
		}
		token := r.Header.Get(auth.CSRFHeader)
		if token == "" {
			token = r.PostFormValue(csrfField)
		}
		if !s.deps.Auth.CheckCSRF(sess, token) {
			return csrfRejected()
		}
	}
	if !acct.Role.AtLeast(min) {
		return &appError{Status: http.StatusForbidden, Message: msgForbidden,
			Cause: errors.New("account role " + acct.Role.String() + " is below " + min.String())}
	}
	return nil
}

// denyNoSession rejects a request whose session check failed.
func (s *Server) denyNoSession(w http.ResponseWriter, r *http.Request, err error, isPage bool) error {
	unauthenticated := errors.Is(err, auth.ErrNoSession) || errors.Is(err, auth.ErrSessionExpired) ||
		errors.Is(err, auth.ErrAccountDisabled)
	if !unauthenticated {
		return internalError(err)
	}
	if errors.Is(err, auth.ErrSessionExpired) || errors.Is(err, auth.ErrAccountDisabled) {
		auth.ClearCookie(w)
	}
	if !isPage {
		return &appError{Status: http.StatusUnauthorized, Message: msgLoginFirst, Cause: err}
	}

	target := "/seat/login"
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// safeNext returns next when it is a staff page of this hub, else "/seat",
// so the login form cannot be used to redirect anywhere else.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/seat") || strings.HasPrefix(next, "/seat/login") {
		return "/seat"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.Contains(next, "\\") || strings.HasPrefix(next, "//") {
		return "/seat"
	}
	return next
}

// account returns the staff member that requireStaff stored.
func account(r *http.Request) (auth.Session, auth.Account) {
	sess, acct, _ := auth.FromContext(r.Context())
	return sess, acct
}

package auth

import (
	"context"
	"errors"
	"net/http"
)

// SessionCookie is the name of the cookie that carries the session token.
const SessionCookie = "wenban_session"

// Where unsafe requests carry the CSRF token: the header for scripts, the
// form field for plain HTML forms.
const (
	CSRFHeader    = "X-CSRF-Token"
	CSRFFormField = "csrf_token"
)

// SetCookie sends the session cookie for sess, which must come from Login
// because only that Session has a Token. The cookie is HttpOnly and
// SameSite=Lax, Secure when secure is true, and lasts until the session's
// ExpiresAt. SetCookie also sends the device cookie of sess (HttpOnly,
// SameSite=Strict, DeviceCookieTTL), which LoginDevice reads at the next
// login from this browser.
func (s *Service) SetCookie(w http.ResponseWriter, sess Session, secure bool) {
	if sess.Token == "" {
		s.log.Error("setting session cookie failed: session has no token", "session_id", sess.ID)
		return
	}
	maxAge := int(sess.ExpiresAt.Sub(s.now()).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    sess.Token,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
	s.setDeviceCookie(w, sess, secure)
}

// ClearCookie sends an expired session cookie so the browser deletes it.
func ClearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// FromRequest authenticates the session cookie of r. Without the cookie
// it returns ErrNoSession, and otherwise what Authenticate returns.
func (s *Service) FromRequest(r *http.Request) (Session, Account, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return Session{}, Account{}, ErrNoSession
	}
	return s.Authenticate(r.Context(), c.Value)
}

// Middleware lets a request through only with a valid session and, for
// methods other than GET, HEAD, OPTIONS and TRACE, the session's CSRF
// token. Handlers read the session and account with FromContext.
// Rejections go to Options.OnDenied.
//
// NOTE: a form without the CSRF header is parsed here to read the form
// field, which for multipart bodies may buffer uploads to disk, so wrap
// the body with http.MaxBytesReader before this middleware.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, acct, err := s.FromRequest(r)
		if err != nil {
			s.deny(w, r, err)
			return
		}
		if !safeMethod(r.Method) && !s.CheckCSRF(sess, csrfToken(r)) {
			s.deny(w, r, ErrCSRF)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithAccount(r.Context(), sess, acct)))
	})
}

// RequireRole wraps next, which must sit behind Middleware, so that only
// accounts with at least role min reach it. Others get 403.
func RequireRole(min Role, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, acct, ok := FromContext(r.Context())
		if !ok || !acct.Role.AtLeast(min) {
			http.Error(w, UserMessage(ErrForbidden), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func csrfToken(r *http.Request) string {
	if token := r.Header.Get(CSRFHeader); token != "" {
		return token
	}
	return r.PostFormValue(CSRFFormField)
}

func (s *Service) deny(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, ErrCSRF) || errors.Is(err, ErrAccountDisabled):
		status = http.StatusForbidden
	case !errors.Is(err, ErrNoSession) && !errors.Is(err, ErrSessionExpired):
		status = http.StatusInternalServerError
		s.log.Error("authenticating request failed", "err", err, "path", r.URL.Path)
	}

	if errors.Is(err, ErrSessionExpired) || errors.Is(err, ErrAccountDisabled) {
		ClearCookie(w)
	}
	if s.onDenied != nil {
		s.onDenied(w, r, err)
		return
	}
	http.Error(w, UserMessage(err), status)
}

type contextKey struct{}

type contextValue struct {
	sess Session
	acct Account
}

// WithAccount returns a copy of ctx that carries sess and acct.
func WithAccount(ctx context.Context, sess Session, acct Account) context.Context {
	return context.WithValue(ctx, contextKey{}, contextValue{sess: sess, acct: acct})
}

// FromContext returns the session and account that WithAccount stored.
func FromContext(ctx context.Context) (Session, Account, bool) {
	v, ok := ctx.Value(contextKey{}).(contextValue)
	return v.sess, v.acct, ok
}

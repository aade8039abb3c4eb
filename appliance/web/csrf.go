package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
)

// Form fields and cookies of the CSRF checks. The field name matches the
// one package auth documents for session tokens, so every form posts its
// token the same way.
const (
	csrfField  = "csrf_token"
	csrfCookie = "wenban_csrf"
)

// errCSRF is the cause of every CSRF rejection; the user sees msgCSRF.
var errCSRF = errors.New("missing or mismatched CSRF token")

func csrfRejected() *appError {
	return &appError{Status: http.StatusForbidden, Message: msgCSRF, Cause: errCSRF}
}

// formToken returns the pre-session CSRF token of the browser, setting a
// new cookie when it has none. Forms shown before login (the citizen page
// and the staff login page) post it back, and checkFormToken compares the
// two: a forged cross-site form cannot read the cookie to copy it.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(csrfCookie); err == nil && validToken(c.Value) {
		return c.Value, nil
	}

	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating CSRF token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name:     csrfCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.deps.Secure,
		SameSite: http.SameSiteStrictMode,
	})
	return token, nil
}

// checkFormToken reports whether the parsed form's token matches the
// browser's pre-session cookie.
func checkFormToken(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validToken(c.Value) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) == 1
}

// validToken accepts only what formToken can have made.
func validToken(v string) bool {
	if len(v) != base64.RawURLEncoding.EncodedLen(32) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(v)
	return err == nil
}

package web

import (
	"errors"
	"net/http"
	"time"
)

// contentSecurityPolicy allows only the hub's own scripts, styles and
// sockets. Media and images may also come from blob: and data: URLs, which
// voice messages, camera previews and screenshots use.
const contentSecurityPolicy = "default-src 'self'; connect-src 'self'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote. Unwrap lets the
// WebSocket upgrade reach the connection's Hijacker.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.status == 0 {
		sr.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.status == 0 {
		sr.status = http.StatusOK
	}
	return sr.ResponseWriter.Write(b)
}

func (sr *statusRecorder) Unwrap() http.ResponseWriter { return sr.ResponseWriter }

// accessLog logs each request at debug level with its method, route
// pattern, status and duration. It leaves out the path and the query
// string because they may carry search words or ids a citizen typed.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)

		status := rec.status
		if status == 0 {
			// A hijacked WebSocket or an empty reply wrote no status line.
			status = http.StatusOK
		}
		s.log.Debug("http request",
			"method", r.Method,
			"route", r.Pattern,
			"status", status,
			"duration", time.Since(start))
	})
}

// recoverPanics turns a handler panic into a logged 500 error page. The
// panic value is logged but never sent to the browser.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.log.Error("handler panicked", "method", r.Method, "route", r.Pattern, "panic", v)
			s.writePageError(w, r, internalError(nil))
		}()
		next.ServeHTTP(w, r)
	})
}

package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/a-h/templ"

	"wenban/ui/layout"
)

// maxBodyBytes caps JSON and form bodies. The largest legitimate body, a
// handoff with 20 transcript lines, stays far below it.
const maxBodyBytes = 64 << 10

// handlerFunc is a handler whose error the adapter turns into a response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// page adapts h for HTML routes: an error renders the error page.
func (s *Server) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writePageError(w, r, err)
		}
	})
}

// api adapts h for JSON routes: an error writes {"error": message}.
func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeAPIError(w, r, err)
		}
	})
}

// render writes c with status only after it rendered completely, so a
// template error becomes the error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return internalError(fmt.Errorf("rendering page for %s: %w", r.Pattern, err))
	}

	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if _, err := buf.WriteTo(w); err != nil {
		s.log.Debug("writing page failed", "route", r.Pattern, "error", err)
	}
	return nil
}

func (s *Server) writePageError(w http.ResponseWriter, r *http.Request, err error) {
	ae := asAppError(err)
	s.logAppError(r, ae)

	var buf bytes.Buffer
	page := layout.ErrorPage(layout.Error{Status: ae.Status, Message: ae.Message, Back: backFor(r)})
	if rerr := page.Render(r.Context(), &buf); rerr != nil {
		s.log.Error("rendering error page failed", "route", r.Pattern, "error", rerr)
		http.Error(w, ae.Message, ae.Status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(ae.Status)
	_, _ = buf.WriteTo(w)
}

// backFor picks the error page's way out: staff stay on the staff side.
func backFor(r *http.Request) string {
	if len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/seat" {
		return "/seat"
	}
	return "/"
}

type errorBody struct {
	Error        string `json:"error"`
	LeaveMessage bool   `json:"leave_message,omitempty"`
	Field        string `json:"field,omitempty"`
}

func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	ae := asAppError(err)
	s.logAppError(r, ae)
	s.writeJSON(w, r, ae.Status, errorBody{Error: ae.Message, LeaveMessage: ae.LeaveMessage, Field: ae.Field})
}

func (s *Server) logAppError(r *http.Request, ae *appError) {
	if ae.Status >= http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "route", r.Pattern, "status", ae.Status, "error", ae.Cause)
		return
	}
	if ae.Cause != nil {
		s.log.Debug("request rejected", "method", r.Method, "route", r.Pattern, "status", ae.Status, "error", ae.Cause)
	}
}

// writeJSON encodes v before it writes anything, so an encoding failure
// still becomes a clean 500.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encoding JSON reply failed", "route", r.Pattern, "error", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":"` + msgInternal + `"}`)
	}

	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if _, err := w.Write(append(b, '\n')); err != nil {
		s.log.Debug("writing JSON reply failed", "route", r.Pattern, "error", err)
	}
}

// decodeJSON reads a JSON body of at most maxBodyBytes into dst. It
// rejects another content type, unknown fields, trailing data and invalid
// UTF-8, which encoding/json would otherwise turn into U+FFFD silently.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &appError{Status: http.StatusUnsupportedMediaType, Message: msgBadJSON,
			Cause: fmt.Errorf("content type %q is not application/json", r.Header.Get("Content-Type"))}
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &appError{Status: http.StatusRequestEntityTooLarge, Message: "提交的内容过长，请精简后再试。", Cause: err}
		}
		return badRequest(msgBadJSON, fmt.Errorf("reading JSON body: %w", err))
	}
	if !utf8.Valid(body) {
		return badRequest(msgInvalidText, errors.New("JSON body is not valid UTF-8"))
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badRequest(msgBadJSON, fmt.Errorf("decoding JSON body: %w", err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest(msgBadJSON, errors.New("JSON body has data after the object"))
	}
	return nil
}

// parseForm reads a form body of at most maxBodyBytes and rejects invalid
// UTF-8 in any value.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return badRequest("提交的内容有误，请刷新页面后重试。", fmt.Errorf("parsing form: %w", err))
	}
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return badRequest(msgInvalidText, errors.New("form value is not valid UTF-8"))
			}
		}
	}
	return nil
}

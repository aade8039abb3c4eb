// Package kiosk renders the touch screen of a virtual-window terminal. The
// page has a start screen, the bot, 转人工 with the queue position, and the
// call view with the staff member's video. It also has document-camera
// stills, the consent question and stop button of remote control, and an
// on-screen keyboard with pinyin candidates. The terminal process serves
// the page, and ui/static/kiosk.js drives it.
package kiosk

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Page is the view model of the kiosk screen.
type Page struct {
	// Window is the virtual window's ID, shown small for technicians.
	Window string
	// IdleTimeout ends a citizen's session after this long without a touch.
	IdleTimeout time.Duration
}

func (p Page) idleSeconds() string {
	return strconv.Itoa(int(p.IdleTimeout / time.Second))
}

// Handler renders p into a buffer first, so a template error becomes a
// 500 response rather than half a page. A nil log discards the error.
func Handler(p Page, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := Screen(p).Render(r.Context(), &buf); err != nil {
			log.Error("rendering the kiosk screen failed", "error", err)
			http.Error(w, "页面暂时无法显示，请联系工作人员。", http.StatusInternalServerError)
			return
		}

		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy",
			"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'")
		w.Write(buf.Bytes())
	})
}

// keyRows are the letter rows of the on-screen keyboard in QWERTY order,
// which is how pinyin is typed on phones, plus a row of digits for phone
// numbers and ID numbers.
var keyRows = [][]string{
	{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
	{"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
	{"a", "s", "d", "f", "g", "h", "j", "k", "l"},
	{"z", "x", "c", "v", "b", "n", "m", "，", "。", "？"},
}

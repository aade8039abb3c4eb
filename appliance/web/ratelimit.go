package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rates of the citizen's actions per client address. Each handoff and
// left message is stored, so an unlimited client could fill the disk or
// take every queue place. The rates are loose, because the kiosks of a
// hall, or every citizen behind a gateway, may share one address.
//
// Questions to the bot are always answered: an acceptance run asks
// hundreds of them from one machine. Only their recording for the
// learning loop is limited, to recordBurst at once and one every
// recordEvery per address. One client then cannot fill the disk, and it
// would take a day of steady junk from one address to replace the kept
// 100,000 questions; many addresses still could, which the cap, not the
// rate, bounds.
const (
	recordEvery  = time.Second
	recordBurst  = 120
	handoffEvery = 10 * time.Second
	handoffBurst = 10
	leaveEvery   = 30 * time.Second
	leaveBurst   = 10
)

// keyedLimiter rate-limits requests per key, such as a client address or
// a reference number, with one token bucket per key.
type keyedLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*clientLimit
	swept   time.Time
}

type clientLimit struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newKeyedLimiter(every time.Duration, burst int) *keyedLimiter {
	return &keyedLimiter{every: every, burst: burst, clients: map[string]*clientLimit{}}
}

// allowKey reports whether one more request under key may go ahead.
func (l *keyedLimiter) allowKey(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	c := l.clients[key]
	if c == nil {
		c = &clientLimit{limiter: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.limiter.AllowN(now, 1)
}

// sweep deletes keys idle long enough to have a full bucket again, so the
// map stays as small as the set of recent keys.
func (l *keyedLimiter) sweep(now time.Time) {
	idle := l.every * time.Duration(l.burst)
	if now.Sub(l.swept) < idle {
		return
	}
	l.swept = now
	for key, c := range l.clients {
		if now.Sub(c.seen) > idle {
			delete(l.clients, key)
		}
	}
}

// addressLimiter rate-limits requests per client address. It guards the
// staff login, where each attempt costs an argon2 run, so one host cannot
// guess passwords or lock accounts at speed.
//
// NOTE: behind a reverse proxy every client shares the proxy's address;
// the limiter then bounds the proxy as a whole.
type addressLimiter struct {
	keyedLimiter
}

func newAddressLimiter(every time.Duration, burst int) *addressLimiter {
	return &addressLimiter{keyedLimiter{every: every, burst: burst, clients: map[string]*clientLimit{}}}
}

// allow reports whether the client at remoteAddr may make one more request.
func (l *addressLimiter) allow(remoteAddr string, now time.Time) bool {
	return l.allowKey(clientKey(remoteAddr), now)
}

// clientKey returns the key of the client at remoteAddr: its IPv4
// address, or the /64 network of its IPv6 address, because one IPv6 host
// commonly holds a whole /64 and could take a new address per request.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// limit wraps h so that clients over the rate get 429 with a Chinese
// message, as JSON on the API routes and as a page elsewhere.
func (s *Server) limit(l *addressLimiter, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.allow(r.RemoteAddr, s.now()) {
			s.log.Warn("request rate limited", "route", r.Pattern)
			err := &appError{Status: http.StatusTooManyRequests, Message: msgTooMany}
			if isAPIPath(r.URL.Path) {
				s.writeAPIError(w, r, err)
			} else {
				s.writePageError(w, r, err)
			}
			return
		}
		h.ServeHTTP(w, r)
	})
}

// isAPIPath reports whether path is one of the JSON routes, whose pages
// read an error from a JSON body.
func isAPIPath(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/seat/api/")
}

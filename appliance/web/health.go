package web

import (
	"net/http"
	"sync"
	"time"
)

// logLimiter lets one log line through per interval, because a monitor
// polls /healthz every few seconds and the appliance disk is small.
type logLimiter struct {
	mu   sync.Mutex
	last time.Time
}

const healthLogInterval = time.Minute

func (l *logLimiter) allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < healthLogInterval {
		return false
	}
	l.last = now
	return true
}

type healthBody struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// healthz reports whether the hub can serve. The reason is the health
// check's own error text: the endpoint is for operators and their
// monitoring, and the checks name components, never personal data.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.deps.Health != nil {
		if err := s.deps.Health(); err != nil {
			if s.healthLog.allow(s.now()) {
				s.log.Warn("health check failed", "error", err)
			}
			s.writeJSON(w, r, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Reason: err.Error()})
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, healthBody{Status: "ok"})
}

package auth

import (
	"sync"
	"time"
)

// failureLogBurst is how many failed-login lines are logged per minute. A
// password-guessing run would otherwise fill the appliance's small disk.
const failureLogBurst = 20

// logLimiter allows failureLogBurst lines per minute and counts the rest.
type logLimiter struct {
	mu         sync.Mutex
	window     time.Time
	count      int
	suppressed int
}

// allow reports whether a line may be logged now, and the number of lines
// suppressed in the previous minute when a new minute has just begun.
func (l *logLimiter) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()

	var suppressed int
	if now.Sub(l.window) >= time.Minute || now.Before(l.window) {
		suppressed = l.suppressed
		l.window, l.count, l.suppressed = now, 0, 0
	}
	if l.count >= failureLogBurst {
		l.suppressed++
		return false, suppressed
	}
	l.count++
	return true, suppressed
}

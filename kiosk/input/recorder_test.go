package input

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

var errInjected = errors.New("injected failure")

// recorder is an Injector that records each call as one line of text.
type recorder struct {
	width, height int
	failOn        string       // method name whose calls return errInjected
	beforeType    func(string) // called before each TypeText call is recorded

	mu    sync.Mutex
	calls []string
}

func newRecorder() *recorder { return &recorder{width: 1920, height: 1080} }

func (r *recorder) record(method, format string, args ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()

	line := method
	if format != "" {
		line += " " + fmt.Sprintf(format, args...)
	}
	r.calls = append(r.calls, line)
	if method == r.failOn {
		return errInjected
	}

	return nil
}

func (r *recorder) recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()

	return append([]string(nil), r.calls...)
}

func (r *recorder) ScreenSize() (int, int) { return r.width, r.height }
func (r *recorder) MoveTo(x, y int) error  { return r.record("move", "%d %d", x, y) }
func (r *recorder) Press(b Button) error   { return r.record("press", "%v", b) }
func (r *recorder) Release(b Button) error { return r.record("release", "%v", b) }
func (r *recorder) Click(b Button) error   { return r.record("click", "%v", b) }
func (r *recorder) Scroll(delta int) error { return r.record("scroll", "%d", delta) }
func (r *recorder) KeyTap(k Key) error     { return r.record("tap", "%v", k) }
func (r *recorder) ReleaseAll() error      { return r.record("release-all", "") }
func (r *recorder) TypeText(s string) error {
	if r.beforeType != nil {
		r.beforeType(s)
	}

	return r.record("type", "%q", s)
}

// waitFor polls cond until it holds or two seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(2 * time.Second)
	ticker := time.NewTicker(time.Millisecond)
	defer ticker.Stop()

	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-ticker.C
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}

	return true
}

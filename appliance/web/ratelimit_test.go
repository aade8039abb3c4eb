package web

import (
	"testing"
	"time"
)

func TestAddressLimiter(t *testing.T) {
	l := newAddressLimiter(time.Second, 3)
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.allow("127.0.0.1:5000", now) {
			t.Fatalf("request %d within the burst: got refused", i+1)
		}
	}
	if l.allow("127.0.0.1:5001", now) {
		t.Error("fourth request from the same host: got allowed, want refused")
	}
	if !l.allow("127.0.0.2:5000", now) {
		t.Error("another host: got refused, want allowed")
	}
	if !l.allow("127.0.0.1:5000", now.Add(time.Second)) {
		t.Error("after one interval: got refused, want allowed")
	}

	l.allow("127.0.0.3:1", now)
	l.allow("127.0.0.1:1", now.Add(10*time.Second))
	if _, ok := l.clients["127.0.0.3"]; ok {
		t.Error("idle client not swept")
	}
}

package token

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wenban/appliance/seal"
)

var (
	testKey = bytes.Repeat([]byte{7}, MinKeySize)
	now     = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
)

func newSigner(t testing.TB, key []byte) *Signer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	return s
}

func TestAuthorize(t *testing.T) {
	s := newSigner(t, testKey)
	other := newSigner(t, bytes.Repeat([]byte{8}, MinKeySize))
	publish, err := s.Issue("room-1", PermissionPublish, time.Hour, now)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	forged, err := other.Issue("room-1", PermissionPublish, time.Hour, now)
	if err != nil {
		t.Fatalf("Issue(other key): %v", err)
	}

	tests := []struct {
		name  string
		token string
		room  string
		perm  Permission
		at    time.Time
		want  error
	}{
		{"valid", publish, "room-1", PermissionPublish, now, nil},
		{"just before expiry", publish, "room-1", PermissionPublish, now.Add(time.Hour - time.Second), nil},
		{"expired", publish, "room-1", PermissionPublish, now.Add(time.Hour), ErrExpired},
		{"wrong room", publish, "room-2", PermissionPublish, now, ErrWrongRoom},
		{"wrong permission", publish, "room-1", PermissionPlay, now, ErrWrongPermission},
		{"other key", forged, "room-1", PermissionPublish, now, ErrBadSignature},
		{"tampered claims", tamper(publish), "room-1", PermissionPublish, now, ErrBadSignature},
		{"empty", "", "room-1", PermissionPublish, now, ErrMalformed},
		{"no prefix", strings.TrimPrefix(publish, prefix), "room-1", PermissionPublish, now, ErrMalformed},
		{"too long", publish + strings.Repeat("a", MaxLength), "room-1", PermissionPublish, now, ErrMalformed},
		{"no signature", prefix + "e30", "room-1", PermissionPublish, now, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Authorize(tt.token, tt.room, tt.perm, tt.at)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if tt.want == nil && c.Room != tt.room {
				t.Errorf("got room %q, want %q", c.Room, tt.room)
			}
		})
	}
}

// tamper changes one character of the claims but keeps the signature.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	return parts[0] + "." + strings.Replace(parts[1], "c", "d", 1) + "." + parts[2]
}

func TestIssueRejectsBadInput(t *testing.T) {
	s := newSigner(t, testKey)
	tests := []struct {
		name string
		room string
		perm Permission
		ttl  time.Duration
	}{
		{"missing room", "", PermissionPlay, time.Hour},
		{"unknown permission", "r", PermissionUnknown, time.Hour},
		{"zero TTL", "r", PermissionPlay, 0},
		{"TTL over maximum", "r", PermissionPlay, MaxTTL + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tok, err := s.Issue(tt.room, tt.perm, tt.ttl, now); err == nil {
				t.Errorf("got token %q, want an error", tok)
			}
		})
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	if _, err := New(make([]byte, MinKeySize-1)); err == nil {
		t.Fatalf("got nil error for a %d-byte key, want an error", MinKeySize-1)
	}
}

func TestParsePermission(t *testing.T) {
	tests := []struct {
		in   string
		want Permission
		ok   bool
	}{
		{"publish", PermissionPublish, true},
		{"play", PermissionPlay, true},
		{"unknown", PermissionUnknown, false},
		{"", PermissionUnknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePermission(tt.in)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("got %s, %v; want %s, ok %v", got, err, tt.want, tt.ok)
			}
			if tt.ok && got.String() != tt.in {
				t.Errorf("got String %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestFromMasterKeepsKey(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "master.key")
	master, err := seal.OpenMasterKey(keyFile, true)
	if err != nil {
		t.Fatalf("OpenMasterKey: %v", err)
	}
	first, err := FromMaster(master)
	if err != nil {
		t.Fatalf("FromMaster: %v", err)
	}
	tok, err := first.Issue("r", PermissionPlay, time.Hour, now)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	reloaded, err := seal.OpenMasterKey(keyFile, false)
	if err != nil {
		t.Fatalf("reopening master key: %v", err)
	}
	second, err := FromMaster(reloaded)
	if err != nil {
		t.Fatalf("FromMaster: %v", err)
	}
	if _, err := second.Authorize(tok, "r", PermissionPlay, now); err != nil {
		t.Errorf("token after reloading the master key: got %v, want valid", err)
	}

	other, err := seal.NewMasterKey(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	stranger, err := FromMaster(other)
	if err != nil {
		t.Fatalf("FromMaster: %v", err)
	}
	if _, err := stranger.Authorize(tok, "r", PermissionPlay, now); err == nil {
		t.Error("token checked under another master key: got valid, want rejected")
	}
}

func FuzzParse(f *testing.F) {
	s := newSigner(f, testKey)
	valid, err := s.Issue("room-1", PermissionPublish, time.Hour, now)
	if err != nil {
		f.Fatalf("Issue: %v", err)
	}
	f.Add(valid)
	f.Add("")
	f.Add(prefix)
	f.Add(prefix + "..")
	f.Add(tamper(valid))
	f.Fuzz(func(t *testing.T, text string) {
		c, err := s.Parse(text)
		if err != nil {
			return
		}
		// Only a correctly signed token parses, and its claims are whole.
		if c.Room == "" || c.Permission == PermissionUnknown {
			t.Fatalf("parsed %q to incomplete claims %+v", text, c)
		}
		if len(text) > MaxLength {
			t.Fatalf("parsed a token of %d bytes, over MaxLength", len(text))
		}
	})
}

func TestIssuePlayCarriesSources(t *testing.T) {
	s := newSigner(t, testKey)
	tests := []struct {
		name    string
		sources Sources
	}{
		{"whole room", SourcesAll},
		{"staff only", SourcesStaff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := s.IssuePlay("hall", tt.sources, time.Hour, now)
			if err != nil {
				t.Fatalf("IssuePlay: %v", err)
			}
			c, err := s.Authorize(tok, "hall", PermissionPlay, now)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if c.Sources != tt.sources {
				t.Errorf("got sources %q, want %q", c.Sources, tt.sources)
			}
		})
	}

	// A plain Issue gives the whole room, and the claim survives a new
	// Signer with the same key, as after a hub restart.
	tok, err := s.IssuePlay("hall", SourcesStaff, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := newSigner(t, testKey).Parse(tok); err != nil || c.Sources != SourcesStaff {
		t.Errorf("after a restart got sources %q (%v), want staff", c.Sources, err)
	}
}

func TestIssuePlayRejectsBadSources(t *testing.T) {
	s := newSigner(t, testKey)
	if tok, err := s.IssuePlay("hall", Sources("kiosk"), time.Hour, now); err == nil {
		t.Errorf("unknown sources: got token %q, want an error", tok)
	}
	if tok, err := s.issue("hall", PermissionPublish, SourcesStaff, time.Hour, now); err == nil {
		t.Errorf("sources on a publish token: got token %q, want an error", tok)
	}
}

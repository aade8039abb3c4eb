package auth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"wenban/appliance/store"
)

// TestNoPlaintextOnDisk writes an account, a session and failed attempts,
// closes the database and scans its bytes for anything personal or secret.
func TestNoPlaintextOnDisk(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const password = "Zhang-2024-pass"
	a := h.create(t, "zhangsan", "张三", RoleAgent, password)
	sess := h.login(t, "zhangsan", password)
	if _, err := h.svc.Login(ctx, "zhangsan", "wrong-password", ""); err == nil {
		t.Fatalf("Login with wrong password succeeded")
	}
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if err := h.db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	raw, err := os.ReadFile(h.path)
	if err != nil {
		t.Fatalf("reading database: %v", err)
	}
	// The bucket name is stored in plain text, so finding it shows that the
	// scan reads the real pages.
	if !bytes.Contains(raw, []byte(accountsBucket)) {
		t.Fatalf("bucket name %s not found in the file, so the scan proves nothing", accountsBucket)
	}

	secrets := []struct {
		name  string
		value string
	}{
		{"login name", "zhangsan"},
		{"display name", "张三"},
		{"password", password},
		{"session token", sess.Token},
		{"csrf token", sess.CSRF},
		{"session id", sess.ID},
		{"account id in session", `"account_id":"` + a.ID},
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s.value)) {
			t.Errorf("%s %q found in plain text in %s", s.name, s.value, h.path)
		}
	}

	logs := h.logs.String()
	for _, s := range secrets[:5] {
		if strings.Contains(logs, s.value) {
			t.Errorf("%s %q found in the log", s.name, s.value)
		}
	}
}

// TestReopenKeepsAccounts checks that the login index key survives a
// restart, so accounts stay reachable by name.
func TestReopenKeepsAccounts(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	if err := h.db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err := store.Open(h.path, h.master)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer db.Close()
	svc := NewService(db, Options{Now: h.clock.Now})
	svc.params = testParams

	if _, _, err := svc.Authenticate(context.Background(), sess.Token); err != nil {
		t.Errorf("session after reopen got %v, want valid", err)
	}
	if _, err := svc.Login(context.Background(), "zhangsan", "Zhang-2024-pass", ""); err != nil {
		t.Errorf("login after reopen got %v, want success", err)
	}
	_, err = svc.CreateAccount(context.Background(), "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	if !errors.Is(err, ErrLoginTaken) {
		t.Errorf("duplicate after reopen got %v, want ErrLoginTaken", err)
	}
}

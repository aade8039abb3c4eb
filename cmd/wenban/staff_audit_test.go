package main

import (
	"testing"

	"wenban/appliance/audit"
)

// TestStaffChangesAudited checks that accounts made and passwords reset
// from the command line reach the audit trail the 操作日志 page shows.
func TestStaffChangesAudited(t *testing.T) {
	data := newHubData(t)
	if _, errOut, err := wenban(t, "staff", "add", "--data", data, "--login", "clerk1", "--name", "窗口一"); err != nil {
		t.Fatalf("staff add: %v %s", err, errOut)
	}
	if _, errOut, err := wenban(t, "staff", "reset-password", "--data", data, "--login", "clerk1"); err != nil {
		t.Fatalf("staff reset-password: %v %s", err, errOut)
	}

	entries := auditedActions(t, data, audit.Filter{})
	if len(entries) != 2 {
		t.Fatalf("audit entries: got %d, want 2 (%+v)", len(entries), entries)
	}
	if entries[0].Action != audit.PasswordReset || entries[1].Action != audit.AccountCreated {
		t.Errorf("actions: got %s, %s; want %s, %s", entries[0].Action, entries[1].Action, audit.PasswordReset, audit.AccountCreated)
	}
	for _, e := range entries {
		if e.ActorID != audit.CLIActor || e.Target == "" || e.Target != entries[0].Target {
			t.Errorf("entry %+v: want the command line acting on the new account", e)
		}
	}
}

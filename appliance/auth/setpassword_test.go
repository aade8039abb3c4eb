package auth

import (
	"context"
	"errors"
	"testing"
)

func TestSetPassword(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")

	if err := h.svc.SetPassword(ctx, a.ID, "Zhang-2024-pass", "Zhang-2025-new!"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("old session after password change got %v, want ErrNoSession", err)
	}
	if _, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", ""); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("login with old password got %v, want ErrBadCredentials", err)
	}
	h.login(t, "zhangsan", "Zhang-2025-new!")
}

func TestSetPasswordRejects(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	tests := []struct {
		name       string
		old, new   string
		wantField  string
		wantBadOld bool
	}{
		{"wrong old password", "Zhang-2024-PASS", "Zhang-2025-new!", "old_password", true},
		{"short new password", "Zhang-2024-pass", "short", "new_password", false},
		{"new equals login", "Zhang-2024-pass", "ZhangSan", "new_password", false},
		{"new equals old", "Zhang-2024-pass", "Zhang-2024-pass", "new_password", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.svc.SetPassword(context.Background(), a.ID, tt.old, tt.new)
			wantInputError(t, err, tt.wantField)
			if got := errors.Is(err, ErrBadCredentials); got != tt.wantBadOld {
				t.Errorf("errors.Is(err, ErrBadCredentials) got %v, want %v", got, tt.wantBadOld)
			}
		})
	}
	h.login(t, "zhangsan", "Zhang-2024-pass")

	if err := h.svc.SetPassword(context.Background(), "ffffffffffffffff", "a", "Zhang-2025-new!"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPassword of missing account got %v, want ErrNotFound", err)
	}
}

func TestSetPasswordWrongOldCountsTowardLockout(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	for range MaxFailures {
		if err := h.svc.SetPassword(ctx, a.ID, "wrong-old-password", "Zhang-2025-new!"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("SetPassword with wrong old password got %v, want ErrBadCredentials", err)
		}
	}
	if _, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", ""); !errors.Is(err, ErrLocked) {
		t.Errorf("login after %d wrong old passwords got %v, want ErrLocked", MaxFailures, err)
	}
	if err := h.svc.SetPassword(ctx, a.ID, "Zhang-2024-pass", "Zhang-2025-new!"); !errors.Is(err, ErrLocked) {
		t.Errorf("SetPassword while locked got %v, want ErrLocked", err)
	}
}

func TestSetPasswordClearsMustChange(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	_, password, _, err := h.svc.EnsureAdmin(ctx)
	if err != nil {
		t.Fatalf("EnsureAdmin: %v", err)
	}
	admin, err := h.svc.Accounts(ctx)
	if err != nil || len(admin) != 1 {
		t.Fatalf("Accounts got %d, %v, want the admin", len(admin), err)
	}

	if err := h.svc.SetPassword(ctx, admin[0].ID, password, "Chosen-secret-77"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	got, err := h.svc.Account(ctx, admin[0].ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if got.MustChangePassword {
		t.Errorf("MustChangePassword after SetPassword got true, want false")
	}
}

func TestResetPassword(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	admin := h.create(t, "admin1", "管理员", RoleAdmin, "first-admin-pw-1")
	agent := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	for range MaxFailures {
		h.svc.Login(ctx, "zhangsan", "wrong-password", "")
	}

	if err := h.svc.ResetPassword(ctx, admin.ID, agent.ID, "reset-by-admin-1"); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after reset got %v, want ErrNoSession", err)
	}
	h.login(t, "zhangsan", "reset-by-admin-1")

	got, err := h.svc.Account(ctx, agent.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if !got.MustChangePassword {
		t.Errorf("MustChangePassword after reset got false, want true")
	}

	if err := h.svc.ResetPassword(ctx, admin.ID, admin.ID, "own-new-password"); err != nil {
		t.Fatalf("ResetPassword of own account: %v", err)
	}
	own, err := h.svc.Account(ctx, admin.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if !own.MustChangePassword {
		t.Errorf("MustChangePassword after own reset got false, want true: the reset password was handed over")
	}
}

func TestResetPasswordRejects(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	admin := h.create(t, "admin1", "管理员", RoleAdmin, "first-admin-pw-1")
	admin2 := h.create(t, "admin2", "管理员乙", RoleAdmin, "second-admin-pw-2")
	super := h.create(t, "banzhang", "班长", RoleSupervisor, "team-lead-pass-7")
	agent := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	admin2.Disabled = true
	if err := h.svc.Update(ctx, admin2); err != nil {
		t.Fatalf("disabling admin2: %v", err)
	}

	tests := []struct {
		name     string
		actor    string
		target   string
		password string
		want     error
	}{
		{"supervisor actor", super.ID, agent.ID, "reset-by-admin-1", ErrForbidden},
		{"agent resets itself", agent.ID, agent.ID, "reset-by-admin-1", ErrForbidden},
		{"disabled admin actor", admin2.ID, agent.ID, "reset-by-admin-1", ErrForbidden},
		{"unknown actor", "ffffffffffffffff", agent.ID, "reset-by-admin-1", ErrForbidden},
		{"unknown target", admin.ID, "ffffffffffffffff", "reset-by-admin-1", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.svc.ResetPassword(ctx, tt.actor, tt.target, tt.password); !errors.Is(err, tt.want) {
				t.Errorf("ResetPassword got %v, want %v", err, tt.want)
			}
		})
	}

	wantInputError(t, h.svc.ResetPassword(ctx, admin.ID, agent.ID, "short"), "password")
	h.login(t, "zhangsan", "Zhang-2024-pass")
}

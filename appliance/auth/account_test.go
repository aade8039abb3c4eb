package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEnsureAdminFirstRun(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()

	login, password, created, err := h.svc.EnsureAdmin(ctx)
	if err != nil {
		t.Fatalf("EnsureAdmin: %v", err)
	}
	if !created {
		t.Fatalf("created got false on an empty database, want true")
	}
	if login != "admin" {
		t.Errorf("login got %q, want admin", login)
	}
	if len(password) != 16 {
		t.Errorf("password length got %d, want 16", len(password))
	}
	if strings.Contains(h.logs.String(), password) {
		t.Errorf("log contains the generated password")
	}

	sess := h.login(t, login, password)
	_, acct, err := h.svc.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if acct.Role != RoleAdmin {
		t.Errorf("role got %v, want admin", acct.Role)
	}
	if !acct.MustChangePassword {
		t.Errorf("MustChangePassword got false, want true for a generated password")
	}

	login, password, created, err = h.svc.EnsureAdmin(ctx)
	if err != nil {
		t.Fatalf("second EnsureAdmin: %v", err)
	}
	if created || login != "" || password != "" {
		t.Errorf("second EnsureAdmin got (%q, %q, %v), want (\"\", \"\", false)", login, password, created)
	}
	if n := h.count(t, accountsBucket); n != 1 {
		t.Errorf("accounts got %d, want 1", n)
	}
}

func TestEnsureAdminSkipsWhenAccountsExist(t *testing.T) {
	h := newHarness(t)
	h.create(t, "lisi", "李四", RoleAgent, "Li-Si-pass-2026")

	_, password, created, err := h.svc.EnsureAdmin(context.Background())
	if err != nil {
		t.Fatalf("EnsureAdmin: %v", err)
	}
	if created || password != "" {
		t.Errorf("EnsureAdmin got created=%v password=%q, want false and empty", created, password)
	}
}

func TestCreateAccount(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "  ZhangSan ", " 张三 ", RoleAgent, "Zhang-2024-pass")

	checks := []struct {
		name      string
		got, want any
	}{
		{"login", a.Login, "zhangsan"},
		{"display name", a.DisplayName, "张三"},
		{"role", a.Role, RoleAgent},
		{"password hash", a.PasswordHash, ""},
		{"id length", len(a.ID), 16},
		{"created at", a.CreatedAt.Equal(start), true},
		{"disabled", a.Disabled, false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s got %v, want %v", c.name, c.got, c.want)
		}
	}

	stored, err := h.svc.Account(context.Background(), a.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if stored.Login != "zhangsan" || stored.DisplayName != "张三" {
		t.Errorf("stored account got %q %q, want zhangsan 张三", stored.Login, stored.DisplayName)
	}
}

func TestCreateAccountValidation(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	tests := []struct {
		name      string
		login     string
		display   string
		role      Role
		password  string
		wantField string
		wantTaken bool
	}{
		{"login too short", "ab", "王五", RoleAgent, "Wang-Wu-pass-1", "login", false},
		{"login too long", strings.Repeat("a", 33), "王五", RoleAgent, "Wang-Wu-pass-1", "login", false},
		{"login with space", "wang wu", "王五", RoleAgent, "Wang-Wu-pass-1", "login", false},
		{"login with chinese", "王五", "王五", RoleAgent, "Wang-Wu-pass-1", "login", false},
		{"login with at sign", "wang@wu", "王五", RoleAgent, "Wang-Wu-pass-1", "login", false},
		{"duplicate login", "zhangsan", "张三二", RoleAgent, "other-pass-12", "login", true},
		{"duplicate login other case", "ZHANGSAN", "张三二", RoleAgent, "other-pass-12", "login", true},
		{"empty display name", "wangwu", "  ", RoleAgent, "Wang-Wu-pass-1", "display_name", false},
		{"display name too long", "wangwu", strings.Repeat("王", 33), RoleAgent, "Wang-Wu-pass-1", "display_name", false},
		{"display name with newline", "wangwu", "王\n五", RoleAgent, "Wang-Wu-pass-1", "display_name", false},
		{"display name invalid utf8", "wangwu", "王\xff", RoleAgent, "Wang-Wu-pass-1", "display_name", false},
		{"unknown role", "wangwu", "王五", RoleUnknown, "Wang-Wu-pass-1", "role", false},
		{"out of range role", "wangwu", "王五", Role(9), "Wang-Wu-pass-1", "role", false},
		{"short password", "wangwu", "王五", RoleAgent, "short-pw1", "password", false},
		{"password equals login", "wangwu1234", "王五", RoleAgent, "WangWu1234", "password", false},
		{"password too long", "wangwu", "王五", RoleAgent, strings.Repeat("x", 129), "password", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.svc.CreateAccount(context.Background(), tt.login, tt.display, tt.role, tt.password)
			wantInputError(t, err, tt.wantField)
			if got := errors.Is(err, ErrLoginTaken); got != tt.wantTaken {
				t.Errorf("errors.Is(err, ErrLoginTaken) got %v, want %v", got, tt.wantTaken)
			}
		})
	}
	if n := h.count(t, accountsBucket); n != 1 {
		t.Errorf("accounts after rejected creations got %d, want 1", n)
	}
}

func TestCreateAccountBoundaries(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, login, display, password string
	}{
		{"shortest login", "abc", "甲", "0123456789!"},
		{"longest login", strings.Repeat("a", 32), strings.Repeat("乙", 32), strings.Repeat("p", 127) + "9"},
		{"login punctuation", "a.b_c-d", "丙", "ten-chars!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := h.svc.CreateAccount(context.Background(), tt.login, tt.display, RoleAgent, tt.password); err != nil {
				t.Errorf("CreateAccount got %v, want success", err)
			}
		})
	}
}

func TestAccountsListOrder(t *testing.T) {
	h := newHarness(t)
	first := h.create(t, "wangwu", "王五", RoleSupervisor, "Wang-Wu-pass-1")
	h.clock.Advance(time.Minute)
	second := h.create(t, "lisi", "李四", RoleAgent, "Li-Si-pass-2026")

	got, err := h.svc.Accounts(context.Background())
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("Accounts got %d, want 2", len(got))
	}
	if got[0].ID != first.ID || got[1].ID != second.ID {
		t.Errorf("order got %s, %s, want %s, %s", got[0].Login, got[1].Login, first.Login, second.Login)
	}
	for _, a := range got {
		if a.PasswordHash != "" {
			t.Errorf("account %s carries its password hash, want it empty", a.Login)
		}
	}
}

func TestAccountNotFound(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{"", "0000000000000000"} {
		if _, err := h.svc.Account(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Account(%q) got %v, want ErrNotFound", id, err)
		}
	}
}

func TestUpdateAccount(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	h.clock.Advance(time.Hour)

	a.DisplayName, a.Role, a.MaxChats = "张三丰", RoleSupervisor, 4
	a.Login, a.PasswordHash = "ignored", "ignored"
	if err := h.svc.Update(ctx, a); err != nil {
		t.Fatalf("Update: %v", err)
	}

	got, err := h.svc.Account(ctx, a.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"display name", got.DisplayName, "张三丰"},
		{"role", got.Role, RoleSupervisor},
		{"max chats", got.MaxChats, 4},
		{"login unchanged", got.Login, "zhangsan"},
		{"updated at", got.UpdatedAt.Equal(start.Add(time.Hour)), true},
		{"created at unchanged", got.CreatedAt.Equal(start), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s got %v, want %v", c.name, c.got, c.want)
		}
	}
	h.login(t, "zhangsan", "Zhang-2024-pass")
}

func TestUpdateAccountValidation(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	tests := []struct {
		name      string
		edit      func(*Account)
		wantField string
	}{
		{"empty name", func(a *Account) { a.DisplayName = "" }, "display_name"},
		{"unknown role", func(a *Account) { a.Role = RoleUnknown }, "role"},
		{"negative max chats", func(a *Account) { a.MaxChats = -1 }, "max_chats"},
		{"too many max chats", func(a *Account) { a.MaxChats = MaxChatsLimit + 1 }, "max_chats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := a
			tt.edit(&edited)
			wantInputError(t, h.svc.Update(context.Background(), edited), tt.wantField)
		})
	}

	missing := a
	missing.ID = "ffffffffffffffff"
	if err := h.svc.Update(context.Background(), missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of missing account got %v, want ErrNotFound", err)
	}
}

func TestUpdateKeepsLastAdmin(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	admin := h.create(t, "admin1", "管理员甲", RoleAdmin, "first-admin-pw-1")

	demoted := admin
	demoted.Role = RoleSupervisor
	if err := h.svc.Update(ctx, demoted); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demoting the last admin got %v, want ErrLastAdmin", err)
	}
	disabled := admin
	disabled.Disabled = true
	if err := h.svc.Update(ctx, disabled); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("disabling the last admin got %v, want ErrLastAdmin", err)
	}

	h.create(t, "admin2", "管理员乙", RoleAdmin, "second-admin-pw-2")
	if err := h.svc.Update(ctx, disabled); err != nil {
		t.Errorf("disabling one of two admins got %v, want success", err)
	}
}

package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestValidatePasswordStrength(t *testing.T) {
	tests := []struct {
		name     string
		password string
		login    string
		// reason is part of the expected message; empty means accepted.
		reason string
	}{
		{"too short", "Ab3!", "lihua", "至少需要 10 个字符"},
		{"digits only", "8264910375", "lihua", "两类"},
		{"lower case only", "correcthorsebattery", "lihua", "两类"},
		{"Chinese only", "我的密码是湖南自然资源", "lihua", "两类"},
		{"contains login", "xLihua2026!", "lihua", "不能包含账号"},
		{"equals login", "zhangsan12", "zhangsan12", "不能包含账号"},
		{"common admin12345", "admin12345", "lihua", "过于常见"},
		{"common upper case", "ADMIN12345", "lihua", "过于常见"},
		{"common 12345678910", "12345678910", "lihua", "过于常见"},
		{"common password123", "password123", "lihua", "过于常见"},
		{"common qwertyuiop", "qwertyuiop", "lihua", "过于常见"},
		{"two classes", "correct-horse", "lihua", ""},
		{"letters and digits", "hunan2026ziran", "lihua", ""},
		{"Chinese and digits", "湖南自然资源2026", "lihua", ""},
		{"generated style", "Xk7mQ2pRt9wLz4Ns", "admin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validatePassword("new_password", tt.password, tt.login)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
			if ie.Field != "new_password" {
				t.Errorf("field: got %q, want new_password", ie.Field)
			}
			if !strings.Contains(ie.Message, tt.reason) {
				t.Errorf("message: got %q, want it to contain %q", ie.Message, tt.reason)
			}
		})
	}
}

func TestStrengthRuleOnEveryPasswordPath(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	admin := h.create(t, "wangadmin", "王管理", RoleAdmin, "Admin-pass-2026")
	agent := h.create(t, "lihua", "李华", RoleAgent, "Initial-pass-2026")

	_, err := h.svc.CreateAccount(ctx, "zhaoliu", "赵六", RoleAgent, "password123")
	if !strings.Contains(UserMessage(err), "过于常见") {
		t.Errorf("CreateAccount with password123: got %v, want the common-password reason", err)
	}
	err = h.svc.SetPassword(ctx, agent.ID, "Initial-pass-2026", "lihua-2026-new")
	if !strings.Contains(UserMessage(err), "不能包含账号") {
		t.Errorf("SetPassword with the login inside: got %v, want the login reason", err)
	}
	err = h.svc.ResetPassword(ctx, admin.ID, agent.ID, "12345678910")
	if !strings.Contains(UserMessage(err), "过于常见") {
		t.Errorf("ResetPassword with 12345678910: got %v, want the common-password reason", err)
	}
}

func TestGeneratedPasswordsPassStrength(t *testing.T) {
	for range 200 {
		p, err := GeneratePasswordFor("abc")
		if err != nil {
			t.Fatal(err)
		}
		if err := validatePassword("password", p, "abc"); err != nil {
			t.Fatalf("generated %q: got %v, want accepted", p, err)
		}
	}
	if _, err := generatePassword(4, ""); err == nil {
		t.Errorf("generatePassword(4): got success, want an error below the minimum length")
	}
}

func FuzzValidatePassword(f *testing.F) {
	for _, seed := range []string{"admin12345", "Xk7mQ2pRt9wLz4Ns", "湖南自然资源2026", "\xff\xfe", ""} {
		f.Add(seed, "lihua")
	}
	f.Fuzz(func(t *testing.T, password, login string) {
		err := validatePassword("password", password, normalizeLogin(login))
		if err == nil {
			if n := len([]rune(password)); n < MinPasswordLen {
				t.Fatalf("accepted %q of %d runes, want at least %d", password, n, MinPasswordLen)
			}
			if commonPasswords[strings.ToLower(password)] {
				t.Fatalf("accepted common password %q", password)
			}
			return
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Message == "" {
			t.Fatalf("got %v, want an *InputError with a message", err)
		}
	})
}

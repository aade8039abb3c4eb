package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultParams(t *testing.T) {
	want := hashParams{Time: 2, Memory: 19456, Threads: 1, SaltLen: 16, KeyLen: 32}
	if defaultParams != want {
		t.Errorf("defaultParams got %+v, want %+v", defaultParams, want)
	}
}

func TestHashPasswordProductionParams(t *testing.T) {
	encoded, err := hashPassword(defaultParams, "correct horse")
	if err != nil {
		t.Fatalf("hashPassword: %v", err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash got %q, want argon2id PHC prefix with m=19456,t=2,p=1", encoded)
	}
	ok, params, err := verifyPassword(encoded, "correct horse")
	if err != nil {
		t.Fatalf("verifyPassword: %v", err)
	}
	if !ok {
		t.Errorf("verifyPassword of the right password got false, want true")
	}
	if params != defaultParams {
		t.Errorf("parsed params got %+v, want %+v", params, defaultParams)
	}
}

func TestVerifyPassword(t *testing.T) {
	encoded, err := hashPassword(testParams, "密码-Secret-1")
	if err != nil {
		t.Fatalf("hashPassword: %v", err)
	}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"same", "密码-Secret-1", true},
		{"case differs", "密码-secret-1", false},
		{"trailing space", "密码-Secret-1 ", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := verifyPassword(encoded, tt.password)
			if err != nil {
				t.Fatalf("verifyPassword: %v", err)
			}
			if got != tt.want {
				t.Errorf("verifyPassword(%q) got %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestHashPasswordSaltsDiffer(t *testing.T) {
	a, err := hashPassword(testParams, "same-password")
	if err != nil {
		t.Fatalf("hashPassword: %v", err)
	}
	b, err := hashPassword(testParams, "same-password")
	if err != nil {
		t.Fatalf("hashPassword: %v", err)
	}
	if a == b {
		t.Errorf("two hashes of one password are equal, want distinct salts")
	}
}

func TestParseHashRejects(t *testing.T) {
	const salt = "c29tZXNhbHRzb21lc2FsdA"                     // 16 bytes
	const key = "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U" // 32 bytes
	valid := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	if _, err := parseHash(valid); err != nil {
		t.Fatalf("parseHash(valid) got %v, want nil", err)
	}

	tests := []struct {
		name    string
		encoded string
	}{
		{"empty", ""},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"memory below lanes", "$argon2id$v=19$m=8,t=1,p=4$" + salt + "$" + key},
		{"negative memory", "$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5"},
		{"padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"extra field", valid + "$x"},
		{"missing key", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseHash(tt.encoded)
			if !errors.Is(err, errMalformedHash) {
				t.Errorf("parseHash(%q) got %v, want errMalformedHash", tt.encoded, err)
			}
		})
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p, err := generatePassword(16, "")
		if err != nil {
			t.Fatalf("generatePassword: %v", err)
		}
		if len(p) != 16 {
			t.Errorf("length of %q got %d, want 16", p, len(p))
		}
		if i := strings.IndexFunc(p, func(r rune) bool { return !strings.ContainsRune(passwordAlphabet, r) }); i >= 0 {
			t.Errorf("%q contains %q outside the alphabet", p, p[i])
		}
		seen[p] = true
	}
	if len(seen) != 50 {
		t.Errorf("50 generated passwords had %d distinct values, want 50", len(seen))
	}
	for _, c := range "0O1lIo" {
		if strings.ContainsRune(passwordAlphabet, c) {
			t.Errorf("alphabet contains ambiguous %q", c)
		}
	}
}

func FuzzParseHash(f *testing.F) {
	encoded, err := hashPassword(testParams, "seed password")
	if err != nil {
		f.Fatalf("hashPassword: %v", err)
	}
	f.Add(encoded)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$")
	f.Add("")

	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHash(s)
		if err != nil {
			return
		}
		p := h.params
		if p.Time < 1 || p.Time > maxHashTime || p.Threads < 1 || p.Threads > maxHashThreads || p.Memory > maxHashMemory {
			t.Errorf("parseHash(%q) accepted out-of-bounds params %+v", s, p)
		}
		if len(h.salt) < minSaltLen || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
			t.Errorf("parseHash(%q) accepted salt %d bytes, key %d bytes", s, len(h.salt), len(h.key))
		}
	})
}

func BenchmarkHashPasswordDefault(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword(defaultParams, "benchmark password"); err != nil {
			b.Fatalf("hashPassword: %v", err)
		}
	}
}

package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// hashParams are argon2id parameters. Memory is in KiB.
type hashParams struct {
	Time    uint32
	Memory  uint32
	Threads uint8
	SaltLen int
	KeyLen  int
}

// defaultParams follow the OWASP Password Storage Cheat Sheet minimum for
// argon2id: 19 MiB of memory, 2 passes, 1 lane.
var defaultParams = hashParams{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read back from stored hashes, so that a damaged or
// forged record cannot make one login allocate gigabytes or spin for
// minutes.
const (
	maxHashTime    = 16
	maxHashMemory  = 256 * 1024
	maxHashThreads = 16
	minSaltLen     = 8
	maxSaltLen     = 64
	minKeyLen      = 16
	maxKeyLen      = 64
)

var errMalformedHash = errors.New("auth: malformed password hash")

// passwordHash is a parsed PHC string.
type passwordHash struct {
	params hashParams
	salt   []byte
	key    []byte
}

// hashPassword returns the PHC string
// $argon2id$v=19$m=MEMORY,t=TIME,p=THREADS$SALT$KEY with unpadded base64.
func hashPassword(p hashParams, password string) (string, error) {
	salt, err := randomBytes(p.SaltLen)
	if err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))

	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether password matches the PHC string encoded,
// comparing the derived keys in constant time.
func verifyPassword(encoded, password string) (bool, hashParams, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, hashParams{}, err
	}
	p := h.params
	key := argon2.IDKey([]byte(password), h.salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	return subtle.ConstantTimeCompare(key, h.key) == 1, p, nil
}

// parseHash parses and bounds-checks an argon2id PHC string.
func parseHash(encoded string) (passwordHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return passwordHash{}, fmt.Errorf("%w: want $argon2id$v=..$m=..,t=..,p=..$salt$key", errMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return passwordHash{}, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}

	p, err := parseHashParams(parts[3])
	if err != nil {
		return passwordHash{}, err
	}

	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return passwordHash{}, fmt.Errorf("%w: salt must be %d to %d bytes of base64", errMalformedHash, minSaltLen, maxSaltLen)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return passwordHash{}, fmt.Errorf("%w: key must be %d to %d bytes of base64", errMalformedHash, minKeyLen, maxKeyLen)
	}
	p.SaltLen, p.KeyLen = len(salt), len(key)
	return passwordHash{params: p, salt: salt, key: key}, nil
}

// parseHashParams parses "m=19456,t=2,p=1", in that order.
func parseHashParams(s string) (hashParams, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return hashParams{}, fmt.Errorf("%w: parameters %q, want m=..,t=..,p=..", errMalformedHash, s)
	}

	var values [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return hashParams{}, fmt.Errorf("%w: parameter %q, want %s..", errMalformedHash, fields[i], name)
		}
		v, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			return hashParams{}, fmt.Errorf("%w: parameter %q: %w", errMalformedHash, fields[i], err)
		}
		values[i] = v
	}

	p := hashParams{Memory: uint32(values[0]), Time: uint32(values[1]), Threads: uint8(min(values[2], 255))}
	switch {
	case p.Time < 1 || p.Time > maxHashTime:
		return hashParams{}, fmt.Errorf("%w: t=%d outside 1..%d", errMalformedHash, p.Time, maxHashTime)
	case values[2] < 1 || values[2] > maxHashThreads:
		return hashParams{}, fmt.Errorf("%w: p=%d outside 1..%d", errMalformedHash, values[2], maxHashThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxHashMemory:
		return hashParams{}, fmt.Errorf("%w: m=%d outside %d..%d KiB", errMalformedHash, p.Memory, 8*p.Threads, maxHashMemory)
	}
	return p, nil
}

// verifyDummy spends the time of one real verification, so that a login
// with an unknown name takes as long as one with a wrong password.
func (s *Service) verifyDummy(password string) {
	s.dummyOnce.Do(func() {
		h, err := hashPassword(s.params, "wenban dummy password")
		if err != nil {
			s.log.Error("creating dummy password hash failed", "err", err)
			return
		}
		s.dummyHash = h
	})
	if s.dummyHash != "" {
		_, _, _ = verifyPassword(s.dummyHash, password)
	}
}

// GeneratedPasswordLen is the length of passwords made for first-run
// administrators and resets.
const GeneratedPasswordLen = 16

// GeneratePasswordFor returns a random password for an administrator to
// hand over, such as a reset password. It passes the strength rule for
// the account with this login, so setting it never fails on that rule.
func GeneratePasswordFor(login string) (string, error) {
	return generatePassword(GeneratedPasswordLen, normalizeLogin(login))
}

// passwordAlphabet leaves out characters that are easy to misread when a
// password is copied from a screen: 0 O o 1 l I.
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

// generatePassword returns n characters drawn uniformly from
// passwordAlphabet with crypto/rand, drawing again in the rare case that
// the result fails checkStrength for login.
func generatePassword(n int, login string) (string, error) {
	if n < MinPasswordLen {
		return "", fmt.Errorf("generating password of %d characters: want at least %d", n, MinPasswordLen)
	}
	for {
		p, err := drawPassword(n)
		if err != nil || checkStrength("password", p, login) == nil {
			return p, err
		}
	}
}

func drawPassword(n int) (string, error) {
	limit := big.NewInt(int64(len(passwordAlphabet)))
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return "", fmt.Errorf("generating password: %w", err)
		}
		b.WriteByte(passwordAlphabet[i.Int64()])
	}
	return b.String(), nil
}

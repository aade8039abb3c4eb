// Package token issues and checks the bearer tokens of the WHIP and WHEP
// endpoints. A token names one room, one permission (publish or play)
// and an expiry, and is signed with HMAC-SHA256 under a key that the
// store keeps sealed. Its text form is
//
//	wbm1.<base64url(JSON claims)>.<base64url(HMAC-SHA256 of "wbm1." and the claims part)>
//
// without padding. Tokens cannot be revoked before they expire, so TTLs
// stay short.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	prefix = "wbm1."
	// MaxLength bounds the accepted token text, which comes from an
	// untrusted Authorization header.
	MaxLength = 1024
	// MinKeySize is the shortest signing key New accepts, in bytes.
	MinKeySize = 32
	// MaxTTL bounds the lifetime Issue grants.
	MaxTTL = 30 * 24 * time.Hour
)

// Errors of Parse and Authorize.
var (
	ErrMalformed       = errors.New("token: malformed")
	ErrBadSignature    = errors.New("token: invalid signature")
	ErrExpired         = errors.New("token: expired")
	ErrWrongRoom       = errors.New("token: issued for another room")
	ErrWrongPermission = errors.New("token: permission not granted")
)

// Permission is the right a token grants its bearer in its room.
type Permission int

// Permissions. The zero value is unknown and never granted.
const (
	PermissionUnknown Permission = iota
	PermissionPublish
	PermissionPlay
)

func (p Permission) String() string {
	switch p {
	case PermissionPublish:
		return "publish"
	case PermissionPlay:
		return "play"
	default:
		return "unknown"
	}
}

// ParsePermission parses "publish" or "play".
func ParsePermission(s string) (Permission, error) {
	switch s {
	case "publish":
		return PermissionPublish, nil
	case "play":
		return PermissionPlay, nil
	default:
		return PermissionUnknown, fmt.Errorf("invalid permission %q, want publish or play", s)
	}
}

// Claims are the signed contents of a token.
type Claims struct {
	Room       string
	Permission Permission
	Expires    time.Time
	// ID is random, so two tokens issued in the same second differ.
	ID string
	// Sources limits whose tracks a play token receives: SourcesAll or
	// SourcesStaff. It is signed with the rest, so it holds across hub
	// restarts and cannot be changed by the holder.
	Sources Sources
}

// Sources names the publishers a play token receives.
type Sources string

const (
	// SourcesAll receives every publisher of the room.
	SourcesAll Sources = ""
	// SourcesStaff receives staff members only, as a kiosk's player in a
	// call does, so the kiosk never plays its own camera.
	SourcesStaff Sources = "staff"
)

type wireClaims struct {
	Room       string `json:"room"`
	Permission string `json:"perm"`
	Expires    int64  `json:"exp"`
	ID         string `json:"jti"`
	Sources    string `json:"src,omitempty"`
}

// Signer issues and checks tokens under one key.
type Signer struct {
	key []byte
}

// New returns a Signer for key, which must have at least MinKeySize bytes.
func New(key []byte) (*Signer, error) {
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("token key has %d bytes, want at least %d", len(key), MinKeySize)
	}

	return &Signer{key: append([]byte(nil), key...)}, nil
}

// Issue signs a token for room and perm that expires ttl after now.
func (s *Signer) Issue(room string, perm Permission, ttl time.Duration, now time.Time) (string, error) {
	return s.issue(room, perm, SourcesAll, ttl, now)
}

// IssuePlay signs a play token for room that receives only sources and
// expires ttl after now.
func (s *Signer) IssuePlay(room string, sources Sources, ttl time.Duration, now time.Time) (string, error) {
	return s.issue(room, PermissionPlay, sources, ttl, now)
}

func (s *Signer) issue(room string, perm Permission, sources Sources, ttl time.Duration, now time.Time) (string, error) {
	if !sources.valid() {
		return "", fmt.Errorf("issuing token: unknown sources %q", sources)
	}
	if sources != SourcesAll && perm != PermissionPlay {
		return "", fmt.Errorf("issuing token: sources %q apply to play tokens only", sources)
	}
	if room == "" {
		return "", errors.New("issuing token: missing room")
	}
	if perm != PermissionPublish && perm != PermissionPlay {
		return "", fmt.Errorf("issuing token: invalid permission %s", perm)
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("issuing token: TTL %s out of range (0, %s]", ttl, MaxTTL)
	}

	id := make([]byte, 9)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("issuing token: %w", err)
	}
	payload, err := json.Marshal(wireClaims{
		Room:       room,
		Permission: perm.String(),
		Expires:    now.Add(ttl).Unix(),
		ID:         base64.RawURLEncoding.EncodeToString(id),
		Sources:    string(sources),
	})
	if err != nil {
		return "", fmt.Errorf("issuing token: %w", err)
	}
	body := prefix + base64.RawURLEncoding.EncodeToString(payload)

	return body + "." + base64.RawURLEncoding.EncodeToString(s.mac(body)), nil
}

func (s *Signer) mac(body string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(body))

	return h.Sum(nil)
}

// Parse checks a token's form and signature and returns its claims. It
// does not check the expiry; Authorize does.
func (s *Signer) Parse(text string) (Claims, error) {
	if len(text) > MaxLength || !strings.HasPrefix(text, prefix) {
		return Claims{}, ErrMalformed
	}
	dot := strings.LastIndexByte(text, '.')
	if dot <= len(prefix) {
		return Claims{}, ErrMalformed
	}
	body, sigText := text[:dot], text[dot+1:]
	sig, err := base64.RawURLEncoding.DecodeString(sigText)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	if !hmac.Equal(sig, s.mac(body)) {
		return Claims{}, ErrBadSignature
	}

	payload, err := base64.RawURLEncoding.DecodeString(body[len(prefix):])
	if err != nil {
		return Claims{}, ErrMalformed
	}
	var wire wireClaims
	if err := json.Unmarshal(payload, &wire); err != nil {
		return Claims{}, ErrMalformed
	}
	perm, err := ParsePermission(wire.Permission)
	sources := Sources(wire.Sources)
	if err != nil || wire.Room == "" || !sources.valid() {
		return Claims{}, ErrMalformed
	}

	return Claims{Room: wire.Room, Permission: perm, Expires: time.Unix(wire.Expires, 0), ID: wire.ID, Sources: sources}, nil
}

func (src Sources) valid() bool {
	return src == SourcesAll || src == SourcesStaff
}

// Authorize parses a token and checks that it is unexpired at now and
// grants perm in room.
func (s *Signer) Authorize(text, room string, perm Permission, now time.Time) (Claims, error) {
	c, err := s.Parse(text)
	if err != nil {
		return Claims{}, err
	}
	if !now.Before(c.Expires) {
		return c, fmt.Errorf("token expired at %s: %w", c.Expires.UTC().Format(time.RFC3339), ErrExpired)
	}
	if c.Room != room {
		return c, ErrWrongRoom
	}
	if c.Permission != perm {
		return c, fmt.Errorf("token grants %s, want %s: %w", c.Permission, perm, ErrWrongPermission)
	}

	return c, nil
}

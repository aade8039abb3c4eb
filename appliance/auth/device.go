package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Device cookies follow OWASP's "Slow Down Online Guessing Attacks with
// Device Cookies" (https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies).
// A successful login gives the browser a cookie that binds it to the
// account, and a login attempt that carries a valid one is exempt from the
// name-wide lock. Guessing from many addresses then locks
// out strangers but not staff on a device they signed in from before. The
// per-address limit still applies, and MaxFailures failures with one device
// cookie within FailureWindow stop it being honoured for LockDuration.
const (
	// DeviceCookiePrefix starts the name of each device cookie. The account
	// ID follows it, so several staff members who share a seat computer
	// each keep their own cookie.
	DeviceCookiePrefix = "wenban_device_"
	// DeviceCookieTTL is how long a device cookie stays valid after the
	// login that issued it. Each successful login issues a fresh one.
	DeviceCookieTTL = 90 * 24 * time.Hour
)

// deviceKeyName is the metaBucket entry that contains the HMAC key of
// device cookies.
const deviceKeyName = "device_cookie_key"

// deviceNonceLen is the number of random bytes in a device cookie.
const deviceNonceLen = 16

// deviceMACDomain separates device cookie MACs from other uses of HMAC
// keys, and its version lets a later format reject these cookies.
const deviceMACDomain = "wenban device cookie v1"

// newDeviceToken returns a device cookie value for accountID issued at
// now: the nonce, the issue time in Unix seconds and the MAC of both with
// the account ID, joined by dots. It contains no personal data because
// account IDs are random.
func newDeviceToken(key []byte, accountID string, now time.Time) (string, error) {
	raw, err := randomBytes(deviceNonceLen)
	if err != nil {
		return "", err
	}
	nonce := base64.RawURLEncoding.EncodeToString(raw)
	issued := strconv.FormatInt(now.Unix(), 10)
	return nonce + "." + issued + "." + deviceMAC(key, accountID, nonce, issued), nil
}

func deviceMAC(key []byte, accountID, nonce, issued string) string {
	mac := hmac.New(sha256.New, key)
	for _, part := range []string{deviceMACDomain, accountID, nonce, issued} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verifyDeviceToken returns the nonce of token when it is a device cookie
// value that key issued for accountID within DeviceCookieTTL before now.
func verifyDeviceToken(key []byte, accountID, token string, now time.Time) (string, bool) {
	nonce, rest, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	issued, mac, ok := strings.Cut(rest, ".")
	if !ok || len(nonce) != base64.RawURLEncoding.EncodedLen(deviceNonceLen) {
		return "", false
	}
	want := deviceMAC(key, accountID, nonce, issued)
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return "", false
	}

	// The MAC covers issued, so only the hub can have written it.
	secs, err := strconv.ParseInt(issued, 10, 64)
	if err != nil {
		return "", false
	}
	age := now.Sub(time.Unix(secs, 0))
	if age < 0 || age >= DeviceCookieTTL {
		return "", false
	}
	return nonce, true
}

// deviceKey names the attempt record of one device cookie. Like
// addressKey it starts with the name's key, so clearFailures finds it.
func deviceKey(lk, nonce string) string {
	sum := sha256.Sum256([]byte(nonce))
	return lk + "/device/" + hex.EncodeToString(sum[:8])
}

// deviceSubject is what a device cookie is bound to: the account and a
// digest of its password hash, which every change or reset of the
// password replaces, so the cookies of a device that knew the old
// password stop sparing it the name-wide lock.
func deviceSubject(accountID, passwordHash string) string {
	sum := sha256.Sum256([]byte(passwordHash))
	return accountID + "/" + hex.EncodeToString(sum[:8])
}

// trustedDevice returns the attempt record key of the device cookie for
// accountID, bound to subject, among cookies, or "" when none is valid.
func trustedDevice(key []byte, lk, accountID, subject string, cookies []*http.Cookie, now time.Time) string {
	name := DeviceCookiePrefix + accountID
	for _, c := range cookies {
		if c.Name != name {
			continue
		}
		if nonce, ok := verifyDeviceToken(key, subject, c.Value, now); ok {
			return deviceKey(lk, nonce)
		}
	}
	return ""
}

// LoginDevice is Login for a browser request: a valid device cookie for
// the account among r's cookies exempts the attempt from the name-wide
// lock. r supplies only the context and the cookies, and remoteAddr is the
// client address, as for Login.
func (s *Service) LoginDevice(r *http.Request, login, password, remoteAddr string) (Session, error) {
	return s.login(r.Context(), login, password, remoteAddr, r.Cookies())
}

// setDeviceCookie sends the device cookie that Login issued with sess.
// SameSite=Strict keeps other sites from making the browser log in with it.
func (s *Service) setDeviceCookie(w http.ResponseWriter, sess Session, secure bool) {
	if sess.DeviceToken == "" || sess.AccountID == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     DeviceCookiePrefix + sess.AccountID,
		Value:    sess.DeviceToken,
		Path:     "/",
		MaxAge:   int(DeviceCookieTTL / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
}

package conversation

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"wenban/appliance/store"
)

// Buckets of the reference numbers. Neither holds personal data: one
// counts the messages of each day, the other maps a reference number to
// the message's key.
const (
	bucketLeftMessageDays = "left_message_days"
	bucketLeftMessageRefs = "left_message_refs"
)

// refZone is Beijing time, the day a reference number names. China has
// kept UTC+8 without daylight saving since 1991, so a fixed zone is exact
// and needs no tzdata on the appliance.
var refZone = time.FixedZone("CST", 8*3600)

// refPattern matches a folded reference number: LY, the day as yyyymmdd
// and the number within the day. The hyphen is optional because people
// typing the number back may leave it out, and so are the number's
// leading zeros (LY20261204-7 is LY20261204-0007).
var refPattern = regexp.MustCompile(`^LY(\d{8})-?(\d{1,6})$`)

// maxRefLen bounds the input ParseRef looks at, well above the longest
// valid reference number, so a pasted page cannot cost much work.
const maxRefLen = 64

// assignRef gives the message stored under id the next reference number
// of its day and indexes it. It runs in the transaction that stores the
// message, so a number is never handed out twice, across restarts too.
func assignRef(tx *store.Tx, id string, at time.Time) (string, error) {
	day := at.In(refZone).Format("20060102")

	var n uint64
	if _, err := tx.Get(bucketLeftMessageDays, day, &n); err != nil {
		return "", fmt.Errorf("reading message count of day %s: %w", day, err)
	}
	n++
	if err := tx.Put(bucketLeftMessageDays, day, n); err != nil {
		return "", fmt.Errorf("storing message count of day %s: %w", day, err)
	}

	ref := fmt.Sprintf("LY%s-%04d", day, n)
	if err := tx.Put(bucketLeftMessageRefs, ref, id); err != nil {
		return "", fmt.Errorf("indexing reference %s: %w", ref, err)
	}
	return ref, nil
}

// ParseRef returns the canonical form of a reference number as a citizen
// or staff member typed it: full-width letters and digits, lower case,
// spaces and a missing hyphen are accepted. ok is false for anything that
// is not a reference number.
func ParseRef(input string) (ref string, ok bool) {
	if len(input) > maxRefLen {
		return "", false
	}
	folded := strings.ToUpper(width.Narrow.String(input))
	folded = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, folded)

	m := refPattern.FindStringSubmatch(folded)
	if m == nil {
		return "", false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n == 0 {
		return "", false
	}
	return fmt.Sprintf("LY%s-%04d", m[1], n), true
}

// LeftMessageStatus is the part of a left message that its citizen may
// see: the status and the staff's reply, never the name, phone or text.
type LeftMessageStatus struct {
	Ref string
	At  time.Time
	// Handled is set once staff recorded a reply. Reply is that record,
	// which the citizen sees as the reply summary.
	Handled   bool
	Reply     string
	RepliedAt time.Time
}

// LookUpLeftMessage returns the status of the message with reference
// number ref when phone is the number the citizen left with it. An
// unknown or malformed reference and a wrong phone number all return the
// same error wrapping ErrNotFound, so the error never tells whether a
// reference number exists.
//
// NOTE: an unknown reference returns before the sealed record is read, so
// it answers a few microseconds sooner than a wrong phone number. Callers
// facing the public should rate-limit the lookup.
func (s *Service) LookUpLeftMessage(ctx context.Context, ref, phone string) (LeftMessageStatus, error) {
	notFound := fmt.Errorf("looking up left message: %w", ErrNotFound)
	ref, ok := ParseRef(ref)
	if !ok {
		return LeftMessageStatus{}, notFound
	}

	var m LeftMessage
	found := false
	err := s.db.View(func(tx *store.Tx) error {
		var id string
		ok, err := tx.Get(bucketLeftMessageRefs, ref, &id)
		if err != nil || !ok {
			return err
		}
		found, err = tx.GetSealed(bucketLeftMessages, id, &m)
		return err
	})
	if err != nil {
		return LeftMessageStatus{}, fmt.Errorf("looking up left message %s: %w", ref, err)
	}
	if !found || !samePhone(m.Phone, phone) {
		return LeftMessageStatus{}, notFound
	}

	st := LeftMessageStatus{Ref: m.Ref, At: m.At, Handled: m.Reply != "", Reply: m.Reply, RepliedAt: m.RepliedAt}
	return st, nil
}

// samePhone compares the digits of two phone numbers through their SHA-256
// digests in constant time, so "0731-88888888" matches "073188888888".
func samePhone(stored, entered string) bool {
	enteredDigits := PhoneDigits(entered)
	a := sha256.Sum256([]byte(PhoneDigits(stored)))
	b := sha256.Sum256([]byte(enteredDigits))
	return enteredDigits != "" && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// PhoneDigits keeps the ASCII digits of a phone number, after folding
// full-width digits, and caps the length so huge input costs nothing.
func PhoneDigits(phone string) string {
	if len(phone) > maxRefLen {
		phone = phone[:maxRefLen]
	}
	var b strings.Builder
	for _, r := range width.Narrow.String(phone) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MatchesRef reports whether the message's reference number matches a
// staff search. A whole reference number must equal it after ParseRef
// folds both. Any other query matches as a case-insensitive substring, so
// staff can also search by the day or the sequence part.
func (m LeftMessage) MatchesRef(query string) bool {
	if m.Ref == "" {
		return false
	}
	if ref, ok := ParseRef(query); ok {
		return m.Ref == ref
	}
	q := strings.ToUpper(strings.TrimSpace(width.Narrow.String(query)))
	return q != "" && strings.Contains(m.Ref, q)
}

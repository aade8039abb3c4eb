// Package announce keeps the service hall's announcements (公告), such
// as a holiday closure or a changed counter, which administrators publish
// for a period and citizens see at the top of the citizen page and the
// kiosk. Announcements are public text, so they are stored unsealed.
package announce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"wenban/appliance/store"
)

const bucketAnnouncements = "announcements"

// Limits of one announcement.
const (
	MaxTitleRunes = 40
	MaxBodyRunes  = 500
	// MaxDays is the longest period an announcement may run.
	MaxDays = 366
)

// ErrNotFound is returned for an unknown announcement id.
var ErrNotFound = errors.New("announcement not found")

// InputError is an announcement that fails a check; Message is Chinese
// for the administrator and Field names the form field.
type InputError struct {
	Field, Message string
}

func (e *InputError) Error() string { return "announcement " + e.Field + ": " + e.Message }

// Announcement is one notice. It shows from the start of From to the end
// of Until, both days in the hub's zone.
type Announcement struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	From      string    `json:"from"`  // "2006-01-02"
	Until     string    `json:"until"` // "2006-01-02"
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// Withdrawn is set when an administrator took it down early.
	Withdrawn bool `json:"withdrawn,omitempty"`
}

// Shows reports whether a shows at now, in zone loc.
func (a Announcement) Shows(now time.Time, loc *time.Location) bool {
	day := now.In(loc).Format(time.DateOnly)
	return !a.Withdrawn && a.From <= day && day <= a.Until
}

// Board is the announcements in the store.
type Board struct {
	db  *store.DB
	now func() time.Time
	loc *time.Location
}

// New returns the board kept in db; days are in zone loc.
func New(db *store.DB, loc *time.Location, now func() time.Time) *Board {
	if now == nil {
		now = time.Now
	}
	return &Board{db: db, now: now, loc: loc}
}

// Publish checks and stores a, returning it with its id.
func (b *Board) Publish(_ context.Context, a Announcement, by string) (Announcement, error) {
	a.Title = strings.TrimSpace(clean(a.Title))
	a.Body = strings.TrimSpace(clean(a.Body))
	a.From, a.Until = strings.TrimSpace(a.From), strings.TrimSpace(a.Until)
	if err := b.check(a); err != nil {
		return Announcement{}, err
	}
	a.CreatedBy, a.CreatedAt, a.Withdrawn = by, b.now().UTC(), false

	err := b.db.Update(func(tx *store.Tx) error {
		seq, err := tx.NextSeq(bucketAnnouncements)
		if err != nil {
			return err
		}
		a.ID = store.SeqKey(seq)
		return tx.Put(bucketAnnouncements, a.ID, a)
	})
	if err != nil {
		return Announcement{}, fmt.Errorf("storing announcement: %w", err)
	}
	return a, nil
}

func (b *Board) check(a Announcement) error {
	switch n := utf8.RuneCountInString(a.Title); {
	case !utf8.ValidString(a.Title) || n == 0:
		return &InputError{Field: "title", Message: "请填写公告标题。"}
	case n > MaxTitleRunes:
		return &InputError{Field: "title", Message: fmt.Sprintf("公告标题不能超过 %d 个字。", MaxTitleRunes)}
	}
	switch n := utf8.RuneCountInString(a.Body); {
	case !utf8.ValidString(a.Body) || n == 0:
		return &InputError{Field: "body", Message: "请填写公告内容。"}
	case n > MaxBodyRunes:
		return &InputError{Field: "body", Message: fmt.Sprintf("公告内容不能超过 %d 个字。", MaxBodyRunes)}
	}
	from, err := time.ParseInLocation(time.DateOnly, a.From, b.loc)
	if err != nil {
		return &InputError{Field: "from", Message: "开始日期无效，请按 2026-12-31 的格式选择日期。"}
	}
	until, err := time.ParseInLocation(time.DateOnly, a.Until, b.loc)
	if err != nil {
		return &InputError{Field: "until", Message: "结束日期无效，请按 2026-12-31 的格式选择日期。"}
	}
	today := b.now().In(b.loc).Format(time.DateOnly)
	switch {
	case until.Before(from):
		return &InputError{Field: "until", Message: "结束日期不能早于开始日期。"}
	case a.Until < today:
		return &InputError{Field: "until", Message: "结束日期已经过去，公告不会显示，请修改日期。"}
	case until.Sub(from) > MaxDays*24*time.Hour:
		return &InputError{Field: "until", Message: fmt.Sprintf("公告最长显示 %d 天，请缩短时段。", MaxDays)}
	}
	return nil
}

// Withdraw takes announcement id down at once.
func (b *Board) Withdraw(_ context.Context, id string) (Announcement, error) {
	var a Announcement
	err := b.db.Update(func(tx *store.Tx) error {
		ok, err := tx.Get(bucketAnnouncements, id, &a)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		a.Withdrawn = true
		return tx.Put(bucketAnnouncements, id, a)
	})
	if err != nil {
		return Announcement{}, fmt.Errorf("withdrawing announcement %s: %w", id, err)
	}
	return a, nil
}

// List returns every announcement, newest first.
func (b *Board) List(_ context.Context) ([]Announcement, error) {
	var out []Announcement
	err := b.db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketAnnouncements, "", func(_ string, decode store.Decoder) error {
			var a Announcement
			if err := decode(&a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing announcements: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// Current returns the announcements that show now, newest first.
func (b *Board) Current(ctx context.Context) ([]Announcement, error) {
	all, err := b.List(ctx)
	if err != nil {
		return nil, err
	}
	now := b.now()
	return slices.DeleteFunc(all, func(a Announcement) bool { return !a.Shows(now, b.loc) }), nil
}

// clean drops control characters other than newlines and the
// bidirectional overrides that could make a notice read backwards.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case unicode.IsControl(r), r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

// Package audit keeps the hub's audit trail: who signed in or failed to,
// who changed accounts and passwords, who replied to a 留言, who read which
// conversation's history and who published the knowledge base. Security
// assessments of government systems ask for such a record, and the
// service log is not one: it holds no names, rotates, and staff cannot
// search it. Entries are sealed in the store like other personal data,
// because they name staff and client addresses.
package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"wenban/appliance/store"
)

const bucketAudit = "audit"

// DefaultMaxEntries is how many entries the trail keeps before it drops
// the oldest: at a few hundred a day, more than three years.
const DefaultMaxEntries = 500_000

// Action names what happened. The part before the dot is its group,
// which the admin page filters by.
type Action string

// Actions the hub records.
const (
	LoginSucceeded        Action = "login.succeeded"
	LoginFailed           Action = "login.failed"
	Logout                Action = "login.logout"
	PasswordChanged       Action = "account.password_changed"
	AccountCreated        Action = "account.created"
	AccountUpdated        Action = "account.updated"
	AccountDisabled       Action = "account.disabled"
	AccountEnabled        Action = "account.enabled"
	PasswordReset         Action = "account.password_reset"
	MessageReplied        Action = "message.replied"
	HistoryViewed         Action = "history.viewed"
	MessagesViewed        Action = "history.messages_viewed"
	FileOpened            Action = "history.file_opened"
	KBPublished           Action = "kb.published"
	KBRolledBack          Action = "kb.rolled_back"
	PhrasingApproved      Action = "kb.phrasing_approved"
	PhrasingRejected      Action = "kb.phrasing_rejected"
	KBImported            Action = "kb.imported"
	PolicyUpdated         Action = "policy.updated"
	BackupWritten         Action = "system.backup"
	AnnouncementPublished Action = "announcement.published"
	AnnouncementWithdrawn Action = "announcement.withdrawn"
)

// CLIActor is the ActorID of changes made with the wenban command on the
// hub's machine, which has no staff login.
const CLIActor = "cli"

// CLIEntry returns the entry of a change made with the wenban command on
// the hub's machine.
func CLIEntry(action Action, target, detail string) Entry {
	return Entry{ActorID: CLIActor, Actor: "本机命令行", Action: action, Target: target, Detail: detail, Remote: "本机"}
}

// Group returns the part of a before the dot.
func (a Action) Group() string {
	g, _, _ := strings.Cut(string(a), ".")
	return g
}

// Entry is one audited event.
type Entry struct {
	// Seq orders entries; Record sets it.
	Seq uint64    `json:"seq"`
	At  time.Time `json:"at"`
	// ActorID and Actor are the staff account and its display name, empty
	// for an attempt that named no known account.
	ActorID string `json:"actor_id,omitempty"`
	Actor   string `json:"actor,omitempty"`
	Action  Action `json:"action"`
	// Target is the object of the action: an account id, a conversation
	// id, a 留言 number, a knowledge-base version.
	Target string `json:"target,omitempty"`
	// Detail adds a short fact, such as why a login failed.
	Detail string `json:"detail,omitempty"`
	// Remote is the client address.
	Remote string `json:"remote,omitempty"`
}

// Options configure a Log. Zero values mean the defaults.
type Options struct {
	// MaxEntries caps the trail; zero means DefaultMaxEntries.
	MaxEntries int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Log is the audit trail in the store.
type Log struct {
	db   *store.DB
	opts Options
}

// New returns the trail kept in db.
func New(db *store.DB, opts Options) *Log {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Log{db: db, opts: opts}
}

// Record stores e, stamped with the time when e.At is zero, and drops the
// entry MaxEntries behind it. Keys run in sequence, so one drop per entry
// keeps the trail at its cap.
func (l *Log) Record(_ context.Context, e Entry) error {
	if e.Action == "" {
		return fmt.Errorf("audit entry without an action")
	}
	if e.At.IsZero() {
		e.At = l.opts.Now()
	}
	e.At = e.At.UTC()

	err := l.db.Batch(func(tx *store.Tx) error {
		seq, err := tx.NextSeq(bucketAudit)
		if err != nil {
			return err
		}
		e.Seq = seq
		if err := tx.PutSealed(bucketAudit, store.SeqKey(seq), e); err != nil {
			return err
		}
		if limit := uint64(l.opts.MaxEntries); seq > limit {
			return tx.Delete(bucketAudit, store.SeqKey(seq-limit))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording audit entry %s: %w", e.Action, err)
	}
	return nil
}

// Filter selects entries for List. Empty fields select everything.
type Filter struct {
	// Group is an action group such as "login" or "account".
	Group string
	// ActorID keeps the entries of one account.
	ActorID string
	// Offset and Limit page the newest-first result; Limit 0 means all.
	Offset, Limit int
}

// List returns the entries f selects, newest first, and how many there
// are before paging.
func (l *Log) List(_ context.Context, f Filter) ([]Entry, int, error) {
	var all []Entry
	err := l.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketAudit, "", func(_ string, decode store.Decoder) error {
			var e Entry
			if err := decode(&e); err != nil {
				return err
			}
			if (f.Group == "" || e.Action.Group() == f.Group) && (f.ActorID == "" || e.ActorID == f.ActorID) {
				all = append(all, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}

	total := len(all)
	newest := make([]Entry, 0, total)
	for i := total - 1; i >= 0; i-- {
		newest = append(newest, all[i])
	}
	start := min(max(f.Offset, 0), total)
	end := total
	if f.Limit > 0 {
		end = min(start+f.Limit, total)
	}
	return newest[start:end], total, nil
}

package call

import (
	"context"
	"fmt"
	"slices"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/store"
)

// GroupRecord is the stored record of one group window: who opened it,
// which citizens took part and when, kept after the window closes so the
// seat history lists it and its recordings.
type GroupRecord struct {
	// ID names the record. It differs from the window's GroupID, which is
	// the secret of the join link and never leaves the manager.
	ID       string         `json:"id"`
	Agent    Agent          `json:"agent"`
	OpenedAt time.Time      `json:"opened_at"`
	ClosedAt time.Time      `json:"closed_at,omitzero"`
	SeatGone bool           `json:"seat_gone,omitempty"`
	Members  []MemberRecord `json:"members"`
	// Recording is set when the hub recorded the window.
	Recording bool `json:"recording"`
	// Version orders the saves of one record, so an older snapshot that
	// reaches the store late never overwrites a newer one.
	Version uint64 `json:"version"`
}

// MemberRecord is one citizen's stay in a group window. A citizen who
// joined twice has two entries.
type MemberRecord struct {
	Conversation conversation.ID `json:"conversation_id"`
	JoinedAt     time.Time       `json:"joined_at"`
	LeftAt       time.Time       `json:"left_at,omitzero"`
}

// RecordingFolder is the id the recorder files the window's recordings
// under, in place of a conversation id.
func (r GroupRecord) RecordingFolder() string { return GroupRecordingPrefix + r.ID }

// GroupRecordingPrefix starts the recording folder of every group window.
const GroupRecordingPrefix = "group-"

// GroupRecords stores group window records. *GroupStore implements it.
type GroupRecords interface {
	SaveGroup(ctx context.Context, rec GroupRecord) error
}

const bucketGroups = "group_windows"

// GroupStore keeps group window records in the hub's database, sealed,
// because they name staff members and the citizens' conversations.
type GroupStore struct {
	db  *store.DB
	now func() time.Time
}

// NewGroupStore returns a store over db.
func NewGroupStore(db *store.DB) *GroupStore {
	return &GroupStore{db: db, now: time.Now}
}

// SaveGroup stores rec unless a newer version is stored already.
func (s *GroupStore) SaveGroup(ctx context.Context, rec GroupRecord) error {
	err := s.db.Update(func(tx *store.Tx) error {
		var old GroupRecord
		found, err := tx.GetSealed(bucketGroups, rec.ID, &old)
		if err != nil {
			return err
		}
		if found && old.Version >= rec.Version {
			return nil
		}
		return tx.PutSealed(bucketGroups, rec.ID, rec)
	})
	if err != nil {
		return fmt.Errorf("saving group window record %s: %w", rec.ID, err)
	}
	return nil
}

// Group returns one record, or ErrGroupNotFound.
func (s *GroupStore) Group(ctx context.Context, id string) (GroupRecord, error) {
	var rec GroupRecord
	err := s.db.View(func(tx *store.Tx) error {
		found, err := tx.GetSealed(bucketGroups, id, &rec)
		if err == nil && !found {
			err = ErrGroupNotFound
		}
		return err
	})
	if err != nil {
		return GroupRecord{}, fmt.Errorf("reading group window record %q: %w", id, err)
	}
	return rec, nil
}

// Groups returns up to limit records, the most recently opened first.
//
// NOTE: it reads every record to sort them, which stays cheap for the few
// group windows a service hall opens a day but grows with the years kept.
func (s *GroupStore) Groups(ctx context.Context, limit int) ([]GroupRecord, error) {
	var out []GroupRecord
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketGroups, "", func(_ string, decode store.Decoder) error {
			var rec GroupRecord
			if err := decode(&rec); err != nil {
				return err
			}
			out = append(out, rec)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing group window records: %w", err)
	}
	slices.SortFunc(out, func(a, b GroupRecord) int { return b.OpenedAt.Compare(a.OpenedAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// CloseUnfinished marks the records of windows that were open when the
// hub stopped as closed now, since a restart ends every window. The hub
// calls it at start, before any window opens.
func (s *GroupStore) CloseUnfinished(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	err := s.db.Update(func(tx *store.Tx) error {
		var open []GroupRecord
		err := tx.ScanSealed(bucketGroups, "", func(_ string, decode store.Decoder) error {
			var rec GroupRecord
			if err := decode(&rec); err != nil {
				return err
			}
			if rec.ClosedAt.IsZero() {
				open = append(open, rec)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, rec := range open {
			rec.ClosedAt = now
			for i := range rec.Members {
				if rec.Members[i].LeftAt.IsZero() {
					rec.Members[i].LeftAt = now
				}
			}
			if err := tx.PutSealed(bucketGroups, rec.ID, rec); err != nil {
				return err
			}
		}
		n = len(open)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("closing group window records left open: %w", err)
	}
	return n, nil
}

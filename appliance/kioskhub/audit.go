package kioskhub

import (
	"context"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// auditBucket holds one sealed ControlRecord per remote-control session,
// keyed by sequence number.
const auditBucket = "kiosk_control"

// ControlRecord is the stored audit record of one remote-control session:
// who controlled which window's screen, when and for how long.
type ControlRecord struct {
	Window   string    `json:"window"`
	Operator string    `json:"operator"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	// DurationMillis is the length of the session in milliseconds.
	DurationMillis int64 `json:"duration_ms"`
	// Reason is who ended control: citizen, operator, disconnected or
	// shutdown.
	Reason   string `json:"reason"`
	Commands int    `json:"commands"`
}

// StoreAudit keeps records in the hub's store, sealed like other records
// about citizens' sessions.
type StoreAudit struct {
	DB *store.DB
}

// Append stores rec under the next sequence number.
func (a StoreAudit) Append(_ context.Context, rec ControlRecord) error {
	return a.DB.Update(func(tx *store.Tx) error {
		n, err := tx.NextSeq(auditBucket)
		if err != nil {
			return err
		}
		if err := tx.PutSealed(auditBucket, store.SeqKey(n), rec); err != nil {
			return fmt.Errorf("storing remote-control record of window %s: %w", rec.Window, err)
		}
		return nil
	})
}

// List returns every stored record, oldest first.
func (a StoreAudit) List(_ context.Context) ([]ControlRecord, error) {
	var out []ControlRecord
	err := a.DB.View(func(tx *store.Tx) error {
		return tx.ScanSealed(auditBucket, "", func(_ string, decode store.Decoder) error {
			var rec ControlRecord
			if err := decode(&rec); err != nil {
				return err
			}
			out = append(out, rec)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing remote-control records: %w", err)
	}

	return out, nil
}

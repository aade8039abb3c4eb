package policy

import (
	"fmt"

	"wenban/appliance/store"
)

// Buckets of the library. Laws and their outlines are public text, so
// they are stored unsealed.
const (
	// bucketCurrent maps a document id to its latest revision.
	bucketCurrent = "policy_current"
	// bucketVersions maps "id/" plus store.SeqKey(revision) to every
	// revision ever stored; runs add revisions and never delete one.
	bucketVersions = "policy_versions"
	// bucketRuns maps store.SeqKey(run number) to the run's Report.
	bucketRuns = "policy_runs"
)

func versionKey(id string, revision uint64) string {
	return id + "/" + store.SeqKey(revision)
}

func loadCurrent(tx *store.Tx) ([]Document, error) {
	var docs []Document
	err := tx.Scan(bucketCurrent, "", func(_ string, decode store.Decoder) error {
		var d Document
		if err := decode(&d); err != nil {
			return err
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading policy documents: %w", err)
	}
	return docs, nil
}

func loadVersions(tx *store.Tx, id string) ([]Document, error) {
	var docs []Document
	err := tx.Scan(bucketVersions, id+"/", func(_ string, decode store.Decoder) error {
		var d Document
		if err := decode(&d); err != nil {
			return err
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading versions of policy document %s: %w", id, err)
	}
	return docs, nil
}

// putRevision stores d as its document's newest revision. d.Revision must
// already be set.
func putRevision(tx *store.Tx, d Document) error {
	if err := tx.Put(bucketVersions, versionKey(d.ID, d.Revision), d); err != nil {
		return err
	}
	return tx.Put(bucketCurrent, d.ID, d)
}

func putReport(tx *store.Tx, r *Report) error {
	seq, err := tx.NextSeq(bucketRuns)
	if err != nil {
		return err
	}
	r.Run = seq
	return tx.Put(bucketRuns, store.SeqKey(seq), r)
}

// loadReports returns the newest limit reports, newest first. It decodes
// only those, since a scheduled job adds a report every run for years.
func loadReports(tx *store.Tx, limit int) ([]Report, error) {
	var keys []string
	err := tx.Scan(bucketRuns, "", func(key string, _ store.Decoder) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading policy update reports: %w", err)
	}

	out := make([]Report, 0, min(limit, len(keys)))
	for i := len(keys) - 1; i >= 0 && len(out) < limit; i-- {
		var r Report
		if _, err := tx.Get(bucketRuns, keys[i], &r); err != nil {
			return nil, fmt.Errorf("loading policy update report %s: %w", keys[i], err)
		}
		out = append(out, r)
	}
	return out, nil
}

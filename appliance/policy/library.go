package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"

	"wenban/appliance/store"
)

// Options configures a Library. Zero fields take the defaults given.
type Options struct {
	// StagingDir is the folder that update runs download files into
	// before checking them. Each run uses and then removes its own
	// subfolder. Empty means the system's temporary folder.
	StagingDir string
	// Logger receives run and index records. Nil discards them.
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// MaxRunBytes bounds the bytes of all documents one run downloads,
	// because every staged document is parsed and indexed in memory.
	// Zero means DefaultMaxRunBytes.
	MaxRunBytes int64
}

// DefaultMaxRunBytes is the default Options.MaxRunBytes. It is an
// estimate: a few hundred documents of full statute text come to tens of
// MiB, so the cap leaves room for growth and stops a source that serves
// MaxManifestDocuments documents of MaxDocumentBytes each (10 GiB).
const DefaultMaxRunBytes = 128 << 20

// Library is the policy and regulation library. Its methods are safe for
// concurrent use. Search reads an atomic snapshot and takes no lock, so it
// never waits for an update run.
type Library struct {
	db   *store.DB
	opts Options
	log  *slog.Logger

	// snap is replaced whole by a successful run, so a search reads either
	// the old library and index or the new ones, never a mix.
	snap atomic.Pointer[snapshot]
	// runMu lets one update run at a time.
	runMu sync.Mutex
}

// snapshot is one consistent state of the library and its index.
type snapshot struct {
	docs  map[string]Document
	order []string // ids in display order
	index bleve.Index
}

// ErrNotFound is returned for an unknown document or revision.
var ErrNotFound = errors.New("policy document not found")

// Open loads the stored library and builds its index.
func Open(db *store.DB, opts Options) (*Library, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxRunBytes <= 0 {
		opts.MaxRunBytes = DefaultMaxRunBytes
	}
	l := &Library{db: db, opts: opts, log: opts.Logger}

	var docs []Document
	err := db.View(func(tx *store.Tx) error {
		var err error
		docs, err = loadCurrent(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	snap, err := newSnapshot(docs)
	if err != nil {
		return nil, err
	}
	l.snap.Store(snap)
	return l, nil
}

func newSnapshot(docs []Document) (*snapshot, error) {
	idx, err := buildIndex(docs)
	if err != nil {
		return nil, err
	}
	s := &snapshot{docs: make(map[string]Document, len(docs)), index: idx}
	for _, d := range docs {
		s.docs[d.ID] = d
	}
	sorted := slices.Clone(docs)
	slices.SortFunc(sorted, compareDocuments)
	for _, d := range sorted {
		s.order = append(s.order, d.ID)
	}
	return s, nil
}

// compareDocuments orders in force before amended before repealed, then
// by rank, then newest first.
func compareDocuments(a, b Document) int {
	return cmp.Or(
		cmp.Compare(a.Status, b.Status),
		cmp.Compare(a.Level, b.Level),
		b.Published.Compare(a.Published.Time),
		cmp.Compare(a.ID, b.ID),
	)
}

// Close releases the index.
func (l *Library) Close() error {
	if s := l.snap.Load(); s != nil {
		return s.index.Close()
	}
	return nil
}

// Len returns the number of documents, repealed ones included.
func (l *Library) Len() int { return len(l.snap.Load().docs) }

// Document returns the latest revision of a document.
func (l *Library) Document(id string) (Document, bool) {
	d, ok := l.snap.Load().docs[id]
	return d, ok
}

// Documents returns the latest revision of every document: in force
// first, then by rank, newest first.
func (l *Library) Documents() []Document {
	s := l.snap.Load()
	out := make([]Document, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.docs[id])
	}
	return out
}

// Versions returns every stored revision of a document, oldest first.
func (l *Library) Versions(id string) ([]Document, error) {
	var docs []Document
	err := l.db.View(func(tx *store.Tx) error {
		var err error
		docs, err = loadVersions(tx, id)
		return err
	})
	if err == nil && len(docs) == 0 {
		return nil, fmt.Errorf("versions of %s: %w", id, ErrNotFound)
	}
	return docs, err
}

// Version returns one stored revision of a document.
func (l *Library) Version(id string, revision uint64) (Document, error) {
	var d Document
	err := l.db.View(func(tx *store.Tx) error {
		found, err := tx.Get(bucketVersions, versionKey(id, revision), &d)
		if err == nil && !found {
			return fmt.Errorf("revision %d of %s: %w", revision, id, ErrNotFound)
		}
		return err
	})
	return d, err
}

// Reports returns the newest limit update reports, newest first.
func (l *Library) Reports(limit int) ([]Report, error) {
	var out []Report
	err := l.db.View(func(tx *store.Tx) error {
		var err error
		out, err = loadReports(tx, limit)
		return err
	})
	return out, err
}

// Search finds articles matching q, best first, with highlighted
// snippets and facet counts.
func (l *Library) Search(ctx context.Context, q Query) (Results, error) {
	q, err := normalizeQuery(q)
	if err != nil {
		return Results{}, err
	}
	s := l.snap.Load()
	return searchIndex(ctx, s.index, s.docs, q)
}

// retireDelay is how long a replaced index stays open, so that searches
// which loaded the old snapshot just before a swap can finish. Searches
// are bounded by the request timeout of the web layer, far below it.
const retireDelay = time.Minute

// swap installs a new snapshot and closes the old one's index later.
func (l *Library) swap(next *snapshot) {
	old := l.snap.Swap(next)
	if old == nil {
		return
	}
	time.AfterFunc(retireDelay, func() {
		if err := old.index.Close(); err != nil {
			l.log.Warn("closing previous policy index failed", "error", err)
		}
	})
}

// Seed loads the embedded starter library into an empty library. Runs
// never delete documents, so a library is empty only before its first
// successful run. Seed reports whether it ran.
func (l *Library) Seed(ctx context.Context) (bool, error) {
	if l.Len() > 0 {
		return false, nil
	}
	src := StarterSource()
	defer src.Close()
	if _, err := l.Update(ctx, src, TriggerSeed); err != nil {
		return true, fmt.Errorf("seeding starter policy library: %w", err)
	}
	return true, nil
}

package attach

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// Buckets. Metadata is sealed; the conversation index holds only random
// ids and the kind name.
const (
	bucketMeta           = "attachments"
	bucketByConversation = "attachments_by_conversation"
)

// Options configure a Store. Zero values mean the documented defaults.
type Options struct {
	// Logger receives lifecycle and error logs. Nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// MinFreeBytes is the free space an upload must leave on the blob
	// folder's file system, counting its full size limit, so that a full
	// disk does not stop the database too. Zero means
	// DefaultMinFreeBytes; a negative value turns the check off.
	MinFreeBytes int64
}

// DefaultMinFreeBytes is the free space kept when Options.MinFreeBytes
// is zero.
const DefaultMinFreeBytes = 512 << 20

// Store keeps attachment blobs in one folder and their records in bbolt.
// It is safe for concurrent use.
type Store struct {
	db   *store.DB
	ring *seal.Keyring
	dir  string
	log  *slog.Logger
	now  func() time.Time
	// minFree is Options.MinFreeBytes with its default applied.
	minFree int64
	// freeBytes returns the free space of the blob folder's file system.
	// Tests replace it to play a filling disk.
	freeBytes func() (int64, error)

	decodeSlots chan struct{}
}

// Open opens the blob folder dir, creating it with mode 0700, and drops
// what an earlier run left behind when it stopped mid-upload: partial
// blobs, and committed blobs older than an hour that no record names.
func Open(db *store.DB, dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MinFreeBytes == 0 {
		opts.MinFreeBytes = DefaultMinFreeBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating attachment folder %s: %w", dir, err)
	}
	s := &Store{db: db, ring: db.Keyring(), dir: dir, log: opts.Logger, now: opts.Now, minFree: opts.MinFreeBytes,
		decodeSlots: make(chan struct{}, decodeSlots)}
	s.freeBytes = func() (int64, error) { return statfsFree(dir) }
	if err := s.dropPartials(); err != nil {
		return nil, err
	}
	if err := s.dropOrphans(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) dropPartials() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("listing attachment folder %s: %w", s.dir, err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), TempFileSuffix) {
			if err := os.Remove(filepath.Join(s.dir, e.Name())); err != nil {
				return fmt.Errorf("removing partial blob %s: %w", e.Name(), err)
			}
			s.log.Info("partial blob removed", "blob", e.Name())
		}
	}
	return nil
}

// Dir returns the blob folder.
func (s *Store) Dir() string { return s.dir }

// PutRequest describes an upload.
type PutRequest struct {
	Conversation string
	Kind         Kind
	Name         string
	UploadedBy   string
	// MaxBytes is the size limit. The body is read up to one byte past
	// it and no further. Required.
	MaxBytes int64
	// Allowed lists the media types Sniff may return for this upload.
	Allowed []string
	// MaxDuration limits a voice message's play time. Zero means no limit.
	MaxDuration time.Duration
}

// Put stores body as a new attachment. It sniffs the type from the first
// bytes and rejects a type off the list before storing anything. Past
// the limit it stops reading after one byte and deletes what it wrote.
// Images get their preview and voice messages their renditions.
func (s *Store) Put(ctx context.Context, req PutRequest, body io.Reader) (Meta, error) {
	if req.MaxBytes <= 0 {
		return Meta{}, fmt.Errorf("storing attachment: size limit %d is not positive", req.MaxBytes)
	}
	ub := &uploadBody{r: body}
	head := make([]byte, sniffLen)
	n, _ := io.ReadFull(ub, head)
	if ub.err != nil {
		return Meta{}, fmt.Errorf("reading upload: %w: %w", ErrUploadInterrupted, ub.err)
	}
	head = head[:n]
	if n == 0 {
		return Meta{}, ErrEmpty
	}

	name := CleanName(req.Name)
	mediaType := Sniff(head, name)
	if !slices.Contains(req.Allowed, mediaType) {
		return Meta{}, fmt.Errorf("storing %s upload of type %s: %w", req.Kind, mediaType, ErrTypeNotAllowed)
	}
	if err := s.CheckSpace(req.MaxBytes); err != nil {
		return Meta{}, err
	}

	m, err := s.writeUpload(req, head, ub)
	if err != nil {
		return Meta{}, err
	}
	m.Name, m.Type = NameForType(name, mediaType), mediaType

	if err := s.derive(ctx, &m, req); err != nil {
		s.removeBlobs(m)
		return Meta{}, diskFull(err)
	}
	if err := s.insert(m); err != nil {
		s.removeBlobs(m)
		return Meta{}, diskFull(err)
	}
	s.log.Debug("attachment stored", "attachment", m.ID, "conversation", m.Conversation,
		"kind", m.Kind, "type", m.Type, "bytes", m.Size)
	return m, nil
}

// writeUpload seals head and the rest of body into a blob, reading at
// most MaxBytes+1 bytes in all.
func (s *Store) writeUpload(req PutRequest, head []byte, body *uploadBody) (Meta, error) {
	id, err := newID()
	if err != nil {
		return Meta{}, err
	}
	w, err := createBlob(s.dir, s.ring)
	if err != nil {
		return Meta{}, err
	}
	if _, err := w.Write(head); err != nil {
		w.Abort()
		return Meta{}, diskFull(err)
	}
	rest := &io.LimitedReader{R: body, N: req.MaxBytes + 1 - int64(len(head))}
	if rest.N > 0 {
		if _, err := io.Copy(&spaceGuard{store: s, w: w}, rest); err != nil {
			w.Abort()
			if body.err != nil {
				return Meta{}, fmt.Errorf("reading upload: %w: %w", ErrUploadInterrupted, err)
			}
			return Meta{}, fmt.Errorf("storing upload: %w", diskFull(err))
		}
	}
	if w.Size() > req.MaxBytes {
		w.Abort()
		return Meta{}, fmt.Errorf("upload passed %d bytes: %w", req.MaxBytes, ErrTooLarge)
	}
	if err := w.Commit(); err != nil {
		return Meta{}, diskFull(err)
	}
	return Meta{
		ID:           id,
		Conversation: req.Conversation,
		Kind:         req.Kind,
		Size:         w.Size(),
		Blob:         w.id,
		UploadedBy:   req.UploadedBy,
		CreatedAt:    s.now().UTC(),
	}, nil
}

// uploadBody keeps the first read error of an upload's body, which
// separates a client that stops sending from a failing disk.
type uploadBody struct {
	r   io.Reader
	err error
}

func (b *uploadBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

// derive makes the kind's renditions and fills in the media fields.
func (s *Store) derive(ctx context.Context, m *Meta, req PutRequest) error {
	switch {
	case m.Kind == KindImage && IsImage(m.Type):
		return s.makePreview(ctx, m)
	case m.Kind == KindVoice && m.Type == TypeWebM:
		return s.makeVoiceRenditions(m, req.MaxDuration)
	case m.Kind == KindVoice && m.Type == TypeMP4:
		return s.checkVoiceMP4(m, req.MaxDuration)
	}
	return nil
}

func (s *Store) insert(m Meta) error {
	return s.db.Update(func(tx *store.Tx) error {
		if err := tx.PutSealed(bucketMeta, string(m.ID), m); err != nil {
			return err
		}
		return tx.Put(bucketByConversation, indexKey(m.Conversation, m.ID), m.Kind.String())
	})
}

func indexKey(conversation string, id ID) string { return conversation + "/" + string(id) }

// Get returns an attachment's record.
func (s *Store) Get(ctx context.Context, id ID) (Meta, error) {
	var m Meta
	err := s.db.View(func(tx *store.Tx) error {
		found, err := tx.GetSealed(bucketMeta, string(id), &m)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("attachment %s: %w", id, ErrNotFound)
		}
		return nil
	})
	return m, err
}

// Open returns a reader over an attachment's blob, or over its rendition
// when rendition is not empty.
func (s *Store) Open(m Meta, rendition string) (*BlobReader, error) {
	if rendition == "" {
		return openBlob(s.dir, m.Blob, s.ring)
	}
	r, ok := m.Renditions[rendition]
	if !ok {
		return nil, fmt.Errorf("rendition %s of attachment %s: %w", rendition, m.ID, ErrNotFound)
	}
	return openBlob(s.dir, r.Blob, s.ring)
}

// List returns a conversation's attachments of kind, oldest first. Kind
// KindUnknown lists every kind.
func (s *Store) List(ctx context.Context, conversation string, kind Kind) ([]Meta, error) {
	var out []Meta
	err := s.db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketByConversation, conversation+"/", func(key string, decode store.Decoder) error {
			var k Kind
			if err := decode(&k); err != nil {
				return err
			}
			if kind != KindUnknown && k != kind {
				return nil
			}
			var m Meta
			found, err := tx.GetSealed(bucketMeta, strings.TrimPrefix(key, conversation+"/"), &m)
			if err != nil || !found {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b Meta) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

// Delete removes an attachment's record and its blobs.
func (s *Store) Delete(ctx context.Context, id ID) error {
	var m Meta
	err := s.db.Update(func(tx *store.Tx) error {
		found, err := tx.GetSealed(bucketMeta, string(id), &m)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("attachment %s: %w", id, ErrNotFound)
		}
		if err := tx.Delete(bucketMeta, string(id)); err != nil {
			return err
		}
		return tx.Delete(bucketByConversation, indexKey(m.Conversation, id))
	})
	if err != nil {
		return fmt.Errorf("deleting attachment %s: %w", id, err)
	}
	s.removeBlobs(m)
	return nil
}

// removeBlobs deletes the blob files of m. A record without its files
// would fail to open, but a file without its record only costs disk, so
// a failure here is logged and not returned.
func (s *Store) removeBlobs(m Meta) {
	for _, b := range m.blobs() {
		if !b.valid() {
			continue
		}
		err := os.Remove(filepath.Join(s.dir, string(b)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("removing blob failed", "attachment", m.ID, "blob", b, "err", err)
		}
	}
}

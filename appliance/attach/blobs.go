package attach

import (
	"context"
	"fmt"
)

// CreateBlob starts a sealed blob for content the store does not receive
// as an upload, such as a call recording. Commit it and pass its id to
// AddRecord, or Abort it.
func (s *Store) CreateBlob() (*BlobWriter, error) { return createBlob(s.dir, s.ring) }

// OpenBlob opens a committed blob by id.
func (s *Store) OpenBlob(id BlobID) (*BlobReader, error) { return openBlob(s.dir, id, s.ring) }

// RemoveBlob deletes a blob that no record names, such as a scratch file.
func (s *Store) RemoveBlob(id BlobID) { s.removeBlobs(Meta{Blob: id}) }

// AddRecord stores the record of a committed blob and returns it with a
// new id and the creation time when m lacks one. m.Blob must name the
// blob and m.Conversation its conversation.
func (s *Store) AddRecord(ctx context.Context, m Meta) (Meta, error) {
	if !m.Blob.valid() || m.Conversation == "" || m.Kind == KindUnknown {
		return Meta{}, fmt.Errorf("adding attachment record: blob %q, conversation %q and kind %s must all be set",
			m.Blob, m.Conversation, m.Kind)
	}
	id, err := newID()
	if err != nil {
		return Meta{}, err
	}
	m.ID = id
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now().UTC()
	}
	m.Name = CleanName(m.Name)
	if err := s.insert(m); err != nil {
		return Meta{}, fmt.Errorf("adding %s record for blob %s: %w", m.Kind, m.Blob, err)
	}
	return m, nil
}

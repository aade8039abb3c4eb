package backup

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	// chunkSize is the plaintext size of every chunk but the last.
	chunkSize = 64 << 10
	// noncePrefixSize leaves 4 bytes of counter and 1 byte of final flag
	// in the 12-byte GCM nonce.
	noncePrefixSize = 7
)

// ErrCorrupt means the file is not a backup, was changed, or is
// truncated, or the recovery key is wrong.
var ErrCorrupt = errors.New("backup: file corrupt or recovery key wrong")

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

func chunkNonce(prefix []byte, index uint32, final bool) []byte {
	nonce := make([]byte, 12)
	copy(nonce, prefix)
	binary.BigEndian.PutUint32(nonce[noncePrefixSize:], index)
	if final {
		nonce[11] = 1
	}
	return nonce
}

// sealWriter encrypts what is written to it into length-prefixed chunks.
// Close writes the final chunk, which may be empty.
type sealWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	prefix []byte
	ad     []byte
	index  uint32
	buf    []byte
}

func newSealWriter(w io.Writer, key, prefix, header []byte) (*sealWriter, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	ad := sha256.Sum256(header)
	return &sealWriter{w: w, aead: aead, prefix: prefix, ad: ad[:], buf: make([]byte, 0, chunkSize)}, nil
}

func (s *sealWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		take := min(chunkSize-len(s.buf), len(p))
		s.buf = append(s.buf, p[:take]...)
		p = p[take:]
		n += take
		// A full buffer is flushed only when more data follows, so the
		// final chunk is never a full one followed by an empty one.
		if len(s.buf) == chunkSize && len(p) > 0 {
			if err := s.flush(false); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (s *sealWriter) flush(final bool) error {
	if s.index == ^uint32(0) {
		return errors.New("backup: too many chunks")
	}
	sealed := s.aead.Seal(nil, chunkNonce(s.prefix, s.index, final), s.buf, s.ad)
	var length [4]byte
	binary.BigEndian.PutUint32(length[:], uint32(len(sealed)))
	if _, err := s.w.Write(length[:]); err != nil {
		return fmt.Errorf("writing backup: %w", err)
	}
	if _, err := s.w.Write(sealed); err != nil {
		return fmt.Errorf("writing backup: %w", err)
	}
	s.index++
	s.buf = s.buf[:0]
	return nil
}

// Close writes the buffered data as the final chunk.
func (s *sealWriter) Close() error { return s.flush(true) }

// openReader decrypts the chunks written by sealWriter. It returns
// ErrCorrupt for any chunk that fails authentication, for data after the
// final chunk and for a stream that ends without one.
type openReader struct {
	r      io.Reader
	aead   cipher.AEAD
	prefix []byte
	ad     []byte
	index  uint32
	plain  []byte
	final  bool
}

func newOpenReader(r io.Reader, key, prefix, header []byte) (*openReader, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	ad := sha256.Sum256(header)
	return &openReader{r: r, aead: aead, prefix: prefix, ad: ad[:]}, nil
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.plain) == 0 {
		if o.final {
			return 0, o.checkEnd()
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.plain)
	o.plain = o.plain[n:]
	return n, nil
}

func (o *openReader) next() error {
	var length [4]byte
	if _, err := io.ReadFull(o.r, length[:]); err != nil {
		return fmt.Errorf("%w: stream ends before its final chunk (chunk %d): %w", ErrCorrupt, o.index, err)
	}
	size := binary.BigEndian.Uint32(length[:])
	if size < uint32(o.aead.Overhead()) || size > chunkSize+uint32(o.aead.Overhead()) {
		return fmt.Errorf("%w: chunk %d has length %d", ErrCorrupt, o.index, size)
	}
	sealed := make([]byte, size)
	if _, err := io.ReadFull(o.r, sealed); err != nil {
		return fmt.Errorf("%w: chunk %d is truncated: %w", ErrCorrupt, o.index, err)
	}

	plain, err := o.aead.Open(nil, chunkNonce(o.prefix, o.index, false), sealed, o.ad)
	if err != nil {
		plain, err = o.aead.Open(nil, chunkNonce(o.prefix, o.index, true), sealed, o.ad)
		if err != nil {
			return fmt.Errorf("%w: chunk %d fails authentication", ErrCorrupt, o.index)
		}
		o.final = true
	}
	o.plain = plain
	o.index++
	return nil
}

func (o *openReader) checkEnd() error {
	var probe [1]byte
	if n, _ := io.ReadFull(o.r, probe[:]); n > 0 {
		return fmt.Errorf("%w: data after the final chunk", ErrCorrupt)
	}
	return io.EOF
}

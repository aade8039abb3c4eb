package attach

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"wenban/appliance/seal"
)

// Blob file layout: a 9-byte header ("WBLB", format 1, plaintext chunk
// size as big-endian uint32) and then chunks sealed one by one. Every
// chunk but the last holds exactly chunkSize plaintext bytes, so chunk i
// starts at a computable offset and a range read opens only the chunks it
// needs. The authenticated context of a chunk binds the blob id, the
// chunk index and whether it is the last chunk, so chunks cannot be
// reordered, moved between blobs or cut off at the end unnoticed.
const (
	blobMagic     = "WBLB"
	blobFormat    = 1
	blobHeaderLen = len(blobMagic) + 1 + 4
	chunkSize     = 64 << 10
	maxChunkSize  = 16 << 20
	blobIDBytes   = 16
)

// TempFileSuffix ends the name of a blob still being written. Such a file
// holds no committed attachment, so backups and clean-ups skip it.
const TempFileSuffix = ".part"

// sealOverhead is the length seal.Keyring.Seal adds to a plaintext: a
// format byte, a key id, a 12-byte nonce and a 16-byte tag. The writer checks
// it on every chunk, because the chunk offsets depend on it.
const sealOverhead = 1 + 4 + 12 + 16

// BlobID names a blob file. It is random and reveals nothing of the
// content.
type BlobID string

func newBlobID() (BlobID, error) {
	b := make([]byte, blobIDBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating blob id: %w", err)
	}
	return BlobID(hex.EncodeToString(b)), nil
}

// valid reports whether id has the shape newBlobID makes, so an id read
// from a record can never name a path outside the blob folder.
func (id BlobID) valid() bool {
	if len(id) != 2*blobIDBytes {
		return false
	}
	_, err := hex.DecodeString(string(id))
	return err == nil
}

func chunkContext(id BlobID, index uint64, last bool) []byte {
	ctx := make([]byte, 0, 16+len(id)+9)
	ctx = append(ctx, "wenban blob\x00"...)
	ctx = append(ctx, id...)
	ctx = binary.BigEndian.AppendUint64(ctx, index)
	if last {
		return append(ctx, 1)
	}
	return append(ctx, 0)
}

// BlobWriter seals what it is given chunk by chunk into a temporary file
// and moves the file into place on Commit. It is not safe for concurrent
// use.
type BlobWriter struct {
	id    BlobID
	ring  *seal.Keyring
	f     *os.File
	tmp   string
	final string
	buf   []byte
	index uint64
	size  int64
	done  bool
}

func createBlob(dir string, ring *seal.Keyring) (*BlobWriter, error) {
	id, err := newBlobID()
	if err != nil {
		return nil, err
	}
	final := filepath.Join(dir, string(id))
	tmp := final + TempFileSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating blob file %s: %w", tmp, err)
	}

	header := make([]byte, 0, blobHeaderLen)
	header = append(header, blobMagic...)
	header = append(header, blobFormat)
	header = binary.BigEndian.AppendUint32(header, chunkSize)
	if _, err := f.Write(header); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("writing blob header %s: %w", tmp, err)
	}
	return &BlobWriter{id: id, ring: ring, f: f, tmp: tmp, final: final, buf: make([]byte, 0, chunkSize)}, nil
}

// Write buffers p and seals every full chunk that more data follows. A
// full chunk waits for the next byte, because the last chunk is sealed
// differently and only Commit can tell which one it is.
func (w *BlobWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if len(w.buf) == chunkSize {
			if err := w.flush(false); err != nil {
				return written, err
			}
		}
		n := copy(w.buf[len(w.buf):chunkSize], p)
		w.buf = w.buf[:len(w.buf)+n]
		p = p[n:]
		written += n
	}
	w.size += int64(written)
	return written, nil
}

func (w *BlobWriter) flush(last bool) error {
	sealed, err := w.ring.Seal(w.buf, chunkContext(w.id, w.index, last))
	if err != nil {
		return fmt.Errorf("sealing chunk %d of blob %s: %w", w.index, w.id, err)
	}
	if len(sealed) != len(w.buf)+sealOverhead {
		return fmt.Errorf("sealing chunk %d of blob %s: sealed %d bytes into %d, want %d of overhead",
			w.index, w.id, len(w.buf), len(sealed), sealOverhead)
	}
	if _, err := w.f.Write(sealed); err != nil {
		return fmt.Errorf("writing chunk %d of blob %s: %w", w.index, w.id, err)
	}
	w.index++
	w.buf = w.buf[:0]
	return nil
}

// Size returns the plaintext bytes written so far.
func (w *BlobWriter) Size() int64 { return w.size }

// ID returns the blob's id.
func (w *BlobWriter) ID() BlobID { return w.id }

// Commit seals the last chunk, syncs the file and moves it into place.
func (w *BlobWriter) Commit() error {
	if w.done {
		return errors.New("committing blob: writer already finished")
	}
	w.done = true
	err := w.flush(true)
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.tmp, w.final)
	}
	if err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("committing blob %s: %w", w.id, err)
	}
	return syncDir(filepath.Dir(w.final))
}

// Abort drops the partial file. It is safe after Commit and returns no
// error, because its callers are already failing.
func (w *BlobWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.tmp)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening blob folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing blob folder %s: %w", dir, err)
	}
	return nil
}

// BlobReader is a reader and seeker over a sealed blob. It decrypts one
// chunk at a time and keeps only the last one, so a range request costs
// at most two chunks of memory. It is not safe for concurrent use.
type BlobReader struct {
	id        BlobID
	ring      *seal.Keyring
	f         *os.File
	chunkSize int64
	chunks    int64
	size      int64
	offset    int64

	cached      int64
	cachedPlain []byte
}

func openBlob(dir string, id BlobID, ring *seal.Keyring) (*BlobReader, error) {
	if !id.valid() {
		return nil, fmt.Errorf("opening blob %q: %w", id, ErrNotFound)
	}
	path := filepath.Join(dir, string(id))
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("opening blob %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("opening blob %s: %w", id, err)
	}
	r, err := newBlobReader(f, id, ring)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func newBlobReader(f *os.File, id BlobID, ring *seal.Keyring) (*BlobReader, error) {
	header := make([]byte, blobHeaderLen)
	if _, err := io.ReadFull(f, header); err != nil {
		return nil, fmt.Errorf("reading header of blob %s: %w", id, ErrCorruptBlob)
	}
	if string(header[:4]) != blobMagic || header[4] != blobFormat {
		return nil, fmt.Errorf("blob %s has an unknown header: %w", id, ErrCorruptBlob)
	}
	size := int64(binary.BigEndian.Uint32(header[5:]))
	if size == 0 || size > maxChunkSize {
		return nil, fmt.Errorf("blob %s has chunk size %d: %w", id, size, ErrCorruptBlob)
	}

	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checking blob %s: %w", id, err)
	}
	body := info.Size() - int64(blobHeaderLen)
	sealedChunk := size + sealOverhead
	chunks := (body + sealedChunk - 1) / sealedChunk
	lastSealed := body - (chunks-1)*sealedChunk
	if chunks < 1 || lastSealed < sealOverhead {
		return nil, fmt.Errorf("blob %s is truncated: %w", id, ErrCorruptBlob)
	}
	return &BlobReader{
		id:        id,
		ring:      ring,
		f:         f,
		chunkSize: size,
		chunks:    chunks,
		size:      body - chunks*sealOverhead,
		cached:    -1,
	}, nil
}

// Size returns the plaintext length of the blob.
func (r *BlobReader) Size() int64 { return r.size }

// Close closes the blob file.
func (r *BlobReader) Close() error { return r.f.Close() }

func (r *BlobReader) chunk(i int64) ([]byte, error) {
	if i == r.cached {
		return r.cachedPlain, nil
	}
	last := i == r.chunks-1
	length := r.chunkSize + sealOverhead
	if last {
		length = r.size - i*r.chunkSize + sealOverhead
	}
	sealed := make([]byte, length)
	if _, err := r.f.ReadAt(sealed, int64(blobHeaderLen)+i*(r.chunkSize+sealOverhead)); err != nil {
		return nil, fmt.Errorf("reading chunk %d of blob %s: %w", i, r.id, err)
	}
	plain, err := r.ring.Open(sealed, chunkContext(r.id, uint64(i), last))
	if err != nil {
		return nil, fmt.Errorf("opening chunk %d of blob %s: %w: %w", i, r.id, ErrCorruptBlob, err)
	}
	r.cached, r.cachedPlain = i, plain
	return plain, nil
}

// ReadAt reads plaintext at off. It returns io.EOF with a short read at
// the end of the blob.
func (r *BlobReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("reading blob %s at negative offset %d", r.id, off)
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		plain, err := r.chunk(pos / r.chunkSize)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], plain[pos%r.chunkSize:])
	}
	return n, nil
}

// Read reads plaintext from the current offset.
func (r *BlobReader) Read(p []byte) (int, error) {
	if r.offset >= r.size {
		return 0, io.EOF
	}
	n, err := r.ReadAt(p, r.offset)
	r.offset += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the offset of the next Read, as io.Seeker describes.
func (r *BlobReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.offset + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, fmt.Errorf("seeking blob %s: invalid whence %d", r.id, whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("seeking blob %s to negative offset %d", r.id, abs)
	}
	r.offset = abs
	return abs, nil
}

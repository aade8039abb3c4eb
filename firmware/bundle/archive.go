package bundle

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

const (
	blockSize = 512
	// endMarkerSize is the two zero blocks that end a tar archive.
	endMarkerSize = 2 * blockSize
	// recordSize is GNU tar's default record (20 blocks). GNU tar pads the
	// archive with zeros up to a record boundary, so fewer than this many
	// zero bytes after the end marker are accepted.
	recordSize = 20 * blockSize
)

// countingReader counts the bytes archive/tar has consumed. archive/tar
// reads headers block by block and reads an entry's data only when asked,
// so after Next the count is the offset of the entry's data.
// It also keeps the first read error other than io.EOF, so a failing
// USB stick is reported as an I/O error rather than a malformed archive.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) && c.err == nil {
		c.err = err
	}
	return n, err
}

// archiveReader walks a bundle's tar stream once, front to back.
type archiveReader struct {
	counter *countingReader
	tar     *tar.Reader
	// end is the offset just past the padded data of the last entry read.
	end int64
}

func newArchiveReader(src io.ReaderAt, size int64) *archiveReader {
	counter := &countingReader{r: bufio.NewReaderSize(io.NewSectionReader(src, 0, size), 64<<10)}
	return &archiveReader{counter: counter, tar: tar.NewReader(counter)}
}

// next returns the next entry header after checking that it is a regular
// file with a safe name. It returns io.EOF at the end-of-archive marker.
func (a *archiveReader) next() (*tar.Header, error) {
	hdr, err := a.tar.Next()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		return nil, a.error("reading tar header", err)
	}

	if err := checkEntryName(hdr.Name); err != nil {
		return nil, err
	}
	if err := checkEntryType(hdr); err != nil {
		return nil, err
	}
	return hdr, nil
}

// readSmall reads a whole entry that is at most max bytes long. tooLarge
// is the error wrapped when it is longer.
func (a *archiveReader) readSmall(hdr *tar.Header, max int64, tooLarge error) ([]byte, error) {
	if hdr.Size > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, at most %d allowed", tooLarge, hdr.Name, hdr.Size, max)
	}

	start := a.counter.n
	data := make([]byte, hdr.Size)
	if _, err := io.ReadFull(a.tar, data); err != nil {
		return nil, a.error("reading "+hdr.Name, err)
	}
	if err := a.finishEntry(hdr, start); err != nil {
		return nil, err
	}
	return data, nil
}

// hashEntry streams an entry's data through SHA-256 and returns the hex
// digest and the offset of the data in the archive.
func (a *archiveReader) hashEntry(hdr *tar.Header, buf []byte) (digest string, offset int64, err error) {
	start := a.counter.n
	h := sha256.New()
	if _, err := io.CopyBuffer(h, a.tar, buf); err != nil {
		return "", 0, a.error("reading "+hdr.Name, err)
	}
	if err := a.finishEntry(hdr, start); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), start, nil
}

// finishEntry checks that the entry's data was stored as hdr.Size
// contiguous bytes. Sparse and other special encodings would break the
// offsets that Bundle.OpenPart reads from.
func (a *archiveReader) finishEntry(hdr *tar.Header, start int64) error {
	if stored := a.counter.n - start; stored != hdr.Size {
		return fmt.Errorf("%w: %s stores %d data bytes for size %d", ErrMalformed, hdr.Name, stored, hdr.Size)
	}
	a.end = start + (hdr.Size+blockSize-1)/blockSize*blockSize
	return nil
}

// finish checks, after next returned io.EOF, that the archive ended with
// a complete end-of-archive marker followed only by zero padding.
func (a *archiveReader) finish() error {
	switch got, want := a.counter.n, a.end+endMarkerSize; {
	case got < want:
		return fmt.Errorf("%w: archive ends at byte %d without the end-of-archive marker", ErrTruncated, got)
	case got > want:
		return fmt.Errorf("%w: %d bytes of extended headers before the end-of-archive marker", ErrMalformed, got-want)
	}

	rest, err := io.ReadAll(io.LimitReader(a.counter, recordSize))
	if err != nil {
		return fmt.Errorf("reading after the end-of-archive marker: %w", err)
	}
	if len(rest) >= recordSize || len(bytes.Trim(rest, "\x00")) != 0 {
		return fmt.Errorf("%w: %d or more bytes after the end-of-archive marker are not record padding",
			ErrTrailingData, len(rest))
	}
	return nil
}

// error maps a read failure to this package's errors.
func (a *archiveReader) error(op string, err error) error {
	if a.counter.err != nil {
		return fmt.Errorf("%s: %w", op, a.counter.err)
	}

	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %s: %w", ErrTruncated, op, err)
	case errors.Is(err, tar.ErrInsecurePath):
		// Only returned when GODEBUG=tarinsecurepath=0 is set.
		return fmt.Errorf("%w: %s: %w", ErrUnsafePath, op, err)
	case errors.Is(err, tar.ErrHeader), errors.Is(err, tar.ErrFieldTooLong):
		return fmt.Errorf("%w: %s: %w", ErrMalformed, op, err)
	}

	// archive/tar reports some structural faults (bad PAX records, for
	// one) without a sentinel. Source I/O errors were handled above, so
	// anything left came from archive/tar.
	return fmt.Errorf("%w: %s: %w", ErrMalformed, op, err)
}

func checkEntryName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty entry name", ErrUnsafePath)
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: %q is absolute", ErrUnsafePath, name)
	case hasDotDot(name):
		return fmt.Errorf("%w: %q contains \"..\"", ErrUnsafePath, name)
	case strings.ContainsAny(name, "\\\x00") || path.Clean(name) != name:
		return fmt.Errorf("%w: %q is not a clean relative path", ErrUnsafePath, name)
	}
	return nil
}

func hasDotDot(name string) bool {
	for _, segment := range strings.Split(name, "/") {
		if segment == ".." {
			return true
		}
	}
	return false
}

func checkEntryType(hdr *tar.Header) error {
	switch hdr.Typeflag {
	case tar.TypeReg:
	case tar.TypeSymlink:
		return fmt.Errorf("%w: %q is a symlink to %q", ErrNotRegularFile, hdr.Name, hdr.Linkname)
	case tar.TypeLink:
		return fmt.Errorf("%w: %q is a hard link to %q", ErrNotRegularFile, hdr.Name, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return fmt.Errorf("%w: %q is a device node", ErrNotRegularFile, hdr.Name)
	case tar.TypeFifo:
		return fmt.Errorf("%w: %q is a FIFO", ErrNotRegularFile, hdr.Name)
	case tar.TypeDir:
		return fmt.Errorf("%w: %q is a directory", ErrNotRegularFile, hdr.Name)
	default:
		return fmt.Errorf("%w: %q has tar type %q", ErrNotRegularFile, hdr.Name, hdr.Typeflag)
	}

	for key := range hdr.PAXRecords {
		if strings.HasPrefix(key, "GNU.sparse.") {
			return fmt.Errorf("%w: %q is a sparse file", ErrNotRegularFile, hdr.Name)
		}
	}
	return nil
}

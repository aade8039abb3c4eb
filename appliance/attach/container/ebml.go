// Package container reads and writes the media containers of voice
// messages and call recordings without decoding any audio or video:
// WebM (the Matroska subset browsers record and play) and MP4 with Opus
// audio, the rendition Safari plays. Opus packets pass through untouched.
package container

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrInvalid means the input is not a well-formed container of the
// expected kind, or breaks a parser limit.
var ErrInvalid = errors.New("invalid media container")

// unknownSize is the value of an all-ones size field: the element runs
// until an element that cannot be its child, as in live WebM.
const unknownSize = math.MaxUint64

// ebmlReader reads EBML element headers and payloads from a stream and
// counts the bytes consumed.
type ebmlReader struct {
	r   *bufio.Reader
	pos int64
}

func newEBMLReader(r io.Reader) *ebmlReader { return &ebmlReader{r: bufio.NewReader(r)} }

func (e *ebmlReader) readByte() (byte, error) {
	b, err := e.r.ReadByte()
	if err == nil {
		e.pos++
	}
	return b, err
}

// vint reads a variable-length integer of 1 to 8 bytes. With keepMarker
// the length marker bit stays in the value, as element ids keep it.
func (e *ebmlReader) vint(keepMarker bool) (uint64, int, error) {
	first, err := e.readByte()
	if err != nil {
		return 0, 0, err
	}
	length := 1
	for mask := byte(0x80); mask != 0 && first&mask == 0; mask >>= 1 {
		length++
	}
	if length > 8 {
		return 0, 0, fmt.Errorf("vint with no length marker at byte %d: %w", e.pos-1, ErrInvalid)
	}

	value := uint64(first)
	if !keepMarker {
		value &= uint64(0xff >> length)
	}
	allOnes := value == uint64(0xff>>length)
	for i := 1; i < length; i++ {
		b, err := e.readByte()
		if err != nil {
			return 0, 0, unexpected(err)
		}
		value = value<<8 | uint64(b)
		allOnes = allOnes && b == 0xff
	}
	if !keepMarker && allOnes {
		return unknownSize, length, nil
	}
	return value, length, nil
}

// sliceVint reads a size-style vint, length marker removed, from the
// start of b and returns it with its length in bytes.
func sliceVint(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("input ends inside an element: %w", ErrInvalid)
	}
	length := 1
	for mask := byte(0x80); mask != 0 && b[0]&mask == 0; mask >>= 1 {
		length++
	}
	if length > 8 {
		return 0, 0, fmt.Errorf("vint with no length marker: %w", ErrInvalid)
	}
	if len(b) < length {
		return 0, 0, fmt.Errorf("input ends inside an element: %w", ErrInvalid)
	}
	value := uint64(b[0]) & uint64(0xff>>length)
	for _, c := range b[1:length] {
		value = value<<8 | uint64(c)
	}
	return value, length, nil
}

// header reads an element id and size.
func (e *ebmlReader) header() (id uint64, size uint64, err error) {
	id, idLen, err := e.vint(true)
	if err != nil {
		return 0, 0, err
	}
	if idLen > 4 {
		return 0, 0, fmt.Errorf("element id of %d bytes at byte %d: %w", idLen, e.pos, ErrInvalid)
	}
	size, _, err = e.vint(false)
	if err != nil {
		return 0, 0, unexpected(err)
	}
	return id, size, nil
}

// payload reads an element body of size bytes, which must not pass limit.
func (e *ebmlReader) payload(size uint64, limit int) ([]byte, error) {
	if size == unknownSize || size > uint64(limit) {
		return nil, fmt.Errorf("element of %d bytes at byte %d passes the %d-byte limit: %w", size, e.pos, limit, ErrInvalid)
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(e.r, buf)
	e.pos += int64(n)
	if err != nil {
		return nil, unexpected(err)
	}
	return buf, nil
}

func (e *ebmlReader) skip(size uint64) error {
	if size == unknownSize || size > math.MaxInt64 {
		return fmt.Errorf("cannot skip an element of unknown size at byte %d: %w", e.pos, ErrInvalid)
	}
	n, err := e.r.Discard(int(min(size, math.MaxInt32)))
	e.pos += int64(n)
	if err != nil {
		return unexpected(err)
	}
	if size > math.MaxInt32 {
		return e.skip(size - math.MaxInt32)
	}
	return nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("input ends inside an element: %w", ErrInvalid)
	}
	return err
}

func readUint(b []byte) (uint64, error) {
	if len(b) > 8 {
		return 0, fmt.Errorf("unsigned integer of %d bytes: %w", len(b), ErrInvalid)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func readFloat(b []byte) (float64, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("float of %d bytes: %w", len(b), ErrInvalid)
}

// ebmlWriter appends EBML elements to a buffer.
type ebmlWriter struct{ buf []byte }

func appendID(b []byte, id uint64) []byte {
	switch {
	case id >= 1<<24:
		return append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<16:
		return append(b, byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<8:
		return append(b, byte(id>>8), byte(id))
	}
	return append(b, byte(id))
}

// appendSize writes size in the shortest vint that holds it; the
// all-ones value of each length is reserved for unknown sizes.
func appendSize(b []byte, size uint64) []byte {
	length := 1
	for length < 8 && size >= (1<<(7*length))-1 {
		length++
	}
	v := size | 1<<(7*length)
	for i := length - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func (w *ebmlWriter) putBytes(id uint64, data []byte) {
	w.buf = appendID(w.buf, id)
	w.buf = appendSize(w.buf, uint64(len(data)))
	w.buf = append(w.buf, data...)
}

func (w *ebmlWriter) putUint(id uint64, v uint64) {
	var tmp [8]byte
	binary.BigEndian.PutUint64(tmp[:], v)
	i := 0
	for i < 7 && tmp[i] == 0 {
		i++
	}
	w.putBytes(id, tmp[i:])
}

func (w *ebmlWriter) putFloat(id uint64, v float64) {
	var tmp [8]byte
	binary.BigEndian.PutUint64(tmp[:], math.Float64bits(v))
	w.putBytes(id, tmp[:])
}

func (w *ebmlWriter) putString(id uint64, s string) { w.putBytes(id, []byte(s)) }

func (w *ebmlWriter) master(id uint64, fill func(*ebmlWriter)) {
	var inner ebmlWriter
	fill(&inner)
	w.putBytes(id, inner.buf)
}

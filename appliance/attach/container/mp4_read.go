package container

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// mp4Box is one ISO BMFF box header.
type mp4Box struct {
	kind   string
	offset int64 // of the payload
	size   int64 // of the payload
}

// mp4Boxes lists the boxes in [start, end) of r.
func mp4Boxes(r io.ReaderAt, start, end int64) ([]mp4Box, error) {
	var out []mp4Box
	for pos := start; pos < end; {
		if len(out) == 10000 {
			return nil, fmt.Errorf("more than 10000 boxes: %w", ErrInvalid)
		}
		var h [16]byte
		if end-pos < 8 {
			return nil, fmt.Errorf("box header truncated at byte %d: %w", pos, ErrInvalid)
		}
		if _, err := r.ReadAt(h[:8], pos); err != nil {
			return nil, unexpected(err)
		}
		size, header := int64(binary.BigEndian.Uint32(h[:4])), int64(8)
		switch size {
		case 0:
			size = end - pos
		case 1:
			if end-pos < 16 {
				return nil, fmt.Errorf("large box header truncated at byte %d: %w", pos, ErrInvalid)
			}
			if _, err := r.ReadAt(h[8:16], pos+8); err != nil {
				return nil, unexpected(err)
			}
			size, header = int64(binary.BigEndian.Uint64(h[8:16])), 16
		}
		if size < header || size > end-pos {
			return nil, fmt.Errorf("box %q at byte %d has invalid size %d: %w", h[4:8], pos, size, ErrInvalid)
		}
		out = append(out, mp4Box{kind: string(h[4:8]), offset: pos + header, size: size - header})
		pos += size
	}
	return out, nil
}

func readAtMost(r io.ReaderAt, b mp4Box, limit int64) ([]byte, error) {
	if b.size > limit {
		return nil, fmt.Errorf("box %q of %d bytes passes the %d-byte limit: %w", b.kind, b.size, limit, ErrInvalid)
	}
	buf := make([]byte, b.size)
	if _, err := r.ReadAt(buf, b.offset); err != nil {
		return nil, unexpected(err)
	}
	return buf, nil
}

// timeScaled reads a version 0 or 1 box's timescale and duration, which
// follow creation and modification times of 4 or 8 bytes each.
func timeScaled(p []byte) (timescale uint32, duration uint64, err error) {
	if len(p) < 4 {
		return 0, 0, fmt.Errorf("time box truncated: %w", ErrInvalid)
	}
	if p[0] == 1 {
		if len(p) < 4+16+12 {
			return 0, 0, fmt.Errorf("time box truncated: %w", ErrInvalid)
		}
		return binary.BigEndian.Uint32(p[20:]), binary.BigEndian.Uint64(p[24:]), nil
	}
	if len(p) < 4+8+8 {
		return 0, 0, fmt.Errorf("time box truncated: %w", ErrInvalid)
	}
	return binary.BigEndian.Uint32(p[12:]), uint64(binary.BigEndian.Uint32(p[16:])), nil
}

// MP4Duration returns the play time of an MP4 file: the movie header's
// duration, or for a fragmented file without one (as Safari's
// MediaRecorder writes), the fragment duration or the sum of the sample
// durations of the first track's fragments.
func MP4Duration(r io.ReaderAt, size int64) (time.Duration, error) {
	top, err := mp4Boxes(r, 0, size)
	if err != nil {
		return 0, err
	}
	var moov *mp4Box
	for i := range top {
		if top[i].kind == "moov" {
			moov = &top[i]
		}
	}
	if moov == nil {
		return 0, fmt.Errorf("mp4 has no moov box: %w", ErrInvalid)
	}

	movie, err := mp4MovieTimes(r, *moov)
	if err != nil {
		return 0, err
	}
	if movie.duration > 0 {
		return scaled(movie.duration, movie.timescale)
	}
	if movie.fragment > 0 {
		return scaled(movie.fragment, movie.timescale)
	}

	var total uint64
	for _, b := range top {
		if b.kind != "moof" {
			continue
		}
		n, err := mp4FragmentDuration(r, b)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return scaled(total, movie.trackTimescale)
}

type mp4Times struct {
	timescale      uint32
	duration       uint64
	fragment       uint64
	trackTimescale uint32
}

func mp4MovieTimes(r io.ReaderAt, moov mp4Box) (mp4Times, error) {
	var t mp4Times
	boxes, err := mp4Boxes(r, moov.offset, moov.offset+moov.size)
	if err != nil {
		return t, err
	}
	for _, b := range boxes {
		switch b.kind {
		case "mvhd":
			p, err := readAtMost(r, b, 256)
			if err != nil {
				return t, err
			}
			if t.timescale, t.duration, err = timeScaled(p); err != nil {
				return t, err
			}
		case "mvex":
			t.fragment, err = mp4FragmentHeader(r, b)
		case "trak":
			if t.trackTimescale == 0 {
				t.trackTimescale, err = mp4TrackTimescale(r, b)
			}
		}
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

func mp4FragmentHeader(r io.ReaderAt, mvex mp4Box) (uint64, error) {
	boxes, err := mp4Boxes(r, mvex.offset, mvex.offset+mvex.size)
	if err != nil {
		return 0, err
	}
	for _, b := range boxes {
		if b.kind != "mehd" {
			continue
		}
		p, err := readAtMost(r, b, 64)
		if err != nil {
			return 0, err
		}
		switch {
		case len(p) >= 12 && p[0] == 1:
			return binary.BigEndian.Uint64(p[4:]), nil
		case len(p) >= 8:
			return uint64(binary.BigEndian.Uint32(p[4:])), nil
		}
		return 0, fmt.Errorf("mehd box truncated: %w", ErrInvalid)
	}
	return 0, nil
}

func mp4TrackTimescale(r io.ReaderAt, trak mp4Box) (uint32, error) {
	boxes, err := mp4Boxes(r, trak.offset, trak.offset+trak.size)
	if err != nil {
		return 0, err
	}
	for _, b := range boxes {
		if b.kind != "mdia" {
			continue
		}
		inner, err := mp4Boxes(r, b.offset, b.offset+b.size)
		if err != nil {
			return 0, err
		}
		for _, m := range inner {
			if m.kind == "mdhd" {
				p, err := readAtMost(r, m, 256)
				if err != nil {
					return 0, err
				}
				ts, _, err := timeScaled(p)
				return ts, err
			}
		}
	}
	return 0, nil
}

// mp4FragmentDuration sums the sample durations of the first track
// fragment of a moof box, from its trun entries or tfhd defaults.
func mp4FragmentDuration(r io.ReaderAt, moof mp4Box) (uint64, error) {
	boxes, err := mp4Boxes(r, moof.offset, moof.offset+moof.size)
	if err != nil {
		return 0, err
	}
	for _, b := range boxes {
		if b.kind == "traf" {
			return mp4TrafDuration(r, b)
		}
	}
	return 0, nil
}

func mp4TrafDuration(r io.ReaderAt, traf mp4Box) (uint64, error) {
	boxes, err := mp4Boxes(r, traf.offset, traf.offset+traf.size)
	if err != nil {
		return 0, err
	}
	var defaultDuration, total uint64
	for _, b := range boxes {
		switch b.kind {
		case "tfhd":
			p, err := readAtMost(r, b, 64)
			if err != nil {
				return 0, err
			}
			defaultDuration, err = tfhdDefaultDuration(p)
			if err != nil {
				return 0, err
			}
		case "trun":
			p, err := readAtMost(r, b, 16<<20)
			if err != nil {
				return 0, err
			}
			n, err := trunDuration(p, defaultDuration)
			if err != nil {
				return 0, err
			}
			total += n
		}
	}
	return total, nil
}

func tfhdDefaultDuration(p []byte) (uint64, error) {
	if len(p) < 8 {
		return 0, fmt.Errorf("tfhd box truncated: %w", ErrInvalid)
	}
	flags := binary.BigEndian.Uint32(p) & 0xffffff
	pos := 8
	if flags&0x01 != 0 {
		pos += 8
	}
	if flags&0x02 != 0 {
		pos += 4
	}
	if flags&0x08 == 0 {
		return 0, nil
	}
	if len(p) < pos+4 {
		return 0, fmt.Errorf("tfhd box truncated: %w", ErrInvalid)
	}
	return uint64(binary.BigEndian.Uint32(p[pos:])), nil
}

func trunDuration(p []byte, defaultDuration uint64) (uint64, error) {
	if len(p) < 8 {
		return 0, fmt.Errorf("trun box truncated: %w", ErrInvalid)
	}
	flags := binary.BigEndian.Uint32(p) & 0xffffff
	count := int64(binary.BigEndian.Uint32(p[4:]))
	pos := int64(8)
	if flags&0x01 != 0 {
		pos += 4
	}
	if flags&0x04 != 0 {
		pos += 4
	}
	if flags&0x100 == 0 {
		return uint64(count) * defaultDuration, nil
	}

	entry := int64(4)
	for _, bit := range []uint32{0x200, 0x400, 0x800} {
		if flags&bit != 0 {
			entry += 4
		}
	}
	if int64(len(p)) < pos+count*entry {
		return 0, fmt.Errorf("trun box lists %d samples it lacks room for: %w", count, ErrInvalid)
	}
	var total uint64
	for i := int64(0); i < count; i++ {
		total += uint64(binary.BigEndian.Uint32(p[pos+i*entry:]))
	}
	return total, nil
}

func scaled(ticks uint64, timescale uint32) (time.Duration, error) {
	if timescale == 0 {
		return 0, fmt.Errorf("mp4 timescale is zero: %w", ErrInvalid)
	}
	seconds := float64(ticks) / float64(timescale)
	if seconds > 1e6 {
		return 0, fmt.Errorf("mp4 duration of %.0f s is out of range: %w", seconds, ErrInvalid)
	}
	return time.Duration(seconds * float64(time.Second)), nil
}

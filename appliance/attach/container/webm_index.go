package container

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Element ids of the index (matroska.org element specification).
const (
	idSeek               = 0x4DBB
	idSeekID             = 0x53AB
	idSeekPosition       = 0x53AC
	idCues               = 0x1C53BB6B
	idCuePoint           = 0xBB
	idCueTime            = 0xB3
	idCueTrackPositions  = 0xB7
	idCueTrack           = 0xF7
	idCueClusterPosition = 0xF1
)

// WriteIndexedWebM writes a WebM file with a known Segment size, a
// SeekHead and a Cues index that points at every cluster starting with
// a key frame, so players seek without reading the clusters before the
// target. It calls frames twice with the same emit contract as
// WebMWriter.WriteFrame: once to lay the clusters out and once to write
// them, so frames must produce the same sequence both times.
func WriteIndexedWebM(w io.Writer, tracks []Track, duration time.Duration, frames func(emit func(Frame) error) error) error {
	trackBytes, video, err := tracksElement(tracks)
	if err != nil {
		return err
	}

	var sized countingWriter
	layout := &WebMWriter{w: &sized, videoTrack: video}
	if err := frames(layout.WriteFrame); err != nil {
		return err
	}
	if err := layout.Close(); err != nil {
		return err
	}

	info := infoElement(duration)
	seekHeadLen := int64(len(seekHead(0, 0, 0)))
	infoAt := seekHeadLen
	tracksAt := infoAt + int64(len(info))
	clustersAt := tracksAt + int64(len(trackBytes))
	cuesAt := clustersAt + sized.n
	cues := cuesElement(layout.cues, clustersAt)

	head := ebmlHeader()
	head = appendID(head, idSegment)
	head = appendFixedSize(head, uint64(cuesAt)+uint64(len(cues)))
	head = append(head, seekHead(infoAt, tracksAt, cuesAt)...)
	head = append(head, info...)
	head = append(head, trackBytes...)
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("writing webm header: %w", err)
	}

	out := &WebMWriter{w: w, videoTrack: video}
	if err := frames(out.WriteFrame); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if out.written != sized.n {
		return fmt.Errorf("writing webm: the second pass wrote %d cluster bytes, the first %d", out.written, sized.n)
	}
	if _, err := w.Write(cues); err != nil {
		return fmt.Errorf("writing webm cues: %w", err)
	}
	return nil
}

// seekHead points at Info, Tracks and Cues. Positions are relative to
// the Segment's data and always take 8 bytes, so the SeekHead's length
// does not depend on them.
func seekHead(info, tracks, cues int64) []byte {
	var e ebmlWriter
	e.master(idSeekHead, func(e *ebmlWriter) {
		for _, s := range []struct {
			id  uint64
			pos int64
		}{{idInfo, info}, {idTracks, tracks}, {idCues, cues}} {
			e.master(idSeek, func(e *ebmlWriter) {
				e.putBytes(idSeekID, appendID(nil, s.id))
				e.putBytes(idSeekPosition, binary.BigEndian.AppendUint64(nil, uint64(s.pos)))
			})
		}
	})
	return e.buf
}

func cuesElement(points []cuePoint, clustersAt int64) []byte {
	var e ebmlWriter
	e.master(idCues, func(e *ebmlWriter) {
		for _, p := range points {
			e.master(idCuePoint, func(e *ebmlWriter) {
				e.putUint(idCueTime, uint64(p.time/writerTimecodeScale))
				e.master(idCueTrackPositions, func(e *ebmlWriter) {
					e.putUint(idCueTrack, p.track)
					e.putUint(idCueClusterPosition, uint64(clustersAt+p.position))
				})
			})
		}
	})
	return e.buf
}

// appendFixedSize writes size as an 8-byte vint.
func appendFixedSize(b []byte, size uint64) []byte {
	return binary.BigEndian.AppendUint64(b, size|1<<56)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

package container

import (
	"fmt"
	"io"
	"time"
)

// WebM writer settings: millisecond timecodes, the Matroska default, and
// clusters of at most clusterSpan so that every block's relative
// timecode fits its signed 16 bits.
const (
	writerTimecodeScale = 1_000_000
	clusterSpan         = 5 * time.Second
	appName             = "wenban"
)

// WebMWriter writes a WebM file block by block. The Segment has an
// unknown size, so the writer never seeks. The duration goes into the
// header, so callers pass it before the first block. The file has no
// Cues index, which is fine for short files such as voice messages; use
// WriteIndexedWebM for recordings.
type WebMWriter struct {
	w            io.Writer
	cluster      ebmlWriter
	clusterStart time.Duration
	open         bool
	videoTrack   uint64

	// written counts the cluster bytes passed to w, and cues lists where
	// each cluster starts within them.
	written    int64
	cues       []cuePoint
	firstTrack uint64
	firstKey   bool
}

// cuePoint is the start of one cluster, for the Cues index.
type cuePoint struct {
	time     time.Duration
	track    uint64
	position int64
}

// NewWebMWriter writes the EBML header, the segment info and the tracks.
// Track numbers must be 1 to 126.
func NewWebMWriter(w io.Writer, tracks []Track, duration time.Duration) (*WebMWriter, error) {
	trackBytes, video, err := tracksElement(tracks)
	if err != nil {
		return nil, err
	}
	head := ebmlHeader()
	head = appendID(head, idSegment)
	head = append(head, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	head = append(head, infoElement(duration)...)
	head = append(head, trackBytes...)
	if _, err := w.Write(head); err != nil {
		return nil, fmt.Errorf("writing webm header: %w", err)
	}
	return &WebMWriter{w: w, videoTrack: video}, nil
}

func ebmlHeader() []byte {
	var e ebmlWriter
	e.master(idEBML, func(e *ebmlWriter) {
		e.putUint(idEBMLVersion, 1)
		e.putUint(idEBMLReadVersion, 1)
		e.putUint(idEBMLMaxIDLength, 4)
		e.putUint(idEBMLMaxSizeLen, 8)
		e.putString(idDocType, "webm")
		e.putUint(idDocTypeVersion, 4)
		e.putUint(idDocTypeRead, 2)
	})
	return e.buf
}

func infoElement(duration time.Duration) []byte {
	var e ebmlWriter
	e.master(idInfo, func(e *ebmlWriter) {
		e.putUint(idTimecodeScale, writerTimecodeScale)
		e.putFloat(idDuration, float64(duration)/writerTimecodeScale)
		e.putString(idMuxingApp, appName)
		e.putString(idWritingApp, appName)
	})
	return e.buf
}

// tracksElement encodes the Tracks element and returns the number of the
// first video track, or 0.
func tracksElement(tracks []Track) ([]byte, uint64, error) {
	if len(tracks) == 0 {
		return nil, 0, fmt.Errorf("writing webm: no tracks")
	}
	var video uint64
	for _, t := range tracks {
		if t.Number < 1 || t.Number > 126 {
			return nil, 0, fmt.Errorf("writing webm: track number %d is outside 1 to 126", t.Number)
		}
		if t.Type == TrackVideo && video == 0 {
			video = t.Number
		}
	}
	var e ebmlWriter
	e.master(idTracks, func(e *ebmlWriter) {
		for _, t := range tracks {
			e.master(idTrackEntry, func(e *ebmlWriter) { writeTrack(e, t) })
		}
	})
	return e.buf, video, nil
}

func writeTrack(e *ebmlWriter, t Track) {
	e.putUint(idTrackNumber, t.Number)
	e.putUint(idTrackUID, t.Number)
	e.putUint(idTrackType, t.Type)
	e.putString(idCodecID, t.CodecID)
	if len(t.CodecPrivate) > 0 {
		e.putBytes(idCodecPrivate, t.CodecPrivate)
	}
	switch t.Type {
	case TrackAudio:
		e.master(idAudio, func(e *ebmlWriter) {
			e.putFloat(idSamplingFreq, t.SampleRate)
			e.putUint(idChannels, max(t.Channels, 1))
		})
	case TrackVideo:
		e.master(idVideo, func(e *ebmlWriter) {
			e.putUint(idPixelWidth, t.Width)
			e.putUint(idPixelHeight, t.Height)
		})
	}
}

// WriteFrame adds a block. Frames must come in time order across tracks,
// give or take the 5 s a cluster may reach back. A video keyframe starts
// a new cluster once a second has passed, so that a player seeking to a
// cluster finds a picture to decode.
func (w *WebMWriter) WriteFrame(f Frame) error {
	if f.Time < 0 {
		return fmt.Errorf("writing webm block at %v: negative time", f.Time)
	}
	if f.Track < 1 || f.Track > 126 {
		return fmt.Errorf("writing webm block: track number %d is outside 1 to 126", f.Track)
	}
	span := f.Time - w.clusterStart
	keyStart := f.Track == w.videoTrack && f.Keyframe && span >= time.Second
	if !w.open || span >= clusterSpan || span < -clusterSpan || keyStart {
		if err := w.flush(); err != nil {
			return err
		}
		w.open, w.clusterStart = true, f.Time
		w.firstTrack, w.firstKey = f.Track, f.Keyframe
		w.cluster.putUint(idTimecode, uint64(f.Time/writerTimecodeScale))
	}

	relative := int16((f.Time - w.clusterStart) / writerTimecodeScale)
	flags := byte(0)
	if f.Keyframe {
		flags = 0x80
	}
	block := make([]byte, 0, 4+len(f.Data))
	block = append(block, 0x80|byte(f.Track), byte(uint16(relative)>>8), byte(relative), flags)
	block = append(block, f.Data...)
	w.cluster.putBytes(idSimpleBlock, block)
	return nil
}

func (w *WebMWriter) flush() error {
	if !w.open {
		return nil
	}
	var c ebmlWriter
	c.putBytes(idCluster, w.cluster.buf)
	w.cluster.buf = w.cluster.buf[:0]
	w.open = false
	if w.firstKey {
		w.cues = append(w.cues, cuePoint{time: w.clusterStart, track: w.firstTrack, position: w.written})
	}
	if _, err := w.w.Write(c.buf); err != nil {
		return fmt.Errorf("writing webm cluster: %w", err)
	}
	w.written += int64(len(c.buf))
	return nil
}

// Close writes the last cluster. It does not close the underlying writer.
func (w *WebMWriter) Close() error { return w.flush() }

package record

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"wenban/appliance/attach"
	"wenban/appliance/attach/container"
)

// Scratch records: track number (1 byte), key frame flag (1 byte), time
// in nanoseconds (8 bytes), data length (4 bytes), then the data.
const (
	logHeaderLen = 1 + 1 + 8 + 4
	maxLogFrame  = 8 << 20
)

// finish writes the scratch frames out as the final WebM, stores its
// record and deletes the scratch blob.
func (s *session) finish() (attach.Meta, error) {
	st := s.rec.opts.Store
	scratchID := s.scratch.ID()
	if s.err != nil {
		s.scratch.Abort()
		return attach.Meta{}, s.err
	}
	if err := s.scratch.Commit(); err != nil {
		return attach.Meta{}, err
	}
	defer st.RemoveBlob(scratchID)

	tracks, numbers := s.webmTracks()
	if len(tracks) == 0 {
		return attach.Meta{}, fmt.Errorf("recording of room %s: no media arrived", s.room)
	}
	out, err := st.CreateBlob()
	if err != nil {
		return attach.Meta{}, err
	}
	if err := s.remux(scratchID, out, tracks, numbers); err != nil {
		out.Abort()
		return attach.Meta{}, fmt.Errorf("writing recording of room %s: %w", s.room, err)
	}
	if err := out.Commit(); err != nil {
		return attach.Meta{}, err
	}

	m, err := st.AddRecord(context.Background(), s.meta(out, tracks))
	if err != nil {
		st.RemoveBlob(out.ID())
		return attach.Meta{}, err
	}
	return m, nil
}

// webmTracks lists the tracks that have frames, numbered from 1, and maps
// session track numbers to WebM ones.
func (s *session) webmTracks() ([]container.Track, map[uint64]uint64) {
	var out []container.Track
	numbers := map[uint64]uint64{}
	for _, t := range s.tracks {
		if t.frames == 0 {
			continue
		}
		n := uint64(len(out) + 1)
		numbers[t.number] = n
		ct := container.Track{Number: n, Type: t.kind}
		if t.kind == container.TrackVideo {
			ct.CodecID, ct.Width, ct.Height = "V_VP8", t.width, t.height
		} else {
			channels := max(t.codec.Channels, 1)
			ct.CodecID, ct.SampleRate, ct.Channels = "A_OPUS", 48000, uint64(channels)
			ct.CodecPrivate = container.OpusHead{Channels: uint8(channels), InputSampleRate: 48000}.Bytes()
		}
		out = append(out, ct)
	}
	return out, numbers
}

func (s *session) remux(scratch attach.BlobID, out io.Writer, tracks []container.Track, numbers map[uint64]uint64) error {
	return container.WriteIndexedWebM(out, tracks, s.last, func(emit func(container.Frame) error) error {
		return s.replay(scratch, numbers, emit)
	})
}

// replay reads the scratch blob from the start and passes each frame to
// emit with its WebM track number.
func (s *session) replay(scratch attach.BlobID, numbers map[uint64]uint64, emit func(container.Frame) error) error {
	in, err := s.rec.opts.Store.OpenBlob(scratch)
	if err != nil {
		return err
	}
	defer in.Close()

	r := bufio.NewReaderSize(in, 256<<10)
	header := make([]byte, logHeaderLen)
	for {
		if _, err := io.ReadFull(r, header); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading scratch frame: %w", err)
		}
		size := binary.BigEndian.Uint32(header[10:])
		if size > maxLogFrame {
			return fmt.Errorf("scratch frame of %d bytes is corrupt", size)
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("reading scratch frame: %w", err)
		}
		err := emit(container.Frame{
			Track:    numbers[uint64(header[0])],
			Keyframe: header[1] == 1,
			Time:     time.Duration(binary.BigEndian.Uint64(header[2:])),
			Data:     data,
		})
		if err != nil {
			return err
		}
	}
}

func (s *session) meta(out *attach.BlobWriter, tracks []container.Track) attach.Meta {
	mediaType := attach.TypeWebM
	for _, t := range tracks {
		if t.Type == container.TrackVideo {
			mediaType = attach.TypeWebMAV
		}
	}
	return attach.Meta{
		Conversation: s.conversation,
		Kind:         attach.KindRecording,
		Name:         "通话录音-" + s.start.Local().Format("20060102-150405") + ".webm",
		Type:         mediaType,
		Size:         out.Size(),
		Blob:         out.ID(),
		UploadedBy:   "system",
		CreatedAt:    s.start.UTC(),
		Duration:     s.last,
		Tracks:       len(tracks),
	}
}

package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"wenban/appliance/attach"
	"wenban/appliance/attach/container"
	"wenban/appliance/media/sfu"
)

// Reorder windows of the sample builders, in RTP packets: a video frame
// spans several packets and arrives more out of order than audio.
const (
	videoReorder = 128
	audioReorder = 32
)

var errSessionEnded = errors.New("recording session already ended")

func kindOf(codec webrtc.RTPCodecParameters) (uint64, error) {
	switch strings.ToLower(codec.MimeType) {
	case strings.ToLower(webrtc.MimeTypeOpus):
		return container.TrackAudio, nil
	case strings.ToLower(webrtc.MimeTypeVP8):
		return container.TrackVideo, nil
	}
	return 0, fmt.Errorf("codec %s is not recorded, only Opus and VP8", codec.MimeType)
}

// session is one recording: the tracks of a room that overlap in time.
type session struct {
	rec          *Recorder
	room         sfu.RoomID
	conversation string
	start        time.Time

	mu      sync.Mutex
	scratch *attach.BlobWriter
	tracks  []*trackState
	open    int
	ending  bool
	last    time.Duration
	capped  bool
	err     error
}

// trackState is one track's place in the recording.
type trackState struct {
	number      uint64
	participant sfu.ParticipantID
	kind        uint64
	codec       webrtc.RTPCodecParameters
	builder     *samplebuilder.SampleBuilder
	width       uint64
	height      uint64
	frames      int

	started bool
	offset  time.Duration
	lastTS  uint32
	ticks   int64
	keyed   bool
	closed  bool
}

// recordingReserve is the free space a recording needs at its start, on
// top of the store's own reserve: about an hour of a 1:1 video call at
// the bit rates browsers send (an estimate, 2 x 500 kbit/s).
const recordingReserve = 512 << 20

func (r *Recorder) newSession(room sfu.RoomID) (*session, error) {
	if err := r.opts.Store.CheckSpace(recordingReserve); err != nil {
		return nil, fmt.Errorf("starting recording of room %s: %w", room, err)
	}
	scratch, err := r.opts.Store.CreateBlob()
	if err != nil {
		return nil, fmt.Errorf("starting recording of room %s: %w", room, err)
	}
	r.log.Info("recording started", "room", room)
	return &session{rec: r, room: room, conversation: r.conversationOf(room), start: r.opts.Now(), scratch: scratch}, nil
}

func (s *session) addTrack(p sfu.ParticipantID, kind uint64, codec webrtc.RTPCodecParameters) (sfu.TrackSink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ending {
		return nil, errSessionEnded
	}
	if len(s.tracks) == 126 {
		return nil, fmt.Errorf("recording of room %s has 126 tracks already", s.room)
	}

	t := &trackState{number: uint64(len(s.tracks) + 1), participant: p, kind: kind, codec: codec}
	if kind == container.TrackVideo {
		t.builder = samplebuilder.New(videoReorder, &codecs.VP8Packet{}, codec.ClockRate)
	} else {
		t.builder = samplebuilder.New(audioReorder, &codecs.OpusPacket{}, codec.ClockRate)
	}
	s.tracks = append(s.tracks, t)
	s.open++
	return &sink{s: s, t: t}, nil
}

// sink is the SFU's handle on one recorded track.
type sink struct {
	s *session
	t *trackState
}

// WriteRTP adds a packet. Failures stop the recording, not the call: the
// error is kept for the log and the SFU keeps forwarding.
func (k *sink) WriteRTP(p *rtp.Packet) error {
	s := k.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if k.t.closed || s.err != nil {
		return nil
	}
	// The sample builder keeps packets without copying them, and the SFU
	// reuses its read buffers.
	k.t.builder.Push(p.Clone())
	s.drain(k.t)
	return nil
}

// Close flushes the track. The last track to close ends the recording.
func (k *sink) Close() error {
	s := k.s
	s.mu.Lock()
	if k.t.closed {
		s.mu.Unlock()
		return nil
	}
	k.t.builder.Flush()
	s.drain(k.t)
	k.t.closed = true
	s.open--
	last := s.open == 0
	if last {
		s.ending = true
	}
	s.mu.Unlock()

	if last {
		s.rec.ended(s)
	}
	return nil
}

func (s *session) drain(t *trackState) {
	for sample := t.builder.Pop(); sample != nil; sample = t.builder.Pop() {
		if err := s.writeSample(t, sample); err != nil && s.err == nil {
			s.err = err
			s.rec.log.Error("recording stopped", "room", s.room, "err", err)
		}
	}
}

// writeSample appends one frame to the scratch blob. Times count from
// the session start: a track's first frame is placed by its arrival and
// later frames by their RTP timestamps, so jitter does not stretch them.
func (s *session) writeSample(t *trackState, sample *media.Sample) error {
	if len(sample.Data) == 0 {
		return nil
	}
	key := true
	if t.kind == container.TrackVideo {
		key = sample.Data[0]&0x01 == 0
		if !t.keyed && !key {
			return nil
		}
		if key && t.width == 0 {
			t.width, t.height = vp8Size(sample.Data)
		}
		t.keyed = true
	}

	at := s.timeOf(t, sample.PacketTimestamp)
	if at > s.rec.opts.MaxDuration {
		if !s.capped {
			s.capped = true
			s.rec.log.Warn("recording reached its maximum duration, later media is dropped",
				"room", s.room, "max", s.rec.opts.MaxDuration)
		}
		return nil
	}

	header := make([]byte, 0, logHeaderLen)
	header = append(header, byte(t.number), boolByte(key))
	header = binary.BigEndian.AppendUint64(header, uint64(at))
	header = binary.BigEndian.AppendUint32(header, uint32(len(sample.Data)))
	if _, err := s.scratch.Write(header); err != nil {
		return err
	}
	if _, err := s.scratch.Write(sample.Data); err != nil {
		return err
	}
	t.frames++
	s.last = max(s.last, at)
	return nil
}

func (s *session) timeOf(t *trackState, ts uint32) time.Duration {
	if !t.started {
		t.started, t.lastTS = true, ts
		t.offset = max(0, s.rec.opts.Now().Sub(s.start))
	}
	// The signed difference handles the 32-bit wrap of RTP timestamps.
	t.ticks += int64(int32(ts - t.lastTS))
	t.lastTS = ts
	clock := int64(max(t.codec.ClockRate, 1))
	// A timestamp that runs back before the session start is placed at
	// the start: WebM has no negative block times, and one such frame
	// would fail the whole recording when it is written out.
	return max(0, t.offset+time.Duration(t.ticks*int64(time.Second)/clock))
}

// vp8Size reads the picture size of a VP8 key frame (RFC 6386, section
// 9.1), or zeros when the frame header is missing.
func vp8Size(frame []byte) (uint64, uint64) {
	if len(frame) < 10 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a {
		return 0, 0
	}
	w := binary.LittleEndian.Uint16(frame[6:]) & 0x3fff
	h := binary.LittleEndian.Uint16(frame[8:]) & 0x3fff
	return uint64(w), uint64(h)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

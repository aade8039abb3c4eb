// Package record writes the calls of recorded rooms as WebM files into
// the sealed attachment store. It implements the SFU's Recorder: each
// published track of a room gets a sink, and the tracks of one room that
// overlap in time make one recording.
//
// While a call runs, the sinks append depacketized frames to a sealed
// scratch blob, because a WebM file must name its tracks and duration
// before its first frame and the sealed store cannot seek back. When the
// last track of the room closes, the scratch blob is replayed into the
// final WebM (VP8 and Opus, as the browsers sent them) and deleted.
package record

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/attach"
	"wenban/appliance/media/sfu"
)

// DefaultMaxDuration caps one recording when Options.MaxDuration is zero.
const DefaultMaxDuration = 4 * time.Hour

// Options configure a Recorder. Zero values mean the documented defaults.
type Options struct {
	// Store receives the recordings. Required.
	Store *attach.Store
	// Conversation maps a room to the conversation whose history lists
	// its recordings, or returns "" when it has none. Nil, or "", uses
	// the room id as the conversation id. SetConversationLookup replaces
	// it later, for a call service built after the recorder.
	Conversation func(sfu.RoomID) string
	// MaxDuration caps one recording; later frames are dropped and logged
	// once. Zero means DefaultMaxDuration.
	MaxDuration time.Duration
	// OnRecorded receives each finished recording, for example to update
	// open history pages. Nil means no callback.
	OnRecorded func(attach.Meta)
	// Logger receives lifecycle and error logs. Nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Recorder implements sfu.Recorder. It is safe for concurrent use.
type Recorder struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	sessions map[sfu.RoomID]*session
	lookup   func(sfu.RoomID) string
	wg       sync.WaitGroup
}

// New returns a Recorder over opts.Store.
func New(opts Options) *Recorder {
	if opts.MaxDuration <= 0 {
		opts.MaxDuration = DefaultMaxDuration
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Recorder{opts: opts, log: opts.Logger, sessions: map[sfu.RoomID]*session{}, lookup: opts.Conversation}
}

// SetConversationLookup installs the room-to-conversation mapping of
// Options.Conversation. Recordings that start afterwards use it.
func (r *Recorder) SetConversationLookup(f func(sfu.RoomID) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookup = f
}

// conversationOf maps room to its conversation; the caller holds r.mu.
//
// NOTE: a group window's room maps to no conversation, so its recording
// is filed under the room id and no history page lists it.
func (r *Recorder) conversationOf(room sfu.RoomID) string {
	if r.lookup != nil {
		if id := r.lookup(room); id != "" {
			return id
		}
	}
	r.log.Warn("no conversation known for the recorded room, filing the recording under the room id", "room", room)
	return string(room)
}

// StartTrack returns a sink for one published track of room. VP8 video
// and Opus audio are recorded; other codecs are rejected, and the SFU
// then forwards the track unrecorded.
func (r *Recorder) StartTrack(room sfu.RoomID, p sfu.ParticipantID, codec webrtc.RTPCodecParameters) (sfu.TrackSink, error) {
	kind, err := kindOf(codec)
	if err != nil {
		return nil, fmt.Errorf("recording track of %s in room %s: %w", p, room, err)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.sessions[room]; s != nil {
		// A session whose last track just closed is being written out; a
		// track that arrives now starts the next recording.
		sink, err := s.addTrack(p, kind, codec)
		if !errors.Is(err, errSessionEnded) {
			return sink, err
		}
	}
	s, err := r.newSession(room)
	if err != nil {
		return nil, err
	}
	r.sessions[room] = s
	return s.addTrack(p, kind, codec)
}

// Wait blocks until every finished call has been written out, or ctx
// ends. Calls still running are not waited for.
func (r *Recorder) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ended removes a session whose last track closed and writes it out in
// the background, so the SFU's track goroutine is not held up.
func (r *Recorder) ended(s *session) {
	r.mu.Lock()
	if r.sessions[s.room] == s {
		delete(r.sessions, s.room)
	}
	r.wg.Add(1)
	r.mu.Unlock()

	go func() {
		defer r.wg.Done()
		m, err := s.finish()
		if err != nil {
			r.log.Error("writing recording failed", "room", s.room, "err", err)
			return
		}
		r.log.Info("call recorded", "room", s.room, "attachment", m.ID, "tracks", m.Tracks,
			"duration", m.Duration.Round(time.Second), "bytes", m.Size)
		if r.opts.OnRecorded != nil {
			r.opts.OnRecorded(m)
		}
	}()
}

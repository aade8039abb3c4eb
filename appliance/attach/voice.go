package attach

import (
	"fmt"
	"time"

	"wenban/appliance/attach/container"
)

// Media types of the renditions as <audio> source elements announce
// them, so each browser picks the first one it can play.
const (
	SourceTypeMP4Opus  = `audio/mp4; codecs="opus"`
	SourceTypeWebMOpus = `audio/webm; codecs="opus"`
)

// makeVoiceRenditions parses a MediaRecorder WebM/Opus upload, checks its
// duration and stores two remuxes of its Opus packets: an MP4 for Safari
// and a WebM that states its duration. MediaRecorder's own WebM has no
// duration element, so browsers report it as infinite and cannot show a
// seek bar for it.
func (s *Store) makeVoiceRenditions(m *Meta, maxDuration time.Duration) error {
	src, err := s.Open(*m, "")
	if err != nil {
		return err
	}
	defer src.Close()

	file, err := container.ParseWebM(src, container.Limits{})
	if err != nil {
		return fmt.Errorf("parsing voice message %s: %w: %w", m.ID, ErrInvalidMedia, err)
	}
	voice, err := extractOpus(file)
	if err != nil {
		return fmt.Errorf("voice message %s: %w: %w", m.ID, ErrInvalidMedia, err)
	}
	if maxDuration > 0 && voice.duration > maxDuration {
		return fmt.Errorf("voice message %s lasts %v, over the %v limit: %w", m.ID, voice.duration, maxDuration, ErrTooLong)
	}
	m.Duration = voice.duration

	if err := s.writeRendition(m, RenditionMP4, TypeMP4, func(w *BlobWriter) error {
		return container.WriteOpusMP4(w, voice.head, voice.packets)
	}); err != nil {
		return err
	}
	return s.writeRendition(m, RenditionWebM, TypeWebM, func(w *BlobWriter) error {
		return voice.writeWebM(w)
	})
}

// opusVoice is the one Opus track of a voice message.
type opusVoice struct {
	track    container.Track
	head     container.OpusHead
	frames   []container.Frame
	packets  [][]byte
	duration time.Duration
}

func extractOpus(file *container.File) (opusVoice, error) {
	if len(file.Tracks) != 1 || file.Tracks[0].Type != container.TrackAudio || file.Tracks[0].CodecID != "A_OPUS" {
		return opusVoice{}, fmt.Errorf("want one Opus audio track, got %d tracks", len(file.Tracks))
	}
	v := opusVoice{track: file.Tracks[0]}
	head, err := container.ParseOpusHead(v.track.CodecPrivate)
	if err != nil {
		return opusVoice{}, err
	}
	v.head = head
	v.frames = make([]container.Frame, 0, len(file.Frames))
	v.packets = make([][]byte, 0, len(file.Frames))

	samples := 0
	for _, f := range file.Frames {
		if f.Track != v.track.Number || len(f.Data) == 0 {
			continue
		}
		n, err := container.OpusSamples(f.Data)
		if err != nil {
			return opusVoice{}, err
		}
		samples += n
		v.frames = append(v.frames, f)
		v.packets = append(v.packets, f.Data)
	}
	samples -= int(head.PreSkip)
	if samples <= 0 {
		return opusVoice{}, fmt.Errorf("no audio after the %d-sample pre-skip", head.PreSkip)
	}
	v.duration = time.Duration(samples) * time.Second / 48000
	return v, nil
}

func (v opusVoice) writeWebM(w *BlobWriter) error {
	track := v.track
	track.Number = 1
	mw, err := container.NewWebMWriter(w, []container.Track{track}, v.duration)
	if err != nil {
		return err
	}
	start := v.frames[0].Time
	for _, f := range v.frames {
		f.Track, f.Time = 1, max(0, f.Time-start)
		if err := mw.WriteFrame(f); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeRendition stores what write produces as rendition name of m.
func (s *Store) writeRendition(m *Meta, name, mediaType string, write func(*BlobWriter) error) error {
	w, err := createBlob(s.dir, s.ring)
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		w.Abort()
		return fmt.Errorf("writing %s rendition of attachment %s: %w", name, m.ID, err)
	}
	if err := w.Commit(); err != nil {
		return err
	}
	m.addRendition(name, Rendition{Type: mediaType, Size: w.Size(), Blob: w.id})
	return nil
}

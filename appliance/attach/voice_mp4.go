package attach

import (
	"fmt"
	"time"

	"wenban/appliance/attach/container"
)

// checkVoiceMP4 reads the duration of a Safari MediaRecorder upload
// (MP4, usually AAC) and checks it against the limit. Every current
// browser plays such a file, so it needs no rendition.
func (s *Store) checkVoiceMP4(m *Meta, maxDuration time.Duration) error {
	src, err := s.Open(*m, "")
	if err != nil {
		return err
	}
	defer src.Close()

	// NOTE: the duration is what the file's own mvhd, mehd or trun boxes
	// state, which a crafted upload sets at will, so against such a file
	// only the size limit holds. Checking it would mean decoding the audio.
	d, err := container.MP4Duration(src, src.Size())
	if err != nil {
		return fmt.Errorf("parsing voice message %s: %w: %w", m.ID, ErrInvalidMedia, err)
	}
	if d <= 0 {
		return fmt.Errorf("voice message %s has no audio: %w", m.ID, ErrInvalidMedia)
	}
	if maxDuration > 0 && d > maxDuration {
		return fmt.Errorf("voice message %s lasts %v, over the %v limit: %w", m.ID, d, maxDuration, ErrTooLong)
	}
	m.Duration = d
	return nil
}

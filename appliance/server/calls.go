package server

import (
	"context"
	"fmt"

	"wenban/appliance/call"
	"wenban/appliance/media/sfu"
)

// openCalls builds the SFU from the media section and the call manager
// from the calls section, and installs both in the session plane. Calls
// are recorded when the config's recording section switches recording
// on, and the attachments' recorder stores the files. Group windows keep
// their records in the database for the seat history.
func (s *Server) openCalls() error {
	opts := s.mediaSFUOptions()
	if rec := s.Recorder(); rec != nil {
		opts.Recorder = rec
	}
	media, err := sfu.New(opts)
	if err != nil {
		return fmt.Errorf("starting the SFU for calls: %w", err)
	}
	s.callSFU = media

	s.groupRecs = call.NewGroupStore(s.db)
	n, err := s.groupRecs.CloseUnfinished(context.Background())
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("group windows open at the last stop marked closed", "count", n)
	}

	s.calls = call.New(call.Options{
		Media:           media,
		Lines:           s.conv,
		Notify:          s.kioskCallEvents(s.hub.CallEvent),
		RingTimeout:     s.cfg.Calls.RingTimeout,
		MaxGroupMembers: s.cfg.Calls.MaxGroupMembers,
		Recording:       s.cfg.Recording.Enabled,
		RecordingNotice: s.cfg.Recording.Notice,
		Records:         s.groupRecs,
		Logger:          s.log.With("component", "call"),
	})
	// A call's recordings go with its conversation's history, a group
	// window's with the window's record.
	if rec := s.Recorder(); rec != nil {
		rec.SetConversationLookup(s.calls.RecordingFolder)
	}
	s.hub.SetCalls(s.calls)
	s.hub.SetCallMedia(media)
	return nil
}

// closeCalls closes every peer connection of calls and the SFU's ports.
func (s *Server) closeCalls() error {
	if s.callSFU == nil {
		return nil
	}
	return s.callSFU.Close()
}

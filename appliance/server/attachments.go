package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"wenban/appliance/attach"
	"wenban/appliance/media/record"
	"wenban/appliance/web"
)

// retentionInterval is how often old recordings are looked for. An hour
// keeps a recording at most an hour past its retention period.
const retentionInterval = time.Hour

// recorderDrain bounds how long Close waits for calls that just ended to
// be written out as recordings.
const recorderDrain = 30 * time.Second

// fileService is the attachment store with its retention job and the
// call recorder that writes into it.
type fileService struct {
	store    *attach.Store
	recorder *record.Recorder
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
}

// openAttachments opens the blob folder, starts deleting recordings past
// their retention period and returns what the web layer serves files
// with.
func (s *Server) openAttachments() (*web.Attachments, error) {
	st, err := attach.Open(s.db, s.cfg.AttachmentDir(), attach.Options{Logger: s.log.With("component", "attach")})
	if err != nil {
		return nil, fmt.Errorf("opening attachment store: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	f := &fileService{
		store:    st,
		recorder: record.New(record.Options{Store: st, Logger: s.log.With("component", "record")}),
		log:      s.log,
		cancel:   cancel,
		done:     make(chan struct{}),
	}
	go func() {
		defer close(f.done)
		st.RunRetention(ctx, attach.KindRecording, s.cfg.Recording.Retention, retentionInterval)
	}()
	s.files = f

	a := s.cfg.Attachments
	const mib = 1 << 20
	return &web.Attachments{
		Store: st,
		Lines: s.conv,
		Limits: web.AttachmentLimits{
			MaxImageBytes:    int64(a.MaxImageMiB) * mib,
			MaxFileBytes:     int64(a.MaxFileMiB) * mib,
			MaxVoiceBytes:    int64(a.MaxVoiceMiB) * mib,
			MaxVoiceDuration: a.MaxVoiceDuration,
			FileTypes:        a.FileMediaTypes(),
		},
	}, nil
}

// close waits for recordings being written out, then stops the
// retention job. The SFU must be closed first, so no call is still
// recording.
func (f *fileService) close() {
	if f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), recorderDrain)
	defer cancel()
	if err := f.recorder.Wait(ctx); err != nil {
		f.log.Warn("recordings still being written at shutdown are lost", "err", err)
	}
	f.cancel()
	<-f.done
}

// Attachments returns the attachment store, for the call recorder, tools
// and tests.
func (s *Server) Attachments() *attach.Store {
	if s.files == nil {
		return nil
	}
	return s.files.store
}

// Recorder returns the call recorder, which the SFU takes as its
// Recorder. The SFU records a room only after SetRecording(room, true),
// which the call service sends when the recording section enables it.
// openCalls installs the call manager's room-to-conversation lookup.
func (s *Server) Recorder() *record.Recorder {
	if s.files == nil {
		return nil
	}
	return s.files.recorder
}

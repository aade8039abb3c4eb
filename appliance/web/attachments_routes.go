package web

import (
	"errors"
	"net/http"
	"time"

	"wenban/appliance/attach"
	"wenban/appliance/conversation"
)

// recordingView is one recorded call as the history page lists it.
type recordingView struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Size       int64     `json:"size"`
	DurationMS int64     `json:"duration_ms"`
	Tracks     int       `json:"tracks"`
	CreatedAt  time.Time `json:"created_at"`
}

// fileView is one chat attachment as the history page lists it, in the
// shape attach.js renders transcript lines with.
type fileView struct {
	conversation.Attachment
	Kind conversation.MessageKind `json:"kind"`
}

type conversationFilesReply struct {
	Attachments []fileView      `json:"attachments"`
	Recordings  []recordingView `json:"recordings"`
}

// seatConversationFiles serves GET /seat/api/conversations/{id}/attachments:
// the conversation's images, files and voice messages that were not
// recalled, and its recorded calls, oldest first.
func (s *Server) seatConversationFiles(w http.ResponseWriter, r *http.Request) error {
	a := s.deps.Attachments
	if a == nil {
		return &appError{Status: http.StatusNotFound, Message: msgNoAttachments}
	}
	id := conversation.ID(r.PathValue("id"))
	list, err := a.Store.List(r.Context(), string(id), attach.KindUnknown)
	if err != nil {
		return internalError(err)
	}

	reply := conversationFilesReply{Attachments: []fileView{}, Recordings: []recordingView{}}
	for _, m := range list {
		if m.Kind == attach.KindRecording {
			reply.Recordings = append(reply.Recordings, recordingView{
				ID: string(m.ID), Type: m.Type, Size: m.Size, DurationMS: m.Duration.Milliseconds(),
				Tracks: m.Tracks, CreatedAt: m.CreatedAt,
			})
			continue
		}
		line, err := a.Lines.AttachmentLine(r.Context(), id, string(m.ID))
		if errors.Is(err, conversation.ErrNotFound) || err == nil && (line.Recalled || line.Attachment == nil) {
			continue
		}
		if err != nil {
			return internalError(err)
		}
		reply.Attachments = append(reply.Attachments, fileView{Attachment: *line.Attachment, Kind: line.Kind})
	}
	s.writeJSON(w, r, http.StatusOK, reply)
	return nil
}

// attachmentRoutes registers the routes of the chat's files and of call
// recordings. Citizen uploads are rate-limited per address: ten at once,
// then one every three seconds.
func (s *Server) attachmentRoutes(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/attachments", s.limit(newAddressLimiter(3*time.Second, 10), s.api(s.apiCitizenUpload)))
	mux.Handle("POST /seat/api/attachments", s.seatUploadGuard(s.seatUpload))
	mux.Handle("GET /attachments/{id}", s.api(s.attachmentDownload))
	mux.Handle("GET /seat/api/conversations/{id}/attachments", s.staffAPI(s.api(s.seatConversationFiles)))
}

package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"wenban/appliance/attach"
	"wenban/appliance/audit"
	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

// downloadCSP replaces the page policy on file responses: a file opened
// on its own runs nothing and loads nothing, whatever it contains.
const downloadCSP = "default-src 'none'; sandbox"

// attachmentDownload serves GET /attachments/{id}. ?r= names a rendition
// (preview, mp4 or webm) and ?download=1 requests a save dialog. Range
// requests work, so players can seek in voice messages and recordings.
func (s *Server) attachmentDownload(w http.ResponseWriter, r *http.Request) error {
	a := s.deps.Attachments
	if a == nil {
		return &appError{Status: http.StatusNotFound, Message: msgNoAttachments}
	}
	// The reader is known before the id is looked up, so a request
	// without a session gets 401 whether or not the id exists.
	reader, err := s.downloadReader(r)
	if err != nil {
		return err
	}
	meta, err := a.Store.Get(r.Context(), attach.ID(r.PathValue("id")))
	if err != nil {
		return lookupFailed(err)
	}
	if err := s.authorizeDownload(r, reader, meta); err != nil {
		return err
	}

	rendition := r.URL.Query().Get("r")
	blob, err := a.Store.Open(meta, rendition)
	if err != nil {
		return lookupFailed(err)
	}
	defer blob.Close()

	mediaType := meta.Type
	if rendition != "" {
		mediaType = meta.Renditions[rendition].Type
	}
	h := w.Header()
	h.Set("Content-Type", attach.ServedType(mediaType))
	// Records stored before names were matched to their type get the
	// same treatment here.
	h.Set("Content-Disposition", attach.ContentDisposition(disposition(mediaType, r), attach.NameForType(meta.Name, mediaType)))
	h.Set("Content-Security-Policy", downloadCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	// A shared kiosk must not keep a citizen's files in its browser cache.
	h.Set("Cache-Control", "private, no-store")
	singleRangeOnly(r)
	s.recordStaffDownload(r, reader, meta, rendition)
	http.ServeContent(w, r, "", meta.CreatedAt, blob)
	return nil
}

// recordStaffDownload puts a staff member's opening of a citizen's file
// or of a call recording on the audit trail. Pictures and voice messages
// play inline in the chat, and range requests repeat a download, so
// those are left out to keep the trail readable.
func (s *Server) recordStaffDownload(r *http.Request, reader downloadReader, meta attach.Meta, rendition string) {
	acct := reader.staff
	if acct == nil || rendition != "" || r.Header.Get("Range") != "" {
		return
	}
	if meta.Kind != attach.KindFile && meta.Kind != attach.KindRecording {
		return
	}
	s.recordAudit(r, audit.Entry{ActorID: acct.ID, Actor: acct.DisplayName, Action: audit.FileOpened,
		Target: meta.Conversation, Detail: fileLabel(meta)})
}

// fileLabel names a file for the trail by its kind and size, never by its
// name, which a citizen chose and may hold personal data.
func fileLabel(meta attach.Meta) string {
	kind := "文件"
	if meta.Kind == attach.KindRecording {
		kind = "通话录像"
	}
	return fmt.Sprintf("%s %s（%s）", kind, meta.ID, formatMiB(meta.Size))
}

// singleRangeOnly drops a Range header that requests several ranges, so
// the whole file is sent, as RFC 9110 section 14.2 allows a server to do.
// http.ServeContent puts no bound on the number of ranges, and each one
// may make the blob reader decrypt a 64 KiB chunk: 20,000 one-byte
// ranges cost 5 s of CPU on the shared build host. Players and download
// managers ask for one range at a time.
func singleRangeOnly(r *http.Request) {
	if strings.Contains(r.Header.Get("Range"), ",") || len(r.Header.Values("Range")) > 1 {
		r.Header.Del("Range")
	}
}

// disposition shows images and audio in the page and offers everything
// else as a download.
func disposition(mediaType string, r *http.Request) string {
	if r.URL.Query().Get("download") == "1" {
		return "attachment"
	}
	switch {
	case attach.IsImage(mediaType), mediaType == attach.TypeWebM, mediaType == attach.TypeMP4, mediaType == attach.TypeOgg:
		return "inline"
	}
	return "attachment"
}

// downloadReader is who requests a download: a staff member who may
// serve citizens, or else the citizen of a conversation.
type downloadReader struct {
	staff   *auth.Account
	citizen conversation.ID
}

// downloadReader returns the staff account or the citizen's conversation
// of r, or a 401 error when r has neither.
func (s *Server) downloadReader(r *http.Request) (downloadReader, error) {
	_, acct, err := s.deps.Auth.FromRequest(r)
	if err == nil && acct.Role.AtLeast(auth.RoleAgent) && !acct.MustChangePassword {
		return downloadReader{staff: &acct}, nil
	}
	c, err := s.citizenAuth(r)
	if err != nil {
		return downloadReader{}, &appError{Status: http.StatusUnauthorized, Message: msgNoSession, Cause: err}
	}
	return downloadReader{citizen: c.ID}, nil
}

// authorizeDownload lets staff read every attachment and recording, and a
// citizen only the live attachments of their own conversation. A recalled
// line's file stays for the audit trail, readable by supervisors only.
func (s *Server) authorizeDownload(r *http.Request, reader downloadReader, meta attach.Meta) error {
	lines := s.deps.Attachments.Lines
	if acct := reader.staff; acct != nil {
		if meta.Kind == attach.KindRecording {
			return nil
		}
		line, err := lines.AttachmentLine(r.Context(), conversation.ID(meta.Conversation), string(meta.ID))
		if err != nil {
			return lookupFailed(err)
		}
		if line.Recalled && !acct.Role.AtLeast(auth.RoleSupervisor) {
			return notFoundAttachment(errors.New("recalled attachment requested below supervisor role"))
		}
		return nil
	}

	// Another conversation's file gets 404 like a missing one, so ids
	// cannot be probed.
	if meta.Kind == attach.KindRecording || string(reader.citizen) != meta.Conversation {
		return notFoundAttachment(fmt.Errorf("attachment %s is not in conversation %s", meta.ID, reader.citizen))
	}
	line, err := lines.AttachmentLine(r.Context(), reader.citizen, string(meta.ID))
	if err != nil {
		return lookupFailed(err)
	}
	if line.Recalled {
		return notFoundAttachment(errors.New("attachment line was recalled"))
	}
	return nil
}

// notFoundAttachment returns a 404 error that keeps cause for the log.
func notFoundAttachment(cause error) error {
	return &appError{Status: http.StatusNotFound, Message: msgNoAttachment, Cause: cause}
}

// lookupFailed maps a missing attachment or line to 404 and every other
// failure, a damaged blob among them, to 500.
func lookupFailed(err error) error {
	if errors.Is(err, attach.ErrNotFound) || errors.Is(err, conversation.ErrNotFound) {
		return notFoundAttachment(err)
	}
	return internalError(err)
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"wenban/appliance/attach"
	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

// AttachmentLines is the part of the conversation service behind the
// chat's files. *conversation.Service implements it.
type AttachmentLines interface {
	CanSend(ctx context.Context, id conversation.ID, from conversation.Sender, authorID string) error
	SendAttachment(ctx context.Context, req conversation.AttachmentRequest) (conversation.Message, bool, error)
	AttachmentLine(ctx context.Context, id conversation.ID, attachmentID string) (conversation.Message, error)
}

// AttachmentLimits are the upload limits by kind.
type AttachmentLimits struct {
	MaxImageBytes    int64
	MaxFileBytes     int64
	MaxVoiceBytes    int64
	MaxVoiceDuration time.Duration
	// FileTypes are the media types a file upload may have; images also
	// need their type here to be sent as files.
	FileTypes []string
	// MaxCitizenBytes bounds all a citizen uploads to one conversation.
	// Zero means DefaultMaxCitizenBytes.
	MaxCitizenBytes int64
}

// DefaultMaxCitizenBytes is ten of the largest files at the default
// limits, more than the documents of a visit to the counter.
const DefaultMaxCitizenBytes = 200 << 20

// Attachments wires the chat's files into the server.
type Attachments struct {
	Store  *attach.Store
	Lines  AttachmentLines
	Limits AttachmentLimits
}

// Image and voice types the hub accepts whatever the file list contains,
// because it makes their previews and renditions itself.
var (
	imageTypes = []string{attach.TypePNG, attach.TypeJPEG, attach.TypeGIF, attach.TypeWebP}
	voiceTypes = []string{attach.TypeWebM, attach.TypeMP4}
)

// uploadTimeout replaces the server's short body deadline for uploads, so
// a 20 MiB file still arrives over a slow mobile link (about 70 kB/s).
const uploadTimeout = 5 * time.Minute

type uploadReply struct {
	Seq     uint64               `json:"seq"`
	Message conversation.Message `json:"message"`
}

type uploadRequest struct {
	conversation conversation.ID
	from         conversation.Sender
	authorID     string
	author       string
	uploadedBy   string
}

// apiCitizenUpload serves POST /api/v1/attachments for the citizen of the
// cookie's conversation.
func (s *Server) apiCitizenUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.citizenAuth(r)
	if err != nil {
		return &appError{Status: http.StatusUnauthorized, Message: msgNoSession, Cause: err}
	}
	// A queued conversation costs one anonymous request, so files wait
	// until a staff member has accepted it.
	if c.State == conversation.StateQueued {
		return &appError{Status: http.StatusConflict, Message: msgUploadQueued,
			Cause: fmt.Errorf("conversation %s is still queued", c.ID)}
	}
	release, err := s.reserveCitizenQuota(r, c.ID)
	if err != nil {
		return err
	}
	defer release()
	return s.upload(w, r, uploadRequest{conversation: c.ID, from: conversation.SenderCitizen, uploadedBy: "citizen"})
}

// reserveCitizenQuota rejects an upload that would take the citizen's
// files in the conversation past the limit, which abandoned conversations
// would otherwise let grow without end, and holds its size until release
// is called. Uploads in flight count, so parallel requests cannot all
// pass the check before any is stored; one without a declared length
// counts as the largest file it could be.
func (s *Server) reserveCitizenQuota(r *http.Request, id conversation.ID) (release func(), err error) {
	if s.deps.Attachments == nil {
		return func() {}, nil // upload then reports that files are off
	}
	limits := s.deps.Attachments.Limits
	limit := limits.MaxCitizenBytes
	if limit <= 0 {
		limit = DefaultMaxCitizenBytes
	}
	metas, err := s.deps.Attachments.Store.List(r.Context(), string(id), attach.KindUnknown)
	if err != nil {
		return nil, fmt.Errorf("listing attachments of conversation %s: %w", id, err)
	}
	var used int64
	for _, m := range metas {
		if m.UploadedBy == "citizen" {
			used += m.Size
		}
	}
	size := r.ContentLength
	if size < 0 {
		size = max(limits.MaxImageBytes, limits.MaxFileBytes, limits.MaxVoiceBytes)
	}

	s.uploadsMu.Lock()
	defer s.uploadsMu.Unlock()
	if s.uploadsInFlight == nil {
		s.uploadsInFlight = map[conversation.ID]int64{}
	}
	if used+s.uploadsInFlight[id]+size > limit {
		return nil, &appError{Status: http.StatusRequestEntityTooLarge, Message: msgCitizenQuota,
			Cause: fmt.Errorf("conversation %s holds %d bytes of citizen files and %d in flight", id, used, s.uploadsInFlight[id])}
	}
	s.uploadsInFlight[id] += size
	return func() {
		s.uploadsMu.Lock()
		defer s.uploadsMu.Unlock()
		if s.uploadsInFlight[id] -= size; s.uploadsInFlight[id] <= 0 {
			delete(s.uploadsInFlight, id)
		}
	}, nil
}

// seatUpload serves POST /seat/api/attachments for the seat serving the
// conversation named by ?conversation=.
func (s *Server) seatUpload(w http.ResponseWriter, r *http.Request) error {
	_, acct := account(r)
	return s.upload(w, r, uploadRequest{
		conversation: conversation.ID(r.URL.Query().Get("conversation")),
		from:         conversation.SenderAgent,
		authorID:     acct.ID,
		author:       acct.DisplayName,
		uploadedBy:   "agent:" + acct.ID,
	})
}

// upload streams the raw request body into the attachment store and posts
// the line. The query carries kind (image, file or voice), name (the
// original file name, UTF-8) and client_id (the retry key).
func (s *Server) upload(w http.ResponseWriter, r *http.Request, req uploadRequest) error {
	a := s.deps.Attachments
	if a == nil {
		return &appError{Status: http.StatusNotFound, Message: msgNoAttachments}
	}
	q := r.URL.Query()
	kind, put, err := a.putRequest(q.Get("kind"))
	if err != nil {
		return badRequest(msgBadUploadKind, err)
	}
	if err := a.Lines.CanSend(r.Context(), req.conversation, req.from, req.authorID); err != nil {
		return sendRejected(err)
	}
	if r.ContentLength > put.MaxBytes {
		return &appError{Status: http.StatusRequestEntityTooLarge, Message: tooLargeMessage(put),
			Cause: fmt.Errorf("declared body of %d bytes passes the %d-byte limit", r.ContentLength, put.MaxBytes)}
	}

	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout))
	put.Conversation, put.Name, put.UploadedBy = string(req.conversation), q.Get("name"), req.uploadedBy
	meta, err := a.Store.Put(r.Context(), put, http.MaxBytesReader(w, r.Body, put.MaxBytes))
	if err != nil {
		return uploadRejected(put, err)
	}

	msg, dup, err := a.Lines.SendAttachment(r.Context(), conversation.AttachmentRequest{
		ConversationID: req.conversation,
		From:           req.from,
		AuthorID:       req.authorID,
		Author:         req.author,
		ClientID:       q.Get("client_id"),
		Kind:           kind,
		Attachment:     lineAttachment(meta),
	})
	if err != nil || dup {
		if derr := a.Store.Delete(context.WithoutCancel(r.Context()), meta.ID); derr != nil {
			s.log.Error("deleting unsent attachment failed", "attachment", meta.ID, "error", derr)
		}
	}
	if err != nil {
		return sendRejected(err)
	}
	s.writeJSON(w, r, http.StatusCreated, uploadReply{Seq: msg.Seq, Message: msg})
	return nil
}

func (a *Attachments) putRequest(kind string) (conversation.MessageKind, attach.PutRequest, error) {
	l := a.Limits
	switch kind {
	case "image":
		return conversation.KindImage, attach.PutRequest{Kind: attach.KindImage, MaxBytes: l.MaxImageBytes, Allowed: imageTypes}, nil
	case "file":
		return conversation.KindFile, attach.PutRequest{Kind: attach.KindFile, MaxBytes: l.MaxFileBytes, Allowed: l.FileTypes}, nil
	case "voice":
		return conversation.KindVoice, attach.PutRequest{Kind: attach.KindVoice, MaxBytes: l.MaxVoiceBytes,
			Allowed: voiceTypes, MaxDuration: l.MaxVoiceDuration}, nil
	}
	return 0, attach.PutRequest{}, fmt.Errorf("upload kind %q is not image, file or voice", kind)
}

// lineAttachment copies the fields of a stored file that its transcript
// line keeps.
func lineAttachment(m attach.Meta) conversation.Attachment {
	out := conversation.Attachment{
		ID:         string(m.ID),
		Name:       m.Name,
		Type:       m.Type,
		Size:       m.Size,
		Width:      m.Width,
		Height:     m.Height,
		DurationMS: m.Duration.Milliseconds(),
	}
	for _, name := range []string{attach.RenditionPreview, attach.RenditionMP4, attach.RenditionWebM} {
		if _, ok := m.Renditions[name]; ok {
			out.Renditions = append(out.Renditions, name)
		}
	}
	return out
}

// seatUploadGuard admits a signed-in staff member whose request carries
// the session's CSRF token in its header. It replaces staffAPI on upload
// routes, because staffAPI's form parsing caps the body at 64 KiB.
func (s *Server) seatUploadGuard(h handlerFunc) http.Handler {
	return s.api(func(w http.ResponseWriter, r *http.Request) error {
		sess, acct, err := s.deps.Auth.FromRequest(r)
		if err != nil {
			return s.denyNoSession(w, r, err, false)
		}
		if !s.deps.Auth.CheckCSRF(sess, r.Header.Get(auth.CSRFHeader)) {
			return csrfRejected()
		}
		if !acct.Role.AtLeast(auth.RoleAgent) || acct.MustChangePassword {
			return &appError{Status: http.StatusForbidden, Message: msgForbidden,
				Cause: errors.New("account may not serve citizens")}
		}
		return h(w, r.WithContext(auth.WithAccount(r.Context(), sess, acct)))
	})
}

// attachmentJSON encodes a line's attachment for a server-rendered page,
// where attach.js shows it, or returns "" for text and recalled lines.
func attachmentJSON(m conversation.Message) string {
	if m.Recalled || m.Attachment == nil {
		return ""
	}
	b, err := json.Marshal(struct {
		Kind       conversation.MessageKind `json:"kind"`
		Attachment *conversation.Attachment `json:"attachment"`
	}{m.Kind, m.Attachment})
	if err != nil {
		return ""
	}
	return string(b)
}

// uploadLimits returns the largest image and file the hub accepts, for
// the pages to check before sending; zeros when files are off.
func (s *Server) uploadLimits() (image, file int64) {
	if s.deps.Attachments == nil {
		return 0, 0
	}
	l := s.deps.Attachments.Limits
	return l.MaxImageBytes, l.MaxFileBytes
}

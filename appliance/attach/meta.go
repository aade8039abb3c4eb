package attach

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// ID names an attachment.
type ID string

func newID() (ID, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating attachment id: %w", err)
	}
	return ID(hex.EncodeToString(b)), nil
}

// Kind is the purpose of an attachment.
type Kind int

// Attachment kinds.
const (
	KindUnknown Kind = iota
	KindImage
	KindFile
	KindVoice
	KindRecording
)

var kindNames = [...]string{"unknown", "image", "file", "voice", "recording"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind parses the String form of a kind.
func ParseKind(v string) (Kind, error) {
	for i, n := range kindNames[1:] {
		if n == v {
			return Kind(i + 1), nil
		}
	}
	return KindUnknown, fmt.Errorf("unknown attachment kind %q", v)
}

// MarshalText encodes the kind as its name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// Rendition names of the derived blobs an attachment may have.
const (
	// RenditionPreview is a JPEG of at most PreviewSize pixels a side.
	RenditionPreview = "preview"
	// RenditionMP4 is a voice message or recording remuxed into MP4 with
	// its Opus audio untouched, for Safari.
	RenditionMP4 = "mp4"
	// RenditionWebM is a voice message remuxed into a WebM that states
	// its duration, which MediaRecorder's own files lack.
	RenditionWebM = "webm"
)

// Rendition is a derived blob of an attachment.
type Rendition struct {
	Type string `json:"type"`
	Size int64  `json:"size"`
	Blob BlobID `json:"blob"`
}

// Meta is the sealed record of one attachment.
type Meta struct {
	ID           ID     `json:"id"`
	Conversation string `json:"conversation"`
	Kind         Kind   `json:"kind"`
	// Name is the cleaned original file name (see CleanName).
	Name string `json:"name"`
	// Type is the media type sniffed from the content.
	Type string `json:"type"`
	Size int64  `json:"size"`
	Blob BlobID `json:"blob"`
	// UploadedBy is "citizen", "agent:<account id>" or "system" for
	// recordings.
	UploadedBy string    `json:"uploaded_by"`
	CreatedAt  time.Time `json:"created_at"`
	// Width and Height are an image's pixel size.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Duration is a voice message's or recording's play time.
	Duration time.Duration `json:"duration,omitempty"`
	// Tracks counts a recording's media tracks.
	Tracks     int                  `json:"tracks,omitempty"`
	Renditions map[string]Rendition `json:"renditions,omitempty"`
}

// blobs lists every blob file of m.
func (m Meta) blobs() []BlobID {
	out := []BlobID{m.Blob}
	for _, r := range m.Renditions {
		out = append(out, r.Blob)
	}
	return out
}

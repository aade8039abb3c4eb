package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// Attachments configures the files of chat messages: images, other files
// and voice messages. Uploads past a limit are rejected while they stream.
type Attachments struct {
	// Dir is the folder of the sealed blobs. Empty means "attachments" in
	// the data folder.
	Dir string `mapstructure:"dir"`
	// MaxImageMiB limits one image upload, in MiB. Default 10.
	MaxImageMiB int `mapstructure:"max_image_mib"`
	// MaxFileMiB limits one file upload, in MiB. Default 20.
	MaxFileMiB int `mapstructure:"max_file_mib"`
	// MaxVoiceMiB limits one voice message, in MiB. Default 2, which
	// holds the longest voice message at MediaRecorder's bit rates.
	MaxVoiceMiB int `mapstructure:"max_voice_mib"`
	// MaxVoiceDuration limits a voice message's play time. Default 60s.
	MaxVoiceDuration time.Duration `mapstructure:"max_voice_duration"`
	// FileTypes lists the file kinds staff and citizens may send, by
	// name: pdf, text, office (doc, xls, ppt, wps), ooxml (docx, xlsx,
	// pptx), ofd, zip and the image kinds png, jpeg, gif, webp. The type
	// is sniffed from the content, never taken from the client. Default
	// all of them.
	FileTypes []string `mapstructure:"file_types"`
}

// FileTypeNames maps the names FileTypes accepts to the media types
// package attach sniffs.
var FileTypeNames = map[string]string{
	"pdf":    "application/pdf",
	"text":   "text/plain",
	"office": "application/x-ole-storage",
	"ooxml":  "application/vnd.openxmlformats-officedocument",
	"ofd":    "application/ofd",
	"zip":    "application/zip",
	"png":    "image/png",
	"jpeg":   "image/jpeg",
	"gif":    "image/gif",
	"webp":   "image/webp",
}

func defaultAttachments() Attachments {
	return Attachments{
		MaxImageMiB:      10,
		MaxFileMiB:       20,
		MaxVoiceMiB:      2,
		MaxVoiceDuration: 60 * time.Second,
		FileTypes:        []string{"pdf", "text", "office", "ooxml", "ofd", "zip", "png", "jpeg", "gif", "webp"},
	}
}

// AttachmentDir resolves the blob folder.
func (c Config) AttachmentDir() string {
	if c.Attachments.Dir != "" {
		return c.Attachments.Dir
	}
	return filepath.Join(c.Data, "attachments")
}

// FileMediaTypes returns the media types of FileTypes.
func (a Attachments) FileMediaTypes() []string {
	out := make([]string, 0, len(a.FileTypes))
	for _, n := range a.FileTypes {
		out = append(out, FileTypeNames[n])
	}
	return out
}

// Validate checks the limits and the type names.
func (a Attachments) Validate() error {
	for name, v := range map[string]int{"max_image_mib": a.MaxImageMiB, "max_file_mib": a.MaxFileMiB, "max_voice_mib": a.MaxVoiceMiB} {
		if v < 1 || v > 2048 {
			return fmt.Errorf("attachments.%s %d is out of range: use 1 to 2048", name, v)
		}
	}
	if a.MaxVoiceDuration < time.Second || a.MaxVoiceDuration > 10*time.Minute {
		return fmt.Errorf("attachments.max_voice_duration %v is out of range: use 1s to 10m", a.MaxVoiceDuration)
	}
	for _, n := range a.FileTypes {
		if _, ok := FileTypeNames[n]; !ok {
			names := make([]string, 0, len(FileTypeNames))
			for k := range FileTypeNames {
				names = append(names, k)
			}
			slices.Sort(names)
			return fmt.Errorf("attachments.file_types contains unknown type %q: use %v", n, names)
		}
	}
	return nil
}

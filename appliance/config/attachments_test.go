package config

import (
	"strings"
	"testing"
	"time"

	"wenban/appliance/attach"
)

func TestAttachmentsAndRecordingValidate(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"defaults", func(*Config) {}, ""},
		{"unknown file type", func(c *Config) { c.Attachments.FileTypes = []string{"pdf", "exe"} }, `"exe"`},
		{"zero file limit", func(c *Config) { c.Attachments.MaxFileMiB = 0 }, "max_file_mib"},
		{"voice over ten minutes", func(c *Config) { c.Attachments.MaxVoiceDuration = time.Hour }, "max_voice_duration"},
		{"retention under an hour", func(c *Config) { c.Recording.Retention = time.Minute }, "recording.retention"},
		{"enabled without notice", func(c *Config) { c.Recording.Enabled, c.Recording.Notice = true, " " }, "recording.notice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}

func TestFileMediaTypes(t *testing.T) {
	a := Attachments{FileTypes: []string{"pdf", "ooxml"}}
	got := a.FileMediaTypes()
	if len(got) != 2 || got[0] != "application/pdf" || got[1] != "application/vnd.openxmlformats-officedocument" {
		t.Errorf("got %v, want the PDF and Office Open XML media types", got)
	}
}

func TestAttachmentDirDefault(t *testing.T) {
	c := Default()
	c.Data = "/srv/wenban"
	if got := c.AttachmentDir(); got != "/srv/wenban/attachments" {
		t.Errorf("got %s, want /srv/wenban/attachments", got)
	}
}

// The names map to the media types package attach sniffs; a typo here
// would reject every file of that kind.
func TestFileTypeNamesMatchSniffer(t *testing.T) {
	sniffed := map[string]bool{
		attach.TypePDF: true, attach.TypeText: true, attach.TypeOLE: true, attach.TypeOOXML: true,
		attach.TypeOFD: true, attach.TypeZIP: true, attach.TypePNG: true, attach.TypeJPEG: true,
		attach.TypeGIF: true, attach.TypeWebP: true,
	}
	for name, mediaType := range FileTypeNames {
		if !sniffed[mediaType] {
			t.Errorf("file type %s maps to %s, which attach.Sniff never returns", name, mediaType)
		}
	}
}

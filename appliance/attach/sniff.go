package attach

import (
	"bytes"
	"net/http"
	"path"
	"strings"
)

// sniffLen is how many leading bytes decide a file's type, the same as
// http.DetectContentType reads.
const sniffLen = 512

// Media types the hub recognises beyond http.DetectContentType.
const (
	TypeOLE     = "application/x-ole-storage" // .doc, .xls, .ppt, .wps
	TypeOOXML   = "application/vnd.openxmlformats-officedocument"
	TypeOFD     = "application/ofd"
	TypeWebM    = "audio/webm"
	TypeWebMAV  = "video/webm" // recordings with video
	TypeMP4     = "audio/mp4"
	TypeOgg     = "audio/ogg"
	TypeJPEG    = "image/jpeg"
	TypePNG     = "image/png"
	TypeGIF     = "image/gif"
	TypeWebP    = "image/webp"
	TypePDF     = "application/pdf"
	TypeZIP     = "application/zip"
	TypeText    = "text/plain"
	TypeUnknown = "application/octet-stream"
)

var oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// Sniff returns the media type of content from its first bytes, without
// parameters. The client's Content-Type and the file name's extension do
// not decide it. The name only separates the ZIP-based formats (Office
// Open XML and OFD are ZIP files inside). WebM and MP4 are reported as
// audio types because the hub accepts them only as voice messages and
// recordings. An ISO BMFF image such as HEIC also sniffs as MP4, so it
// is rejected as an image.
func Sniff(head []byte, name string) string {
	if bytes.HasPrefix(head, oleMagic) {
		return TypeOLE
	}
	// Any ISO BMFF file, whatever its brands: http.DetectContentType
	// wants an "mp4" brand, which Safari's recordings may lack.
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return TypeMP4
	}
	mt, _, _ := strings.Cut(http.DetectContentType(head), ";")
	switch mt {
	case "video/webm":
		return TypeWebM
	case "video/mp4":
		return TypeMP4
	case "application/ogg":
		return TypeOgg
	case TypeZIP:
		switch strings.ToLower(path.Ext(name)) {
		case ".docx", ".xlsx", ".pptx":
			return TypeOOXML
		case ".ofd":
			return TypeOFD
		}
	}
	return mt
}

// IsImage reports whether mediaType is one of the image types the hub
// makes previews of.
func IsImage(mediaType string) bool {
	switch mediaType {
	case TypeJPEG, TypePNG, TypeGIF, TypeWebP:
		return true
	}
	return false
}

// ServedType returns the Content-Type to send for a stored media type.
// Types a browser could run as a page or a script never reach it: they
// are not allowed in, and anything unexpected goes out as
// application/octet-stream.
func ServedType(mediaType string) string {
	switch mediaType {
	case TypeJPEG, TypePNG, TypeGIF, TypeWebP, TypePDF, TypeWebM, TypeWebMAV, TypeMP4, TypeOgg, TypeZIP:
		return mediaType
	case TypeText:
		return "text/plain; charset=utf-8"
	}
	return TypeUnknown
}

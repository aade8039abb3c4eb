package attach

import (
	"bytes"
	"testing"
)

func TestSniff(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
	cases := []struct {
		name     string
		head     []byte
		fileName string
		want     string
	}{
		{"ole document", append(append([]byte{}, oleMagic...), make([]byte, 40)...), "旧版申请表.doc", TypeOLE},
		{"docx", zip, "申请表.docx", TypeOOXML},
		{"ofd", zip, "电子证照.OFD", TypeOFD},
		{"plain zip", zip, "材料.zip", TypeZIP},
		{"zip named pdf", zip, "材料.pdf", TypeZIP},
		{"webm", []byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01}, "v.webm", TypeWebM},
		{"mp4", []byte("\x00\x00\x00\x1cftypmp42\x00\x00\x00\x00isommp42"), "v.m4a", TypeMP4},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "a.gif", TypeGIF},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "a.webp", TypeWebP},
		{"html", []byte("<!doctype html><p>hi"), "a.png", "text/html"},
		{"binary", []byte{0, 1, 2, 3, 0xff}, "a.bin", TypeUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff(tc.head, tc.fileName); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestServedTypeNeverScripts(t *testing.T) {
	for _, mt := range []string{"text/html", "image/svg+xml", "application/javascript", "text/xml", TypeOLE} {
		if got := ServedType(mt); got != TypeUnknown {
			t.Errorf("ServedType(%s) = %s, want %s", mt, got, TypeUnknown)
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte("%PDF-1.7"), "a.pdf")
	f.Add(oleMagic, "a.doc")
	f.Add([]byte("PK\x03\x04"), "a.docx")
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		got := Sniff(head, name)
		if got == "" || bytes.ContainsAny([]byte(got), "; ") {
			t.Fatalf("Sniff returned %q, want a bare media type", got)
		}
		if served := ServedType(got); served == "text/html" {
			t.Fatalf("content sniffed as %s would be served as HTML", got)
		}
	})
}

package attach

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"testing"
)

// exifJPEG encodes a 40x20 JPEG, red on the left and blue on the right,
// with an EXIF block that records orientation o.
func exifJPEG(t testing.TB, o uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := color.RGBA{220, 0, 0, 255}
			if x >= 20 {
				c = color.RGBA{0, 0, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}

	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	tiff = binary.BigEndian.AppendUint16(tiff, 1)
	tiff = binary.BigEndian.AppendUint16(tiff, 0x0112)
	tiff = binary.BigEndian.AppendUint16(tiff, 3) // SHORT
	tiff = binary.BigEndian.AppendUint32(tiff, 1)
	tiff = binary.BigEndian.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)
	app1 := append([]byte("Exif\x00\x00"), tiff...)

	out := []byte{0xff, 0xd8, 0xff, 0xe1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(app1)+2))
	out = append(out, app1...)
	return append(out, enc.Bytes()[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	for o := uint16(1); o <= 8; o++ {
		if got := jpegOrientation(exifJPEG(t, o)); got != int(o) {
			t.Errorf("orientation %d: got %d", o, got)
		}
	}
	if got := jpegOrientation([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10}); got != 1 {
		t.Errorf("JPEG without EXIF: got %d, want 1", got)
	}
}

func TestPreviewTurnsUpright(t *testing.T) {
	s, _ := newTestStore(t)
	m, err := s.Put(context.Background(), PutRequest{Conversation: "c1", Kind: KindImage, Name: "手机拍照.jpg",
		MaxBytes: 1 << 20, Allowed: []string{TypeJPEG}}, bytes.NewReader(exifJPEG(t, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != 20 || m.Height != 40 {
		t.Errorf("got %dx%d, want the upright 20x40", m.Width, m.Height)
	}

	r, err := s.Open(m, RenditionPreview)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	raw, _ := io.ReadAll(r)
	preview, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if b := preview.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Fatalf("preview is %dx%d, want 20x40", b.Dx(), b.Dy())
	}
	// Turned 90 degrees clockwise, the red left half is now on top.
	top, _, _, _ := preview.At(10, 5).RGBA()
	bottom, _, _, _ := preview.At(10, 35).RGBA()
	if top < 0x8000 || bottom > 0x8000 {
		t.Errorf("got red %#x on top and %#x at the bottom, want red on top only", top, bottom)
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	f.Add(exifJPEG(f, 6))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("got orientation %d, want 1 to 8", o)
		}
	})
}

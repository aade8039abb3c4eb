package attach

import (
	"fmt"
	"image"
	"image/jpeg"
	"io"

	// Decoders for the allowed image types, registered with package image.
	_ "image/gif"
	_ "image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Image limits. A decoded image costs four bytes a pixel, so the pixel
// cap bounds the memory one upload can make the hub spend (about 160 MB
// at the cap).
const (
	// PreviewSize is the longest side of a preview, in pixels.
	PreviewSize = 360
	// MaxImagePixels caps width times height of an image upload.
	MaxImagePixels = 40_000_000
	previewQuality = 80
	// decodeSlots is how many images decode at once.
	decodeSlots = 2
)

// makePreview decodes the stored image and stores a JPEG preview of it.
// At most decodeSlots images decode at once, which bounds the memory
// uploads can take together.
func (s *Store) makePreview(m *Meta) error {
	s.decodeSlots <- struct{}{}
	defer func() { <-s.decodeSlots }()

	src, err := s.Open(*m, "")
	if err != nil {
		return err
	}
	defer src.Close()

	cfg, _, err := image.DecodeConfig(src)
	if err != nil {
		return fmt.Errorf("reading image size of attachment %s: %w: %w", m.ID, ErrInvalidMedia, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return fmt.Errorf("image of attachment %s is %dx%d pixels, over the %d limit: %w",
			m.ID, cfg.Width, cfg.Height, MaxImagePixels, ErrInvalidMedia)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	img, _, err := image.Decode(src)
	if err != nil {
		return fmt.Errorf("decoding image of attachment %s: %w: %w", m.ID, ErrInvalidMedia, err)
	}
	m.Width, m.Height = cfg.Width, cfg.Height

	w, err := createBlob(s.dir, s.ring)
	if err != nil {
		return err
	}
	preview := scaleDown(img, PreviewSize)
	if m.Type == TypeJPEG {
		o := s.orientationOf(*m)
		preview = orient(preview, o)
		if o >= 5 {
			m.Width, m.Height = m.Height, m.Width
		}
	}
	if err := jpeg.Encode(w, preview, &jpeg.Options{Quality: previewQuality}); err != nil {
		w.Abort()
		return fmt.Errorf("encoding preview of attachment %s: %w", m.ID, err)
	}
	if err := w.Commit(); err != nil {
		return err
	}
	m.addRendition(RenditionPreview, Rendition{Type: TypeJPEG, Size: w.Size(), Blob: w.id})
	return nil
}

func (m *Meta) addRendition(name string, r Rendition) {
	if m.Renditions == nil {
		m.Renditions = map[string]Rendition{}
	}
	m.Renditions[name] = r
}

// scaleDown fits img into a square of side pixels, keeping its aspect
// ratio, on a white background so transparent PNGs stay readable as JPEG.
func scaleDown(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/b.Dx())
		} else {
			w, h = max(1, w*side/b.Dy()), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

// exifSearchLen bounds how far into a JPEG the EXIF block is looked for;
// cameras put it first, and a block is at most 64 KiB.
const exifSearchLen = 128 << 10

// orientationOf reads the EXIF orientation of a stored JPEG, or 1.
func (s *Store) orientationOf(m Meta) int {
	src, err := s.Open(m, "")
	if err != nil {
		return 1
	}
	defer src.Close()
	head := make([]byte, min(exifSearchLen, src.Size()))
	n, _ := src.ReadAt(head, 0)
	return jpegOrientation(head[:n])
}

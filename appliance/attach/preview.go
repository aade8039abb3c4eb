package attach

import (
	"context"
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

// Image limits. The pixel cap and MaxDecodeBytes bound the memory one
// upload can make the hub spend, and decodeSlots how many of them decode
// at once.
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
// uploads can take together. An upload whose request ends while it waits
// for a slot gives up.
func (s *Store) makePreview(ctx context.Context, m *Meta) error {
	select {
	case s.decodeSlots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting to decode image of attachment %s: %w", m.ID, ctx.Err())
	}
	defer func() { <-s.decodeSlots }()

	src, err := s.Open(*m, "")
	if err != nil {
		return err
	}
	defer src.Close()

	cfg, format, err := image.DecodeConfig(src)
	if err != nil {
		return fmt.Errorf("reading image size of attachment %s: %w: %w", m.ID, ErrInvalidMedia, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("image of attachment %s is %dx%d pixels: %w", m.ID, cfg.Width, cfg.Height, ErrInvalidMedia)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return fmt.Errorf("image of attachment %s is %dx%d pixels, over the %d limit: %w",
			m.ID, cfg.Width, cfg.Height, MaxImagePixels, ErrImageTooLarge)
	}
	if err := checkImageCost(src, src.Size(), cfg, format); err != nil {
		return fmt.Errorf("image of attachment %s: %w", m.ID, err)
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

// maxKernelSource is the longest source side the Catmull-Rom pass
// scales from. golang.org/x/image/draw's kernel scaler allocates 32
// bytes per destination column and source row, so a 1 by 40 million
// pixel image would cost it 1.28 GB. A larger source is first shrunk to
// this size with the bilinear scaler, which allocates nothing.
const maxKernelSource = 4096

// scaleDown fits img into a square of side pixels, keeping its aspect
// ratio, on a white background so transparent PNGs stay readable as JPEG.
func scaleDown(img image.Image, side int) image.Image {
	img = shrinkTo(img, maxKernelSource)
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

// shrinkTo returns img itself when both its sides are at most side, and
// otherwise a bilinear copy whose longer side is side.
func shrinkTo(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
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

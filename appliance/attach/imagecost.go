package attach

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// Decode limits beyond MaxImagePixels, which alone does not bound a
// decode. A 16-bit PNG takes 8 bytes a pixel, and a progressive JPEG
// keeps 4 bytes of coefficients per sample on top of the picture. Every
// scan of a progressive JPEG walks all its blocks again: a JPEG of 36
// megapixels and 60 bytes a scan took 0.1 s of CPU a scan in Go 1.26's
// image/jpeg on the shared build host, so a 10 MiB upload could hold a
// core for hours.
const (
	// MaxDecodeBytes caps the memory one image decode is estimated to
	// take, picture and decoder state together.
	MaxDecodeBytes = 256 << 20
	// maxJPEGScans is well above the 10 scans of libjpeg's standard
	// progressive script, so only a crafted file reaches it.
	maxJPEGScans = 64
	// maxJPEGScanPixels caps scans times pixels, which is what the
	// decoder's CPU time grows with.
	maxJPEGScanPixels = 16 * MaxImagePixels
)

// checkImageCost returns ErrImageTooLarge when decoding the image of cfg
// would take more than MaxDecodeBytes or too many JPEG scans. It returns
// ErrInvalidMedia for a JPEG whose header cannot be read or that has
// more scans than any encoder writes.
func checkImageCost(src io.ReaderAt, size int64, cfg image.Config, format string) error {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	var need int64
	switch format {
	case "jpeg":
		info, err := readJPEGInfo(io.NewSectionReader(src, 0, size))
		if err != nil {
			return err
		}
		scans, err := countJPEGScans(io.NewSectionReader(src, 0, size))
		if err != nil {
			return err
		}
		if scans > maxJPEGScans {
			return fmt.Errorf("jpeg has %d scans, over the %d limit: %w", scans, maxJPEGScans, ErrInvalidMedia)
		}
		if int64(scans)*pixels > maxJPEGScanPixels {
			return fmt.Errorf("jpeg of %d pixels has %d scans, over %d pixel scans: %w",
				pixels, scans, int64(maxJPEGScanPixels), ErrImageTooLarge)
		}
		need = info.decodeBytes(cfg.Width, cfg.Height)
	case "png":
		need = pixels * bytesPerPixel(cfg.ColorModel)
		if pngInterlaced(src) {
			// The passes are decoded into images of their own and then
			// merged into the full picture.
			need *= 2
		}
	case "webp":
		need = pixels * webpBytesPerPixel(cfg.ColorModel)
	default:
		need = pixels * bytesPerPixel(cfg.ColorModel)
	}
	if need > MaxDecodeBytes {
		return fmt.Errorf("%s image of %dx%d pixels needs about %d bytes to decode, over the %d limit: %w",
			format, cfg.Width, cfg.Height, need, MaxDecodeBytes, ErrImageTooLarge)
	}
	return nil
}

// bytesPerPixel returns the size of a pixel of the image types Go's PNG
// and GIF decoders return for model.
func bytesPerPixel(model color.Model) int64 {
	switch model {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := model.(color.Palette); ok {
		return 1
	}
	return 4
}

// webpBytesPerPixel covers golang.org/x/image/webp: lossy files decode
// to 4:2:0 YCbCr, with a full alpha plane when they have one, and
// lossless ones to NRGBA through a 4-byte-a-pixel intermediate.
func webpBytesPerPixel(model color.Model) int64 {
	switch model {
	case color.YCbCrModel:
		return 2
	case color.NYCbCrAModel:
		return 3
	}
	return 8
}

func pngInterlaced(src io.ReaderAt) bool {
	// The interlace method is the last byte of IHDR, which follows the
	// 8-byte signature, the chunk length and type, and 12 bytes of fields.
	var b [1]byte
	_, err := src.ReadAt(b[:], 8+8+12)
	return err == nil && b[0] != 0
}

// jpegInfo contains the fields of a JPEG frame header that decide the
// decoder's memory.
type jpegInfo struct {
	progressive bool
	// sampling holds each component's horizontal and vertical sampling
	// factors.
	sampling [][2]int
}

// decodeBytes estimates what Go's image/jpeg allocates: one byte per
// sample of every component, padded to whole blocks, plus 4 bytes of
// coefficients per sample for a progressive file, plus a CMYK picture
// for a 4-component one.
func (j jpegInfo) decodeBytes(width, height int) int64 {
	hmax, vmax := 1, 1
	for _, s := range j.sampling {
		hmax, vmax = max(hmax, s[0]), max(vmax, s[1])
	}
	mcuX := int64((width + 8*hmax - 1) / (8 * hmax))
	mcuY := int64((height + 8*vmax - 1) / (8 * vmax))
	var samples int64
	for _, s := range j.sampling {
		samples += mcuX * int64(8*s[0]) * mcuY * int64(8*s[1])
	}
	need := samples
	if j.progressive {
		need += 4 * samples
	}
	if len(j.sampling) == 4 {
		need += 4 * int64(width) * int64(height)
	}
	return need
}

// readJPEGInfo reads the markers of a JPEG up to its first scan and
// returns its frame header. Bytes between segments are skipped as
// image/jpeg skips them.
func readJPEGInfo(r io.Reader) (jpegInfo, error) {
	br := bufio.NewReader(r)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return jpegInfo{}, fmt.Errorf("jpeg does not start with SOI: %w", ErrInvalidMedia)
	}
	for {
		marker, err := nextJPEGMarker(br)
		if err != nil {
			return jpegInfo{}, err
		}
		switch {
		case marker == 0xd9 || marker == 0xda:
			return jpegInfo{}, fmt.Errorf("jpeg has no frame header before its data: %w", ErrInvalidMedia)
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd7:
			continue
		}
		var length [2]byte
		if _, err := io.ReadFull(br, length[:]); err != nil {
			return jpegInfo{}, fmt.Errorf("jpeg segment 0x%02x is truncated: %w", marker, ErrInvalidMedia)
		}
		body := make([]byte, max(0, int(binary.BigEndian.Uint16(length[:]))-2))
		if _, err := io.ReadFull(br, body); err != nil {
			return jpegInfo{}, fmt.Errorf("jpeg segment 0x%02x is truncated: %w", marker, ErrInvalidMedia)
		}
		if isJPEGFrameMarker(marker) {
			return parseJPEGFrame(marker, body)
		}
	}
}

func nextJPEGMarker(br *bufio.Reader) (byte, error) {
	b, err := br.ReadByte()
	for err == nil && b != 0xff {
		b, err = br.ReadByte()
	}
	for err == nil && b == 0xff {
		b, err = br.ReadByte()
	}
	if err != nil {
		return 0, fmt.Errorf("jpeg ends before its first scan: %w", ErrInvalidMedia)
	}
	return b, nil
}

// isJPEGFrameMarker reports whether m is one of the SOF markers C0 to
// CF, which exclude DHT (C4), JPG (C8) and DAC (CC).
func isJPEGFrameMarker(m byte) bool {
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc
}

func parseJPEGFrame(marker byte, body []byte) (jpegInfo, error) {
	if len(body) < 6 {
		return jpegInfo{}, fmt.Errorf("jpeg frame header is truncated: %w", ErrInvalidMedia)
	}
	n := int(body[5])
	if n == 0 || len(body) < 6+3*n {
		return jpegInfo{}, fmt.Errorf("jpeg frame header lists %d components it lacks room for: %w", n, ErrInvalidMedia)
	}
	info := jpegInfo{progressive: marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce}
	for i := range n {
		hv := body[6+3*i+1]
		info.sampling = append(info.sampling, [2]int{max(1, int(hv>>4)), max(1, int(hv&0x0f))})
	}
	return info, nil
}

// countJPEGScans counts the byte pairs FF DA in the whole file. Every
// scan image/jpeg decodes starts with one, and entropy-coded data cannot
// contain one because it stuffs a zero after every FF, so the count is
// never below the decoder's. An embedded thumbnail adds its own scans.
func countJPEGScans(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	scans := 0
	prevFF := false
	for {
		n, err := r.Read(buf)
		chunk := buf[:n]
		if prevFF && n > 0 && chunk[0] == 0xda {
			scans++
		}
		scans += bytes.Count(chunk, []byte{0xff, 0xda})
		if n > 0 {
			prevFF = chunk[n-1] == 0xff
		}
		if errors.Is(err, io.EOF) {
			return scans, nil
		}
		if err != nil {
			return 0, fmt.Errorf("reading jpeg: %w", err)
		}
	}
}

package attach

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"io"
	"runtime"
	"testing"
	"time"
)

// jpegBits packs a JPEG entropy-coded bit stream, stuffing a zero after
// every FF byte.
type jpegBits struct {
	out  []byte
	cur  byte
	used int
}

func (w *jpegBits) put(v uint32, bits int) {
	for i := bits - 1; i >= 0; i-- {
		w.cur = w.cur<<1 | byte(v>>uint(i)&1)
		w.used++
		if w.used == 8 {
			w.out = append(w.out, w.cur)
			if w.cur == 0xff {
				w.out = append(w.out, 0)
			}
			w.cur, w.used = 0, 0
		}
	}
}

func (w *jpegBits) bytes() []byte {
	for w.used != 0 {
		w.put(1, 1)
	}
	return w.out
}

func jpegSegment(marker byte, body []byte) []byte {
	out := []byte{0xff, marker}
	out = binary.BigEndian.AppendUint16(out, uint16(len(body)+2))
	return append(out, body...)
}

// progressiveJPEG builds a valid progressive JPEG of the given size and
// components, all sampled 1x1. Its data is scans AC scans of the first
// component, each an end-of-band run over every block, so a scan takes
// about 60 bytes but image/jpeg still walks it block by block.
func progressiveJPEG(width, height, components, scans int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})
	quant := make([]byte, 65)
	for i := 1; i < len(quant); i++ {
		quant[i] = 1
	}
	b.Write(jpegSegment(0xdb, quant))
	frame := []byte{8, byte(height >> 8), byte(height), byte(width >> 8), byte(width), byte(components)}
	for i := range components {
		frame = append(frame, byte(i+1), 0x11, 0)
	}
	b.Write(jpegSegment(0xc2, frame))

	// AC table 0 holds a single 1-bit code, for EOBRUN symbol 0xE0: a
	// run of 2^14 plus 14 more bits of blocks.
	table := append([]byte{0x10, 1}, make([]byte, 15)...)
	b.Write(jpegSegment(0xc4, append(table, 0xe0)))

	var bits jpegBits
	blocks := ((width + 7) / 8) * ((height + 7) / 8)
	for left := blocks; left > 0; left -= 1<<15 - 1 {
		bits.put(0, 1)
		bits.put(1<<14-1, 14)
	}
	data := bits.bytes()
	header := jpegSegment(0xda, []byte{1, 1, 0x00, 1, 63, 0})
	for range scans {
		b.Write(header)
		b.Write(data)
	}
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

func pngChunk(kind string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, kind...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// blankPNG16 builds a 16-bit RGBA PNG of zeros, which compresses to
// almost nothing and decodes to 8 bytes a pixel.
func blankPNG16(t testing.TB, width, height int) []byte {
	t.Helper()
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]byte, 1+8*width)
	for range height {
		z.Write(row)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, 16, 6, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", idat.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

func TestPutBoundsImageDecodeCost(t *testing.T) {
	s, _ := newTestStore(t)
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want error
	}{
		{"progressive jpeg, three scans", func(*testing.T) []byte { return progressiveJPEG(64, 64, 1, 3) }, nil},
		{"jpeg scan bomb", func(*testing.T) []byte { return progressiveJPEG(64, 64, 1, 1000) }, ErrInvalidMedia},
		{"large jpeg, many scans", func(*testing.T) []byte { return progressiveJPEG(4000, 4000, 1, 48) }, ErrImageTooLarge},
		{"progressive jpeg, 21 megapixels in color", func(*testing.T) []byte { return progressiveJPEG(4600, 4600, 3, 1) }, ErrImageTooLarge},
		{"16-bit png, 36 megapixels", func(t *testing.T) []byte { return blankPNG16(t, 6000, 6000) }, ErrImageTooLarge},
		{"16-bit png, small", func(t *testing.T) []byte { return blankPNG16(t, 300, 200) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countFiles(t, s.dir)
			req := PutRequest{Conversation: "c", Kind: KindImage, Name: "a.img", MaxBytes: 16 << 20,
				Allowed: []string{TypePNG, TypeJPEG}}
			start := time.Now()
			m, err := s.Put(context.Background(), req, bytes.NewReader(tc.data(t)))
			t.Logf("took %v", time.Since(start))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got %v, want the image stored", err)
				}
				if _, ok := m.Renditions[RenditionPreview]; !ok {
					t.Errorf("got renditions %v, want a preview", m.Renditions)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after := countFiles(t, s.dir); after != before {
				t.Errorf("got %d blob files after the rejection, want %d", after, before)
			}
		})
	}
}

func TestJPEGDecodeBytes(t *testing.T) {
	cases := []struct {
		name          string
		info          jpegInfo
		width, height int
		want          int64
	}{
		{"gray baseline", jpegInfo{sampling: [][2]int{{1, 1}}}, 800, 600, 800 * 600},
		{"gray padded to blocks", jpegInfo{sampling: [][2]int{{1, 1}}}, 9, 9, 16 * 16},
		{"4:2:0 baseline", jpegInfo{sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}, 3200, 2400, 3200*2400 + 2*1600*1200},
		{"4:2:0 progressive", jpegInfo{progressive: true, sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}, 3200, 2400,
			5 * (3200*2400 + 2*1600*1200)},
		{"cmyk baseline", jpegInfo{sampling: [][2]int{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}, 1000, 1000, 4*1000*1000 + 4*1000*1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.info.decodeBytes(tc.width, tc.height); got != tc.want {
				t.Errorf("got %d bytes, want %d", got, tc.want)
			}
		})
	}
}

func TestCountJPEGScansAcrossReads(t *testing.T) {
	data := progressiveJPEG(16, 16, 1, 5)
	// A reader that returns one byte at a time splits every FF DA pair.
	got, err := countJPEGScans(&oneByteReader{data: data})
	if err != nil {
		t.Fatal(err)
	}
	if got != 5 {
		t.Errorf("got %d scans, want 5", got)
	}
}

type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	p[0], r.data = r.data[0], r.data[1:]
	return 1, nil
}

func TestScaleDownOfNarrowImageBoundsMemory(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 1, 4_000_000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	dst := scaleDown(src, PreviewSize)
	runtime.ReadMemStats(&after)

	if got := dst.Bounds().Size(); got != image.Pt(1, PreviewSize) {
		t.Errorf("got preview of %v, want 1x%d", got, PreviewSize)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 32<<20 {
		t.Errorf("scaling a 1x4000000 image allocated %d bytes, want under 32 MiB", allocated)
	}
}

func TestPreviewWaitEndsWithRequest(t *testing.T) {
	s, _ := newTestStore(t)
	for range cap(s.decodeSlots) {
		s.decodeSlots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req := PutRequest{Conversation: "c", Kind: KindImage, Name: "a.png", MaxBytes: 1 << 20, Allowed: []string{TypePNG}}
		_, err := s.Put(ctx, req, bytes.NewReader(testPNG(t, 8, 8)))
		done <- err
	}()
	cancel()

	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Put still waits for a decode slot 10 s after its request ended")
	}
	if n := countFiles(t, s.dir); n != 0 {
		t.Errorf("got %d blob files, want 0", n)
	}
}

// FuzzJPEGInfo feeds arbitrary bytes to the JPEG header reader and scan
// counter, which run on uploads before image/jpeg sees them.
func FuzzJPEGInfo(f *testing.F) {
	f.Add(progressiveJPEG(16, 16, 3, 2))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xff, 0xc0, 0x00, 0x02})
	f.Add([]byte{0xff, 0xd8, 0x00, 0xff, 0xda})
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := readJPEGInfo(bytes.NewReader(data))
		if err == nil {
			if len(info.sampling) == 0 {
				t.Fatal("got a frame header without components")
			}
			if n := info.decodeBytes(65535, 65535); n <= 0 {
				t.Fatalf("got %d decode bytes for the largest frame", n)
			}
		}
		scans, err := countJPEGScans(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if want := bytes.Count(data, []byte{0xff, 0xda}); scans != want {
			t.Fatalf("got %d scans, want %d", scans, want)
		}
	})
}

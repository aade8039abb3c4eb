package bundle

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyValidBundle(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	data := tarBytes(t, signedEntries(t, testManifest(parts), parts, priv))

	b, err := openAndVerify(data, []ed25519.PublicKey{pub}, testPolicy())
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}
	if !b.Verified() {
		t.Errorf("Verified(): got false, want true")
	}

	for _, p := range parts {
		r, part, err := b.OpenPart(p.name)
		if err != nil {
			t.Fatalf("OpenPart(%q): %v", p.name, err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("reading part %q: %v", p.name, err)
		}
		if !bytes.Equal(got, p.data) {
			t.Errorf("part %q: got %d bytes that differ from the %d written", p.name, len(got), len(p.data))
		}
		if part != p.part() {
			t.Errorf("part %q: got manifest entry %+v, want %+v", p.name, part, p.part())
		}
	}
}

func TestOpenPartRequiresVerify(t *testing.T) {
	pub, priv := testKey(1)
	other, _ := testKey(9)
	parts := testParts()
	data := tarBytes(t, signedEntries(t, testManifest(parts), parts, priv))

	b, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, _, err := b.OpenPart(RootfsPart); !errors.Is(err, ErrNotVerified) {
		t.Errorf("OpenPart before Verify: got error %v, want ErrNotVerified", err)
	}

	if err := Verify(b, []ed25519.PublicKey{pub}, testPolicy()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if _, _, err := b.OpenPart("firmware"); !errors.Is(err, ErrUnknownPart) {
		t.Errorf("OpenPart(firmware): got error %v, want ErrUnknownPart", err)
	}

	// A failed Verify must revoke access granted by an earlier success.
	if err := Verify(b, []ed25519.PublicKey{other}, testPolicy()); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Verify with other key: got error %v, want ErrUnknownKey", err)
	}
	if _, _, err := b.OpenPart(RootfsPart); !errors.Is(err, ErrNotVerified) {
		t.Errorf("OpenPart after failed Verify: got error %v, want ErrNotVerified", err)
	}
}

func TestVerifyRejectsArchive(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	manifest := testManifest(parts)
	rawManifest := marshalManifest(t, manifest)
	leading := leadingEntries(t, rawManifest, priv)
	rootfs, boot := parts[0], parts[1]

	with := func(rest ...entry) []byte {
		return tarBytes(t, append(append([]entry{}, leading...), rest...))
	}
	valid := with(partEntries(parts)...)
	flipped := bytes.Clone(boot.data)
	flipped[0] ^= 0xff
	unknownField := strings.Replace(string(rawManifest), `"product"`, `"extra": 1, "product"`, 1)
	oversized := append(bytes.Clone(rawManifest), bytes.Repeat([]byte(" "), MaxManifestSize)...)
	withType := func(flag byte) []byte {
		archive := bytes.Clone(valid)
		setTypeflag(archive, findHeader(archive, rootfs.path), flag)
		return archive
	}
	// A GNU PAX 1.0 sparse file. tar.Writer drops GNU.sparse records, so
	// the extended header is written as a regular entry and retyped. The
	// data starts with a sparse map block: 1 region, offset 0, length n.
	sparseMap := make([]byte, blockSize)
	copy(sparseMap, fmt.Sprintf("1\n0\n%d\n", len(rootfs.data)))
	paxHeader := paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
		paxRecord("GNU.sparse.name", rootfs.path) + paxRecord("GNU.sparse.realsize", fmt.Sprint(len(rootfs.data)))
	sparse := with(
		entry{name: "PaxHeaders/rootfs.img", data: []byte(paxHeader)},
		entry{name: "GNUSparseFile.0/rootfs.img", data: append(sparseMap, rootfs.data...)},
		entry{name: boot.path, data: boot.data},
	)
	setTypeflag(sparse, findHeader(sparse, "PaxHeaders/rootfs.img"), tar.TypeXHeader)

	tests := []struct {
		name    string
		archive []byte
		want    error
	}{
		{"absolute path", with(entry{name: "/parts/rootfs.img", data: rootfs.data}), ErrUnsafePath},
		{"dot dot", with(entry{name: "parts/../parts/rootfs.img", data: rootfs.data}), ErrUnsafePath},
		{"leading dot dot", with(entry{name: "../rootfs.img", data: rootfs.data}), ErrUnsafePath},
		{"unclean path", with(entry{name: "parts//rootfs.img", data: rootfs.data}), ErrUnsafePath},
		{"dot prefix", with(entry{name: "./parts/rootfs.img", data: rootfs.data}), ErrUnsafePath},
		{"backslash", with(entry{name: `parts\rootfs.img`, data: rootfs.data}), ErrUnsafePath},
		{"symlink", with(entry{name: rootfs.path, typeflag: tar.TypeSymlink, linkname: "/dev/sda"}), ErrNotRegularFile},
		{"hard link", with(entry{name: rootfs.path, typeflag: tar.TypeLink, linkname: ManifestName}), ErrNotRegularFile},
		{"char device", with(entry{name: rootfs.path, typeflag: tar.TypeChar}), ErrNotRegularFile},
		{"block device", with(entry{name: rootfs.path, typeflag: tar.TypeBlock}), ErrNotRegularFile},
		{"fifo", with(entry{name: rootfs.path, typeflag: tar.TypeFifo}), ErrNotRegularFile},
		{"directory", with(entry{name: "parts", typeflag: tar.TypeDir}), ErrNotRegularFile},
		{"contiguous file", withType(tar.TypeCont), ErrNotRegularFile},
		{"gnu volume header", withType('V'), ErrNotRegularFile},
		{"pax sparse file", sparse, ErrNotRegularFile},
		{"duplicate part", with(partEntries([]testPart{rootfs, boot, rootfs})...), ErrDuplicateEntry},
		{"duplicate manifest", with(entry{name: ManifestName, data: rawManifest}), ErrDuplicateEntry},
		{"unlisted entry", with(append(partEntries(parts), entry{name: "parts/extra.bin", data: []byte("x")})...), ErrUnlistedEntry},
		{"part size differs", with(entry{name: rootfs.path, data: rootfs.data}, entry{name: boot.path, data: append(bytes.Clone(boot.data), 'x')}), ErrPartSize},
		{"part digest differs", with(entry{name: rootfs.path, data: rootfs.data}, entry{name: boot.path, data: flipped}), ErrPartDigest},
		{"missing part", with(entry{name: rootfs.path, data: rootfs.data}), ErrMissingPart},
		{"truncated in part data", valid[:len(valid)-endMarkerSize-2*blockSize-600], ErrTruncated},
		{"truncated in part header", valid[:len(valid)-endMarkerSize-blockSize-300], ErrTruncated},
		{"truncated in leading entry", valid[:3*blockSize+100], ErrTruncated},
		{"no end marker", valid[:len(valid)-endMarkerSize], ErrTruncated},
		{"half end marker", valid[:len(valid)-blockSize], ErrTruncated},
		{"trailing garbage", append(bytes.Clone(valid), "garbage"...), ErrTrailingData},
		{"trailing zero record", append(bytes.Clone(valid), make([]byte, recordSize)...), ErrTrailingData},
		{"manifest too large", tarBytes(t, []entry{{name: ManifestName, data: oversized}}), ErrManifestTooLarge},
		{"unknown manifest field", tarBytes(t, append(leadingEntries(t, []byte(unknownField), priv), partEntries(parts)...)), ErrInvalidManifest},
		{"signature first", tarBytes(t, append([]entry{leading[1], leading[0]}, partEntries(parts)...)), ErrLayout},
		{"part first", tarBytes(t, append(partEntries(parts), leading...)), ErrLayout},
		{"no signature", tarBytes(t, []entry{leading[0]}), ErrLayout},
		{"empty archive", tarBytes(t, nil), ErrLayout},
		{"not a tar file", bytes.Repeat([]byte("wenban"), 200), ErrMalformed},
		{"empty file", nil, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := openAndVerify(tt.archive, []ed25519.PublicKey{pub}, testPolicy())
			t.Logf("error: %v", err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if b != nil && b.Verified() {
				t.Errorf("Verified(): got true after error, want false")
			}
		})
	}
}

func TestVerifyAcceptsRecordPadding(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	data := tarBytes(t, signedEntries(t, testManifest(parts), parts, priv))
	padded := append(data, make([]byte, recordSize-len(data)%recordSize)...)

	if _, err := openAndVerify(padded, []ed25519.PublicKey{pub}, testPolicy()); err != nil {
		t.Errorf("Verify with %d padding bytes: got error %v, want nil", len(padded)-len(data), err)
	}
}

func TestVerifyReadsEveryPart(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	data := tarBytes(t, signedEntries(t, testManifest(parts), parts, priv))
	src := &highWaterReader{r: bytes.NewReader(data)}

	b, err := Open(src, int64(len(data)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := Verify(b, []ed25519.PublicKey{pub}, testPolicy()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if src.max != int64(len(data)) {
		t.Errorf("Verify read up to byte %d, want all %d", src.max, len(data))
	}
}

func TestVerifyDetectsChangedFile(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	m := testManifest(parts)
	first := tarBytes(t, signedEntries(t, m, parts, priv))
	m.Version.Patch++
	second := tarBytes(t, signedEntries(t, m, parts, priv))

	src := &swappableReader{data: first}
	b, err := Open(src, int64(len(first)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	src.data = second

	if err := Verify(b, []ed25519.PublicKey{pub}, testPolicy()); !errors.Is(err, ErrChanged) {
		t.Errorf("Verify after swap: got error %v, want ErrChanged", err)
	}
}

func TestOpenFile(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	path := filepath.Join(t.TempDir(), "update.tar")
	if err := os.WriteFile(path, tarBytes(t, signedEntries(t, testManifest(parts), parts, priv)), 0o644); err != nil {
		t.Fatal(err)
	}

	b, err := OpenFile(path)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	defer b.Close()
	if err := Verify(b, []ed25519.PublicKey{pub}, testPolicy()); err != nil {
		t.Errorf("Verify: got error %v, want nil", err)
	}

	if _, err := OpenFile(filepath.Dir(path)); err == nil {
		t.Errorf("OpenFile(directory): got nil error, want an error")
	}
}

func TestOpenReportsReadError(t *testing.T) {
	failure := errors.New("usb read failed")
	_, err := Open(failingReader{err: failure}, 4096)
	if !errors.Is(err, failure) {
		t.Errorf("got error %v, want the source error", err)
	}
	if errors.Is(err, ErrMalformed) {
		t.Errorf("got error %v, want no ErrMalformed for an I/O error", err)
	}
}

// highWaterReader records the furthest byte read and counts reads.
type highWaterReader struct {
	r     io.ReaderAt
	max   int64
	calls int
}

func (h *highWaterReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := h.r.ReadAt(p, off)
	h.max = max(h.max, off+int64(n))
	h.calls++
	return n, err
}

// swappableReader serves data, which the test may replace between calls.
type swappableReader struct{ data []byte }

func (s *swappableReader) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(s.data).ReadAt(p, off)
}

type failingReader struct{ err error }

func (f failingReader) ReadAt([]byte, int64) (int, error) { return 0, f.err }

// paxRecord encodes one PAX extended header record: "<length> key=value\n",
// where length counts the whole record including its own digits.
func paxRecord(key, value string) string {
	body := " " + key + "=" + value + "\n"
	length := len(body) + 1
	for len(fmt.Sprint(length))+len(body) != length {
		length++
	}
	return fmt.Sprint(length) + body
}

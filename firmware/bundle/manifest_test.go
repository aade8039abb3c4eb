package bundle

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"wenban/firmware/semver"
)

const validManifestJSON = `{
  "format_version": 1,
  "product": "wenban",
  "version": "1.3.0",
  "hardware_class": "hn-vw-2024",
  "created": "2024-05-01T08:30:00Z",
  "min_from_version": "1.1.0",
  "parts": [
    {"name": "rootfs", "path": "parts/rootfs.img", "size": 3000, "sha256": "` + zeroDigest + `"}
  ]
}`

const zeroDigest = "0000000000000000000000000000000000000000000000000000000000000000"

func TestParseManifestValid(t *testing.T) {
	m, err := ParseManifest([]byte(validManifestJSON))
	if err != nil {
		t.Fatalf("ParseManifest: got error %v, want nil", err)
	}

	if got, want := m.Version, semver.MustParse("1.3.0"); got != want {
		t.Errorf("Version: got %s, want %s", got, want)
	}
	if m.MinFromVersion == nil || *m.MinFromVersion != semver.MustParse("1.1.0") {
		t.Errorf("MinFromVersion: got %v, want 1.1.0", m.MinFromVersion)
	}
	if m.HardwareClass != testHardware {
		t.Errorf("HardwareClass: got %q, want %q", m.HardwareClass, testHardware)
	}
	part, ok := m.Part(RootfsPart)
	if !ok {
		t.Fatalf("Part(rootfs): not found")
	}
	if part.Size != 3000 || part.Path != "parts/rootfs.img" {
		t.Errorf("Part(rootfs): got %+v, want size 3000 at parts/rootfs.img", part)
	}
}

func TestParseManifestInvalid(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(validManifestJSON, old) {
			panic("test fixture lacks " + old)
		}
		return strings.Replace(validManifestJSON, old, new, 1)
	}
	part := func(fields string) string {
		return replace(`{"name": "rootfs", "path": "parts/rootfs.img", "size": 3000, "sha256": "`+zeroDigest+`"}`, fields)
	}

	tests := []struct {
		name string
		in   string
		want error
	}{
		{"not json", "manifest", ErrInvalidManifest},
		{"array", "[]", ErrInvalidManifest},
		{"unknown field", replace(`"product"`, `"channel": "stable", "product"`), ErrInvalidManifest},
		{"unknown part field", part(`{"name": "rootfs", "path": "parts/rootfs.img", "size": 3000, "sha256": "` + zeroDigest + `", "mode": 420}`), ErrInvalidManifest},
		{"field in other case", replace(`"product"`, `"Product"`), ErrInvalidManifest},
		{"duplicate field", replace(`"product": "wenban",`, `"product": "wenban", "product": "wenban",`), ErrInvalidManifest},
		{"null field", replace(`"min_from_version": "1.1.0"`, `"min_from_version": null`), ErrInvalidManifest},
		{"missing field", replace(`"hardware_class": "hn-vw-2024",`, ``), ErrInvalidManifest},
		{"missing part field", part(`{"name": "rootfs", "path": "parts/rootfs.img", "size": 3000}`), ErrInvalidManifest},
		{"object where scalar belongs", replace(`"1.3.0"`, `{"major": 1}`), ErrInvalidManifest},
		{"trailing data", validManifestJSON + "{}", ErrInvalidManifest},
		{"invalid utf-8", replace(`"hn-vw-2024"`, "\"hn-\xff\""), ErrInvalidManifest},
		{"format version 2", replace(`"format_version": 1`, `"format_version": 2`), ErrUnsupportedFormat},
		{"other product", replace(`"wenban"`, `"other"`), ErrWrongProduct},
		{"version not semver", replace(`"1.3.0"`, `"1.3"`), ErrInvalidManifest},
		{"version zero", replace(`"1.3.0"`, `"0.0.0"`), ErrInvalidManifest},
		{"min_from not semver", replace(`"1.1.0"`, `"v1.1.0"`), ErrInvalidManifest},
		{"hardware class uppercase", replace(`"hn-vw-2024"`, `"HN-VW-2024"`), ErrInvalidManifest},
		{"hardware class empty", replace(`"hn-vw-2024"`, `""`), ErrInvalidManifest},
		{"created not rfc3339", replace(`"2024-05-01T08:30:00Z"`, `"2024-05-01"`), ErrInvalidManifest},
		{"created zero", replace(`"2024-05-01T08:30:00Z"`, `"0001-01-01T00:00:00Z"`), ErrInvalidManifest},
		{"no parts", part(``), ErrInvalidManifest},
		{"no rootfs", part(`{"name": "boot", "path": "parts/boot.img", "size": 1, "sha256": "` + zeroDigest + `"}`), ErrInvalidManifest},
		{"duplicate part name", part(`{"name": "rootfs", "path": "a.img", "size": 1, "sha256": "` + zeroDigest + `"}, {"name": "rootfs", "path": "b.img", "size": 1, "sha256": "` + zeroDigest + `"}`), ErrInvalidManifest},
		{"duplicate part path", part(`{"name": "rootfs", "path": "a.img", "size": 1, "sha256": "` + zeroDigest + `"}, {"name": "boot", "path": "a.img", "size": 1, "sha256": "` + zeroDigest + `"}`), ErrInvalidManifest},
		{"part name uppercase", part(`{"name": "RootFS", "path": "a.img", "size": 1, "sha256": "` + zeroDigest + `"}`), ErrInvalidManifest},
		{"absolute part path", replace(`"parts/rootfs.img"`, `"/parts/rootfs.img"`), ErrInvalidManifest},
		{"dot dot part path", replace(`"parts/rootfs.img"`, `"parts/../rootfs.img"`), ErrInvalidManifest},
		{"hidden part path", replace(`"parts/rootfs.img"`, `"parts/.rootfs.img"`), ErrInvalidManifest},
		{"reserved part path", replace(`"parts/rootfs.img"`, `"manifest.sig"`), ErrInvalidManifest},
		{"long part path", replace(`"parts/rootfs.img"`, `"`+strings.Repeat("a", MaxPartPathLength+1)+`"`), ErrInvalidManifest},
		{"negative size", replace(`3000`, `-1`), ErrInvalidManifest},
		{"empty rootfs", replace(`3000`, `0`), ErrInvalidManifest},
		{"fractional size", replace(`3000`, `3000.5`), ErrInvalidManifest},
		{"short digest", replace(zeroDigest, "00"), ErrInvalidManifest},
		{"uppercase digest", replace(zeroDigest, strings.Repeat("A", 64)), ErrInvalidManifest},
		{"too large", validManifestJSON + strings.Repeat(" ", MaxManifestSize), ErrManifestTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestReadManifestLimit(t *testing.T) {
	_, raw, err := ReadManifest(strings.NewReader(validManifestJSON))
	if err != nil {
		t.Fatalf("ReadManifest: %v", err)
	}
	if string(raw) != validManifestJSON {
		t.Errorf("raw bytes: got %d bytes that differ from the input", len(raw))
	}

	huge := strings.NewReader(validManifestJSON + strings.Repeat(" ", 10*MaxManifestSize))
	if _, _, err := ReadManifest(huge); !errors.Is(err, ErrManifestTooLarge) {
		t.Errorf("ReadManifest(huge): got error %v, want ErrManifestTooLarge", err)
	}
	if read := huge.Size() - int64(huge.Len()); read > MaxManifestSize+1 {
		t.Errorf("ReadManifest(huge) read %d bytes, want at most %d", read, MaxManifestSize+1)
	}
}

func TestMarshalManifestRoundTrip(t *testing.T) {
	m := testManifest(testParts())
	from := semver.MustParse("1.0.0-rc.1")
	m.MinFromVersion = &from

	data := marshalManifest(t, m)
	got, err := ParseManifest(data)
	if err != nil {
		t.Fatalf("ParseManifest(MarshalManifest): %v", err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("round trip: got %+v, want %+v", got, m)
	}

	m.Product = "other"
	if _, err := MarshalManifest(m); !errors.Is(err, ErrWrongProduct) {
		t.Errorf("MarshalManifest(other product): got error %v, want ErrWrongProduct", err)
	}
}

// FuzzReadManifest checks that no input panics the parser and that every
// accepted manifest survives a marshal and parse unchanged.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(validManifestJSON))
	f.Add([]byte(strings.Replace(validManifestJSON, `"product"`, `"Product"`, 1)))
	f.Add([]byte(`{"format_version": 1, "parts": [{"name": "rootfs"}]}`))
	f.Add([]byte(`{"a": {"b": [null, 1e999, "\ud800"]}}`))
	f.Add(marshalManifest(f, testManifest(testParts())))

	f.Fuzz(func(t *testing.T, data []byte) {
		m, raw, err := ReadManifest(bytes.NewReader(data))
		if err != nil {
			return
		}
		if !bytes.Equal(raw, data) {
			t.Fatalf("raw bytes differ from the input")
		}

		again, err := MarshalManifest(m)
		if err != nil {
			t.Fatalf("MarshalManifest of an accepted manifest: %v", err)
		}
		back, err := ParseManifest(again)
		if err != nil {
			t.Fatalf("ParseManifest of re-encoded manifest: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(normalize(back), normalize(m)) {
			t.Errorf("round trip: got %+v, want %+v", back, m)
		}
	})
}

// normalize drops what JSON encoding does not preserve exactly: the time
// zone location pointer.
func normalize(m *Manifest) *Manifest {
	c := m.clone()
	c.Created = c.Created.UTC()
	return c
}

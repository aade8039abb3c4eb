//go:build linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64)

package input

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// switchWriter is an in-memory event sink that fails while err is set.
type switchWriter struct {
	buf bytes.Buffer
	err error
}

func (w *switchWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}

	return w.buf.Write(p)
}

// testDevice returns a Device that writes to memory, with pacing disabled
// unless opts sets KeyInterval.
func testDevice(t *testing.T, opts Options) (*Device, *switchWriter) {
	t.Helper()

	if opts.KeyInterval == 0 {
		opts.KeyInterval = -1
	}
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatalf("withDefaults: %v", err)
	}

	w := &switchWriter{}
	return newDevice(w, -1, opts), w
}

// decodeEvents renders encoded events as "KEY 30 1", "ABS 0 960", "REL 8 -1"
// and "SYN", decoding independently of eventBuffer.
func decodeEvents(t *testing.T, data []byte) []string {
	t.Helper()

	if len(data)%eventSize != 0 {
		t.Fatalf("%d bytes is not a whole number of %d-byte events", len(data), eventSize)
	}

	names := map[uint16]string{0: "SYN", 1: "KEY", 2: "REL", 3: "ABS"}
	var events []string
	for off := 0; off < len(data); off += eventSize {
		ev := data[off : off+eventSize]
		for i, b := range ev[:unsafe.Sizeof(unix.Timeval{})] {
			if b != 0 {
				t.Fatalf("event %d time byte %d = %#x, want 0", off/eventSize, i, b)
			}
		}

		typ := binary.NativeEndian.Uint16(ev[unsafe.Offsetof(inputEvent{}.Type):])
		code := binary.NativeEndian.Uint16(ev[unsafe.Offsetof(inputEvent{}.Code):])
		value := int32(binary.NativeEndian.Uint32(ev[unsafe.Offsetof(inputEvent{}.Value):]))
		if typ == evSyn && code == synReport && value == 0 {
			events = append(events, "SYN")
			continue
		}
		events = append(events, fmt.Sprintf("%s %d %d", names[typ], code, value))
	}

	return events
}

func checkEvents(t *testing.T, w *switchWriter, want []string) {
	t.Helper()

	got := decodeEvents(t, w.buf.Bytes())
	if !equalStrings(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
	w.buf.Reset()
}

func TestDeviceMoveToBytes(t *testing.T) {
	skipUnlessLittleEndian64(t)
	d, w := testDevice(t, Options{})

	if err := d.MoveTo(1919, 1079); err != nil {
		t.Fatalf("MoveTo: %v", err)
	}

	want := make([]byte, 72)
	copy(want[16:], []byte{0x03, 0x00, 0x00, 0x00, 0x7f, 0x07, 0x00, 0x00})
	copy(want[40:], []byte{0x03, 0x00, 0x01, 0x00, 0x37, 0x04, 0x00, 0x00})
	if got := w.buf.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("MoveTo wrote\n% x\nwant\n% x", got, want)
	}
}

func TestDeviceClickBytes(t *testing.T) {
	skipUnlessLittleEndian64(t)
	d, w := testDevice(t, Options{})

	if err := d.Click(ButtonRight); err != nil {
		t.Fatalf("Click: %v", err)
	}

	want := make([]byte, 96)
	copy(want[16:], []byte{0x01, 0x00, 0x11, 0x01, 0x01, 0x00, 0x00, 0x00})
	copy(want[64:], []byte{0x01, 0x00, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00})
	if got := w.buf.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("Click wrote\n% x\nwant\n% x", got, want)
	}
}

func TestDeviceEvents(t *testing.T) {
	tests := []struct {
		name string
		do   func(d *Device) error
		want []string
	}{
		{"move", func(d *Device) error { return d.MoveTo(960, 540) },
			[]string{"ABS 0 960", "ABS 1 540", "SYN"}},
		{"press", func(d *Device) error { return d.Press(ButtonLeft) },
			[]string{"KEY 272 1", "SYN"}},
		{"release", func(d *Device) error { return d.Release(ButtonMiddle) },
			[]string{"KEY 274 0", "SYN"}},
		{"click", func(d *Device) error { return d.Click(ButtonLeft) },
			[]string{"KEY 272 1", "SYN", "KEY 272 0", "SYN"}},
		{"scroll up", func(d *Device) error { return d.Scroll(3) },
			[]string{"REL 8 3", "SYN"}},
		{"scroll down", func(d *Device) error { return d.Scroll(-1) },
			[]string{"REL 8 -1", "SYN"}},
		{"scroll zero", func(d *Device) error { return d.Scroll(0) }, nil},
		{"tap enter", func(d *Device) error { return d.KeyTap(KeyEnter) },
			[]string{"KEY 28 1", "SYN", "KEY 28 0", "SYN"}},
		{"type lower", func(d *Device) error { return d.TypeText("a") },
			[]string{"KEY 30 1", "SYN", "KEY 30 0", "SYN"}},
		{"type upper", func(d *Device) error { return d.TypeText("A") },
			[]string{"KEY 42 1", "SYN", "KEY 30 1", "SYN", "KEY 30 0", "SYN", "KEY 42 0", "SYN"}},
		{"type symbol and newline", func(d *Device) error { return d.TypeText("?\n") },
			[]string{
				"KEY 42 1", "SYN", "KEY 53 1", "SYN", "KEY 53 0", "SYN", "KEY 42 0", "SYN",
				"KEY 28 1", "SYN", "KEY 28 0", "SYN",
			}},
		{"type nothing", func(d *Device) error { return d.TypeText("") }, nil},
		{"release all with nothing down", func(d *Device) error { return d.ReleaseAll() }, nil},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := testDevice(t, Options{})
			if err := tt.do(d); err != nil {
				t.Fatalf("error = %v, want nil", err)
			}

			checkEvents(t, w, tt.want)

			wantDown := 0
			if tt.name == "press" {
				wantDown = 1
			}
			if len(d.down) != wantDown {
				t.Errorf("down = %v, want %d codes", d.down, wantDown)
			}
		})
	}
}

func TestDeviceRejects(t *testing.T) {
	tests := []struct {
		name string
		do   func(d *Device) error
		want error
	}{
		{"x negative", func(d *Device) error { return d.MoveTo(-1, 0) }, ErrOutOfRange},
		{"x at width", func(d *Device) error { return d.MoveTo(1920, 0) }, ErrOutOfRange},
		{"y at height", func(d *Device) error { return d.MoveTo(0, 1080) }, ErrOutOfRange},
		{"press zero button", func(d *Device) error { return d.Press(0) }, ErrUnsupportedButton},
		{"click BTN_SIDE", func(d *Device) error { return d.Click(0x113) }, ErrUnsupportedButton},
		{"release unknown", func(d *Device) error { return d.Release(1) }, ErrUnsupportedButton},
		{"tap ctrl", func(d *Device) error { return d.KeyTap(29) }, ErrUnsupportedKey},
		{"tap F1", func(d *Device) error { return d.KeyTap(59) }, ErrUnsupportedKey},
		{"type chinese", func(d *Device) error { return d.TypeText("abc中") }, ErrUnsupportedCharacter},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := testDevice(t, Options{})
			if err := tt.do(d); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			if w.buf.Len() != 0 {
				t.Errorf("wrote %d bytes, want none", w.buf.Len())
			}
		})
	}
}

func TestDeviceScrollOverflow(t *testing.T) {
	if strconv.IntSize == 32 {
		t.Skip("skipping: every int fits in REL_WHEEL's int32 on 32-bit platforms")
	}
	d, w := testDevice(t, Options{})

	delta := int64(1) << 40
	if err := d.Scroll(int(delta)); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("Scroll(%d) error = %v, want ErrOutOfRange", delta, err)
	}
	if w.buf.Len() != 0 {
		t.Errorf("wrote %d bytes, want none", w.buf.Len())
	}
}

func TestDeviceReleaseAll(t *testing.T) {
	d, w := testDevice(t, Options{})
	for _, b := range []Button{ButtonMiddle, ButtonLeft} {
		if err := d.Press(b); err != nil {
			t.Fatalf("Press(%v): %v", b, err)
		}
	}
	w.buf.Reset()

	if err := d.ReleaseAll(); err != nil {
		t.Fatalf("ReleaseAll: %v", err)
	}
	checkEvents(t, w, []string{"KEY 272 0", "KEY 274 0", "SYN"})

	if err := d.ReleaseAll(); err != nil {
		t.Fatalf("second ReleaseAll: %v", err)
	}
	checkEvents(t, w, nil)
}

func TestDeviceReleaseAfterFailedWrite(t *testing.T) {
	d, w := testDevice(t, Options{})
	w.err = errors.New("device gone")

	if err := d.TypeText("A"); err == nil {
		t.Fatal("TypeText succeeded with a failing writer, want error")
	}
	if err := d.Release(ButtonLeft); err == nil {
		t.Fatal("Release succeeded with a failing writer, want error")
	}

	// The keys of the failed writes may have reached the kernel in part.
	w.err = nil
	if err := d.ReleaseAll(); err != nil {
		t.Fatalf("ReleaseAll: %v", err)
	}
	checkEvents(t, w, []string{"KEY 30 0", "KEY 42 0", "KEY 272 0", "SYN"})
}

func TestDeviceWriteErrors(t *testing.T) {
	d, w := testDevice(t, Options{})
	w.err = unix.ENODEV

	err := d.MoveTo(1, 1)
	if !errors.Is(err, unix.ENODEV) {
		t.Errorf("MoveTo error = %v, want ENODEV", err)
	}
	if err != nil && !strings.Contains(err.Error(), "writing 3 input events to uinput") {
		t.Errorf("MoveTo error = %q, want the event count", err)
	}
}

// shortWriter accepts one byte less than it is given.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) - 1, nil }

func TestDeviceShortWrite(t *testing.T) {
	opts, _ := Options{KeyInterval: -1}.withDefaults()
	d := newDevice(shortWriter{}, -1, opts)

	if err := d.Click(ButtonLeft); err == nil || !strings.Contains(err.Error(), "short write") {
		t.Errorf("Click error = %v, want short write", err)
	}
	if !d.down[uint16(ButtonLeft)] {
		t.Error("BTN_LEFT not tracked as down after a short write")
	}
}

func TestDeviceKeyPacing(t *testing.T) {
	d, _ := testDevice(t, Options{KeyInterval: 12 * time.Millisecond})
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var sleeps []time.Duration
	d.now = func() time.Time { return clock }
	d.sleep = func(wait time.Duration) {
		sleeps = append(sleeps, wait)
		clock = clock.Add(wait)
	}

	if err := d.TypeText("abc"); err != nil {
		t.Fatalf("TypeText: %v", err)
	}
	clock = clock.Add(5 * time.Millisecond)
	if err := d.KeyTap(KeyEnter); err != nil {
		t.Fatalf("KeyTap: %v", err)
	}
	clock = clock.Add(time.Second)
	if err := d.TypeText("d"); err != nil {
		t.Fatalf("TypeText: %v", err)
	}

	want := []time.Duration{12 * time.Millisecond, 12 * time.Millisecond, 7 * time.Millisecond}
	if len(sleeps) != len(want) {
		t.Fatalf("sleeps = %v, want %v", sleeps, want)
	}
	for i := range want {
		if sleeps[i] != want[i] {
			t.Errorf("sleep %d = %v, want %v", i, sleeps[i], want[i])
		}
	}
}

func TestDevicePacingDisabled(t *testing.T) {
	d, _ := testDevice(t, Options{KeyInterval: -1})
	d.sleep = func(wait time.Duration) { t.Errorf("slept %v with pacing disabled", wait) }

	if err := d.TypeText("hello"); err != nil {
		t.Fatalf("TypeText: %v", err)
	}
}

func TestDeviceClose(t *testing.T) {
	d, w := testDevice(t, Options{})
	if err := d.Press(ButtonLeft); err != nil {
		t.Fatalf("Press: %v", err)
	}
	w.buf.Reset()

	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checkEvents(t, w, []string{"KEY 272 0", "SYN"})

	if err := d.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if err := d.MoveTo(0, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("MoveTo after Close error = %v, want ErrClosed", err)
	}
}

func TestOptionsDefaults(t *testing.T) {
	got, err := Options{}.withDefaults()
	if err != nil {
		t.Fatalf("withDefaults: %v", err)
	}

	want := Options{
		Path:        "/dev/uinput",
		Name:        "Wenban remote control",
		Width:       1920,
		Height:      1080,
		KeyInterval: 12 * time.Millisecond,
	}
	if got != want {
		t.Errorf("withDefaults() = %+v, want %+v", got, want)
	}
}

func TestOptionsRejects(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"name too long", Options{Name: strings.Repeat("n", 80)}, "more than the maximum of 79"},
		{"negative width", Options{Width: -1920}, "screen size -1920x1080"},
		{"huge height", Options{Height: 1 << 20}, "want 1 to 32768 pixels per side"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("withDefaults() error = %v, want it to contain %q", err, tt.want)
			}

			if _, err := Open(tt.opts); err == nil {
				t.Error("Open succeeded with invalid options, want error")
			}
		})
	}
}

func TestSetupCalls(t *testing.T) {
	opts, err := Options{Width: 1280, Height: 800}.withDefaults()
	if err != nil {
		t.Fatalf("withDefaults: %v", err)
	}
	calls := setupCalls(opts)

	bits := make(map[uintptr]map[uintptr]bool)
	index := make(map[string]int)
	for i, c := range calls {
		if c.ptr == nil {
			if bits[c.req] == nil {
				bits[c.req] = make(map[uintptr]bool)
			}
			bits[c.req][c.arg] = true
		}
		index[c.name] = i
	}

	for _, ev := range []uintptr{evSyn, evKey, evRel, evAbs} {
		if !bits[uiSetEvBit][ev] {
			t.Errorf("event type %d not enabled", ev)
		}
	}
	for _, k := range append([]Key{Key(ButtonLeft), Key(ButtonRight), Key(ButtonMiddle)}, enabledKeys...) {
		if !bits[uiSetKeyBit][uintptr(k)] {
			t.Errorf("key %d not enabled", k)
		}
	}
	if got, want := len(bits[uiSetKeyBit]), len(enabledKeys)+3; got != want {
		t.Errorf("enabled %d keys, want %d", got, want)
	}
	if !bits[uiSetRelBit][relWheel] {
		t.Error("REL_WHEEL not enabled")
	}

	checkAbsSetup(t, calls[index["UI_ABS_SETUP ABS_X"]], absX, 1279)
	checkAbsSetup(t, calls[index["UI_ABS_SETUP ABS_Y"]], absY, 799)

	if last := calls[len(calls)-1]; last.req != uiDevCreate {
		t.Errorf("last call = %s, want UI_DEV_CREATE", last.name)
	}
	if index["UI_DEV_SETUP"] > index["UI_ABS_SETUP ABS_X"] {
		t.Error("UI_DEV_SETUP comes after UI_ABS_SETUP, want it before")
	}
}

func checkAbsSetup(t *testing.T, c ioctlCall, code uint16, maximum int32) {
	t.Helper()

	if c.req != uiAbsSetup {
		t.Fatalf("%s request = %#x, want UI_ABS_SETUP", c.name, c.req)
	}
	setup := (*uinputAbsSetup)(c.ptr)
	if setup.Code != code {
		t.Errorf("%s code = %d, want %d", c.name, setup.Code, code)
	}
	if setup.Absinfo.Minimum != 0 || setup.Absinfo.Maximum != maximum {
		t.Errorf("%s range = %d..%d, want 0..%d", c.name,
			setup.Absinfo.Minimum, setup.Absinfo.Maximum, maximum)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "uinput")

	_, err := Open(Options{Path: path})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(%s) error = %v, want fs.ErrNotExist", path, err)
	}
}

func TestOpenRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "uinput")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := Open(Options{Path: path})
	if !errors.Is(err, unix.ENOTTY) {
		t.Errorf("Open(regular file) error = %v, want ENOTTY", err)
	}
	if err != nil && !strings.Contains(err.Error(), "UI_SET_EVBIT EV_SYN") {
		t.Errorf("Open error = %q, want it to name the failed ioctl", err)
	}
}

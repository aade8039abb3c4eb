//go:build linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64)

package input

import (
	"bytes"
	"runtime"
	"testing"
	"unsafe"
)

// The expected sizes, offsets and request numbers below were read from
// linux/uinput.h and linux/input.h and checked with a C program on
// linux/amd64.

func TestSetupStructLayout(t *testing.T) {
	tests := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"sizeof(struct input_id)", unsafe.Sizeof(inputID{}), 8},
		{"sizeof(struct uinput_setup)", unsafe.Sizeof(uinputSetup{}), 92},
		{"offsetof(uinput_setup, id)", unsafe.Offsetof(uinputSetup{}.ID), 0},
		{"offsetof(uinput_setup, name)", unsafe.Offsetof(uinputSetup{}.Name), 8},
		{"offsetof(uinput_setup, ff_effects_max)", unsafe.Offsetof(uinputSetup{}.FFEffectsMax), 88},
		{"sizeof(struct input_absinfo)", unsafe.Sizeof(inputAbsinfo{}), 24},
		{"offsetof(input_absinfo, maximum)", unsafe.Offsetof(inputAbsinfo{}.Maximum), 8},
		{"offsetof(input_absinfo, resolution)", unsafe.Offsetof(inputAbsinfo{}.Resolution), 20},
		{"sizeof(struct uinput_abs_setup)", unsafe.Sizeof(uinputAbsSetup{}), 28},
		{"offsetof(uinput_abs_setup, code)", unsafe.Offsetof(uinputAbsSetup{}.Code), 0},
		{"offsetof(uinput_abs_setup, absinfo)", unsafe.Offsetof(uinputAbsSetup{}.Absinfo), 4},
	}

	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestInputEventLayout64(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skipf("skipping: struct input_event is 16 bytes on 32-bit %s", runtime.GOARCH)
	}

	tests := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"sizeof(struct input_event)", unsafe.Sizeof(inputEvent{}), 24},
		{"offsetof(input_event, type)", unsafe.Offsetof(inputEvent{}.Type), 16},
		{"offsetof(input_event, code)", unsafe.Offsetof(inputEvent{}.Code), 18},
		{"offsetof(input_event, value)", unsafe.Offsetof(inputEvent{}.Value), 20},
	}

	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestIoctlRequests(t *testing.T) {
	tests := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"UI_DEV_CREATE", uiDevCreate, 0x5501},
		{"UI_DEV_DESTROY", uiDevDestroy, 0x5502},
		{"UI_DEV_SETUP", uiDevSetup, 0x405c5503},
		{"UI_ABS_SETUP", uiAbsSetup, 0x401c5504},
		{"UI_SET_EVBIT", uiSetEvBit, 0x40045564},
		{"UI_SET_KEYBIT", uiSetKeyBit, 0x40045565},
		{"UI_SET_RELBIT", uiSetRelBit, 0x40045566},
		{"UI_SET_ABSBIT", uiSetAbsBit, 0x40045567},
		{"UI_GET_SYSNAME(64)", uiGetSysname(64), 0x8040552c},
	}

	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}

// skipUnlessLittleEndian64 skips byte-exact tests where struct input_event
// is not 24 little-endian bytes.
func skipUnlessLittleEndian64(t *testing.T) {
	t.Helper()

	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" &&
		runtime.GOARCH != "riscv64" && runtime.GOARCH != "loong64" {
		t.Skipf("skipping: expected bytes are for 64-bit little-endian, not %s", runtime.GOARCH)
	}
}

func TestEventEncoding(t *testing.T) {
	skipUnlessLittleEndian64(t)

	zeroTime := make([]byte, 16)
	tests := []struct {
		name             string
		typ, code        uint16
		value            int32
		typeCodeAndValue []byte
	}{
		{"BTN_LEFT down", evKey, 0x110, 1, []byte{0x01, 0x00, 0x10, 0x01, 0x01, 0x00, 0x00, 0x00}},
		{"BTN_LEFT up", evKey, 0x110, 0, []byte{0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00}},
		{"ABS_X 1919", evAbs, absX, 1919, []byte{0x03, 0x00, 0x00, 0x00, 0x7f, 0x07, 0x00, 0x00}},
		{"ABS_Y 1079", evAbs, absY, 1079, []byte{0x03, 0x00, 0x01, 0x00, 0x37, 0x04, 0x00, 0x00}},
		{"REL_WHEEL -1", evRel, relWheel, -1, []byte{0x02, 0x00, 0x08, 0x00, 0xff, 0xff, 0xff, 0xff}},
		{"SYN_REPORT", evSyn, synReport, 0, []byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
		{"KEY_ENTER down", evKey, 28, 1, []byte{0x01, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf eventBuffer
			buf.add(tt.typ, tt.code, tt.value)

			want := append(append([]byte(nil), zeroTime...), tt.typeCodeAndValue...)
			if !bytes.Equal(buf, want) {
				t.Errorf("encoded % x, want % x", []byte(buf), want)
			}
		})
	}
}

func TestEventBufferKeyAddsSyn(t *testing.T) {
	skipUnlessLittleEndian64(t)

	var buf eventBuffer
	buf.key(30, true)

	want := make([]byte, 48)
	copy(want[16:], []byte{0x01, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00})
	if !bytes.Equal(buf, want) {
		t.Errorf("encoded % x, want % x", []byte(buf), want)
	}
}

func TestNewSetupName(t *testing.T) {
	setup := newSetup("Wenban remote control")

	if setup.ID.Bustype != busVirtual {
		t.Errorf("Bustype = %#x, want BUS_VIRTUAL %#x", setup.ID.Bustype, busVirtual)
	}
	name := setup.Name[:]
	end := bytes.IndexByte(name, 0)
	if got := string(name[:end]); got != "Wenban remote control" {
		t.Errorf("Name = %q, want %q", got, "Wenban remote control")
	}
	if setup.FFEffectsMax != 0 {
		t.Errorf("FFEffectsMax = %d, want 0", setup.FFEffectsMax)
	}
}

func TestNewSetupKeepsTerminator(t *testing.T) {
	long := bytes.Repeat([]byte{'n'}, 100)
	setup := newSetup(string(long))

	if last := setup.Name[uinputMaxNameSize-1]; last != 0 {
		t.Errorf("last name byte = %#x, want 0", last)
	}
}

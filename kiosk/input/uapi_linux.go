//go:build linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64)

// The build constraint lists the architectures that use the asm-generic
// ioctl encoding below. Others, such as mips and ppc64, place the direction
// bits differently.

package input

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event types and codes from linux/input-event-codes.h.
const (
	evSyn     = 0x00 // EV_SYN
	evKey     = 0x01 // EV_KEY
	evRel     = 0x02 // EV_REL
	evAbs     = 0x03 // EV_ABS
	synReport = 0    // SYN_REPORT
	relWheel  = 0x08 // REL_WHEEL
	absX      = 0x00 // ABS_X
	absY      = 0x01 // ABS_Y

	busVirtual = 0x06 // BUS_VIRTUAL, linux/input.h

	uinputMaxNameSize = 80 // UINPUT_MAX_NAME_SIZE, linux/uinput.h
)

// inputID is struct input_id from linux/input.h.
type inputID struct {
	Bustype uint16
	Vendor  uint16
	Product uint16
	Version uint16
}

// uinputSetup is struct uinput_setup from linux/uinput.h, 92 bytes.
type uinputSetup struct {
	ID           inputID
	Name         [uinputMaxNameSize]byte
	FFEffectsMax uint32
}

// inputAbsinfo is struct input_absinfo from linux/input.h, 24 bytes.
type inputAbsinfo struct {
	Value      int32
	Minimum    int32
	Maximum    int32
	Fuzz       int32
	Flat       int32
	Resolution int32
}

// uinputAbsSetup is struct uinput_abs_setup from linux/uinput.h, 28 bytes.
// The C struct has two bytes of padding after code, which Go inserts too.
type uinputAbsSetup struct {
	Code    uint16
	Absinfo inputAbsinfo
}

// inputEvent is struct input_event from linux/input.h: 24 bytes on 64-bit
// architectures, 16 on 32-bit ones, because struct timeval holds two longs.
type inputEvent struct {
	Time  unix.Timeval
	Type  uint16
	Code  uint16
	Value int32
}

const eventSize = int(unsafe.Sizeof(inputEvent{}))

// ioctl encoding from asm-generic/ioctl.h: number in bits 0-7, type in
// bits 8-15, argument size in bits 16-29, direction in bits 30-31.
const (
	iocNone  = 0
	iocWrite = 1
	iocRead  = 2

	uinputIoctlBase = 'U'
)

func ioc(dir, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | uinputIoctlBase<<8 | nr
}

// ioctl requests from linux/uinput.h.
var (
	uiDevCreate  = ioc(iocNone, 1, 0)
	uiDevDestroy = ioc(iocNone, 2, 0)
	uiDevSetup   = ioc(iocWrite, 3, unsafe.Sizeof(uinputSetup{}))
	uiAbsSetup   = ioc(iocWrite, 4, unsafe.Sizeof(uinputAbsSetup{}))
	uiSetEvBit   = ioc(iocWrite, 100, unsafe.Sizeof(int32(0)))
	uiSetKeyBit  = ioc(iocWrite, 101, unsafe.Sizeof(int32(0)))
	uiSetRelBit  = ioc(iocWrite, 102, unsafe.Sizeof(int32(0)))
	uiSetAbsBit  = ioc(iocWrite, 103, unsafe.Sizeof(int32(0)))
)

// uiGetSysname is UI_GET_SYSNAME(len), which reads the name of the created
// device under /sys/devices/virtual/input into a buffer of size bytes.
func uiGetSysname(size uintptr) uintptr { return ioc(iocRead, 44, size) }

// eventBuffer accumulates input events for one write.
type eventBuffer []byte

// add appends one event in the kernel's native byte order. The time stays
// zero because uinput stamps each event itself when it injects it.
func (b *eventBuffer) add(typ, code uint16, value int32) {
	var ev [eventSize]byte
	binary.NativeEndian.PutUint16(ev[unsafe.Offsetof(inputEvent{}.Type):], typ)
	binary.NativeEndian.PutUint16(ev[unsafe.Offsetof(inputEvent{}.Code):], code)
	binary.NativeEndian.PutUint32(ev[unsafe.Offsetof(inputEvent{}.Value):], uint32(value))
	*b = append(*b, ev[:]...)
}

// syn appends SYN_REPORT, which ends one logical action.
func (b *eventBuffer) syn() { b.add(evSyn, synReport, 0) }

func (b *eventBuffer) key(code uint16, down bool) {
	value := int32(0)
	if down {
		value = 1
	}
	b.add(evKey, code, value)
	b.syn()
}

// ioctlCall is one step of device setup.
type ioctlCall struct {
	name string
	req  uintptr
	arg  uintptr        // passed by value when ptr is nil
	ptr  unsafe.Pointer // a setup struct, or nil
}

func (c ioctlCall) do(fd int) error {
	var errno unix.Errno
	if c.ptr != nil {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, uintptr(fd), c.req, uintptr(c.ptr))
	} else {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, uintptr(fd), c.req, c.arg)
	}
	if errno != 0 {
		return errno
	}

	return nil
}

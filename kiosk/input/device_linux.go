//go:build linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64)

package input

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Options configures the uinput device. The zero value is ready to use.
type Options struct {
	// Path is the uinput character device. Empty means /dev/uinput.
	Path string

	// Name is the device name that evtest and /proc/bus/input/devices
	// show, at most 79 bytes. Empty means "Wenban remote control".
	Name string

	// Width and Height are the screen size in pixels. ABS_X spans 0 to
	// Width-1 and ABS_Y 0 to Height-1. Zero means 1920 and 1080.
	Width, Height int

	// KeyInterval is the minimum time between two keystrokes. Zero means
	// 12 ms, the default delay of xdotool type. Negative disables pacing.
	// The kernel gives each evdev reader a ring of as few as 64 events
	// (drivers/input/evdev.c), and a shifted character takes 8. Text written
	// faster than the compositor reads overflows the ring and loses keys.
	KeyInterval time.Duration
}

const (
	defaultPath        = "/dev/uinput"
	defaultName        = "Wenban remote control"
	defaultWidth       = 1920
	defaultHeight      = 1080
	defaultKeyInterval = 12 * time.Millisecond

	// maxScreenSide bounds Width and Height to catch swapped or garbage
	// values. It is well above any screen a kiosk would have.
	maxScreenSide = 1 << 15
)

// withDefaults returns o with zero fields set to their defaults, or an error
// naming the first invalid field.
func (o Options) withDefaults() (Options, error) {
	if o.Path == "" {
		o.Path = defaultPath
	}
	if o.Name == "" {
		o.Name = defaultName
	}
	if o.Width == 0 {
		o.Width = defaultWidth
	}
	if o.Height == 0 {
		o.Height = defaultHeight
	}
	if o.KeyInterval == 0 {
		o.KeyInterval = defaultKeyInterval
	}

	if len(o.Name) >= uinputMaxNameSize {
		return o, fmt.Errorf("uinput device name is %d bytes, more than the maximum of %d",
			len(o.Name), uinputMaxNameSize-1)
	}
	if o.Width < 1 || o.Width > maxScreenSide || o.Height < 1 || o.Height > maxScreenSide {
		return o, fmt.Errorf("%w: screen size %dx%d, want 1 to %d pixels per side",
			ErrOutOfRange, o.Width, o.Height, maxScreenSide)
	}

	return o, nil
}

// Device is a uinput virtual pointer and keyboard. It implements Injector
// and is safe for concurrent use.
//
// NOTE: the device has not yet run under the kiosk's compositor. Events
// written in the first moments after Open may be lost while udev and the
// compositor pick the device up, so the kiosk opens it at startup rather
// than when control begins.
type Device struct {
	fd          int // -1 for a device built over a test writer
	out         io.Writer
	width       int
	height      int
	keyInterval time.Duration
	now         func() time.Time
	sleep       func(time.Duration)

	mu      sync.Mutex
	down    map[uint16]bool // keys and buttons pressed, or in a write that may have failed
	nextKey time.Time       // earliest time of the next keystroke
	closed  bool
}

// Open creates the uinput device described by opts.
func Open(opts Options) (*Device, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("opening uinput device: %w", err)
	}

	fd, err := unix.Open(opts.Path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening uinput device %s: %w", opts.Path, err)
	}

	for _, call := range setupCalls(opts) {
		if err := call.do(fd); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("setting up uinput device %s: %s: %w",
				opts.Path, call.name, err)
		}
	}

	return newDevice(fdWriter(fd), fd, opts), nil
}

func newDevice(out io.Writer, fd int, opts Options) *Device {
	return &Device{
		fd:          fd,
		out:         out,
		width:       opts.Width,
		height:      opts.Height,
		keyInterval: opts.KeyInterval,
		now:         time.Now,
		sleep:       time.Sleep,
		down:        make(map[uint16]bool),
	}
}

// setupCalls returns the ioctl calls that enable the device's events, set
// its identity and axes, and create it.
func setupCalls(opts Options) []ioctlCall {
	calls := []ioctlCall{
		{name: "UI_SET_EVBIT EV_SYN", req: uiSetEvBit, arg: evSyn},
		{name: "UI_SET_EVBIT EV_KEY", req: uiSetEvBit, arg: evKey},
		{name: "UI_SET_EVBIT EV_REL", req: uiSetEvBit, arg: evRel},
		{name: "UI_SET_EVBIT EV_ABS", req: uiSetEvBit, arg: evAbs},
	}

	for _, b := range []Button{ButtonLeft, ButtonRight, ButtonMiddle} {
		calls = append(calls, ioctlCall{
			name: fmt.Sprintf("UI_SET_KEYBIT %#x", uint16(b)), req: uiSetKeyBit, arg: uintptr(b),
		})
	}
	for _, k := range enabledKeys {
		calls = append(calls, ioctlCall{
			name: fmt.Sprintf("UI_SET_KEYBIT %d", uint16(k)), req: uiSetKeyBit, arg: uintptr(k),
		})
	}

	calls = append(calls,
		ioctlCall{name: "UI_SET_RELBIT REL_WHEEL", req: uiSetRelBit, arg: relWheel},
		ioctlCall{name: "UI_SET_ABSBIT ABS_X", req: uiSetAbsBit, arg: absX},
		ioctlCall{name: "UI_SET_ABSBIT ABS_Y", req: uiSetAbsBit, arg: absY},
		ioctlCall{name: "UI_DEV_SETUP", req: uiDevSetup, ptr: unsafe.Pointer(newSetup(opts.Name))},
		absCall("UI_ABS_SETUP ABS_X", absX, opts.Width),
		absCall("UI_ABS_SETUP ABS_Y", absY, opts.Height),
		ioctlCall{name: "UI_DEV_CREATE", req: uiDevCreate},
	)

	return calls
}

func newSetup(name string) *uinputSetup {
	setup := &uinputSetup{ID: inputID{Bustype: busVirtual, Version: 1}}
	copy(setup.Name[:uinputMaxNameSize-1], name)

	return setup
}

func absCall(name string, code uint16, size int) ioctlCall {
	setup := &uinputAbsSetup{
		Code:    code,
		Absinfo: inputAbsinfo{Maximum: int32(size - 1)},
	}

	return ioctlCall{name: name, req: uiAbsSetup, ptr: unsafe.Pointer(setup)}
}

// fdWriter writes to a file descriptor without the Go runtime poller, which
// os.File would otherwise put the uinput descriptor in.
type fdWriter int

func (f fdWriter) Write(p []byte) (int, error) {
	for {
		n, err := unix.Write(int(f), p)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// ScreenSize returns the screen size that the ABS axes span.
func (d *Device) ScreenSize() (width, height int) { return d.width, d.height }

// MoveTo moves the pointer to pixel (x, y), counted from the top-left corner.
func (d *Device) MoveTo(x, y int) error {
	if x < 0 || x >= d.width || y < 0 || y >= d.height {
		return fmt.Errorf("%w: pointer position (%d, %d) outside the %dx%d screen",
			ErrOutOfRange, x, y, d.width, d.height)
	}

	var buf eventBuffer
	buf.add(evAbs, absX, int32(x))
	buf.add(evAbs, absY, int32(y))
	buf.syn()

	d.mu.Lock()
	defer d.mu.Unlock()

	return d.write(buf)
}

// Press presses and holds button b.
func (d *Device) Press(b Button) error {
	if !b.valid() {
		return fmt.Errorf("%w: %v", ErrUnsupportedButton, b)
	}

	var buf eventBuffer
	buf.key(uint16(b), true)

	d.mu.Lock()
	defer d.mu.Unlock()

	return d.writeTracked(buf, []uint16{uint16(b)}, true)
}

// Release releases button b.
func (d *Device) Release(b Button) error {
	if !b.valid() {
		return fmt.Errorf("%w: %v", ErrUnsupportedButton, b)
	}

	var buf eventBuffer
	buf.key(uint16(b), false)

	d.mu.Lock()
	defer d.mu.Unlock()

	return d.writeTracked(buf, []uint16{uint16(b)}, false)
}

// Click presses and releases button b.
func (d *Device) Click(b Button) error {
	if !b.valid() {
		return fmt.Errorf("%w: %v", ErrUnsupportedButton, b)
	}

	var buf eventBuffer
	buf.key(uint16(b), true)
	buf.key(uint16(b), false)

	d.mu.Lock()
	defer d.mu.Unlock()

	return d.writeTracked(buf, []uint16{uint16(b)}, false)
}

// Scroll turns the wheel by delta notches. Positive values scroll up, away
// from the user. A zero delta writes nothing.
func (d *Device) Scroll(delta int) error {
	if delta == 0 {
		return nil
	}
	if delta < math.MinInt32 || delta > math.MaxInt32 {
		return fmt.Errorf("%w: wheel delta %d", ErrOutOfRange, delta)
	}

	var buf eventBuffer
	buf.add(evRel, relWheel, int32(delta))
	buf.syn()

	d.mu.Lock()
	defer d.mu.Unlock()

	return d.write(buf)
}

// KeyTap presses and releases key k, which must be one the device enables:
// a named key such as KeyEnter, Shift or a key that types a character.
func (d *Device) KeyTap(k Key) error {
	if !isEnabledKey(k) {
		return fmt.Errorf("%w: %v", ErrUnsupportedKey, k)
	}

	d.mu.Lock()
	defer d.mu.Unlock()

	return d.tap(keystroke{key: k})
}

// TypeText types s on a US layout, pressing Shift for upper-case letters and
// shifted symbols. It returns a *CharacterError for the first character it
// cannot type, before typing anything.
func (d *Device) TypeText(s string) error {
	strokes, err := textKeystrokes(s)
	if err != nil {
		return err
	}

	d.mu.Lock()
	defer d.mu.Unlock()

	for i, stroke := range strokes {
		if err := d.tap(stroke); err != nil {
			return fmt.Errorf("typing character %d of %d: %w", i+1, len(strokes), err)
		}
	}

	return nil
}

// tap writes one keystroke after the pacing interval. d.mu must be held.
func (d *Device) tap(stroke keystroke) error {
	if d.keyInterval > 0 {
		if wait := d.nextKey.Sub(d.now()); wait > 0 {
			d.sleep(wait)
		}
	}

	var buf eventBuffer
	codes := []uint16{uint16(stroke.key)}
	if stroke.shift {
		buf.key(uint16(keyLeftShift), true)
		codes = append(codes, uint16(keyLeftShift))
	}
	buf.key(uint16(stroke.key), true)
	buf.key(uint16(stroke.key), false)
	if stroke.shift {
		buf.key(uint16(keyLeftShift), false)
	}

	err := d.writeTracked(buf, codes, false)
	d.nextKey = d.now().Add(d.keyInterval)
	return err
}

// ReleaseAll releases every key and button that is down, in one write
// ended by a single SYN_REPORT. It writes nothing when nothing is down.
func (d *Device) ReleaseAll() error {
	d.mu.Lock()
	defer d.mu.Unlock()

	return d.releaseAll()
}

func (d *Device) releaseAll() error {
	if len(d.down) == 0 {
		return nil
	}

	codes := slices.Sorted(maps.Keys(d.down))
	var buf eventBuffer
	for _, code := range codes {
		buf.add(evKey, code, 0)
	}
	buf.syn()

	return d.writeTracked(buf, codes, false)
}

// Close releases every key and button that is down, destroys the device
// and closes its file descriptor. Calls after the first return nil.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()

	if d.closed {
		return nil
	}

	// Destroying the device would release the keys too, but releasing them
	// first sends the key-up events that applications expect.
	errs := []error{d.releaseAll()}
	d.closed = true

	if d.fd >= 0 {
		if err := (ioctlCall{name: "UI_DEV_DESTROY", req: uiDevDestroy}).do(d.fd); err != nil {
			errs = append(errs, fmt.Errorf("destroying uinput device: %w", err))
		}
		if err := unix.Close(d.fd); err != nil {
			errs = append(errs, fmt.Errorf("closing uinput device: %w", err))
		}
	}

	return errors.Join(errs...)
}

// writeTracked writes buf, which presses or releases codes. The codes count
// as down until a write that leaves them up succeeds, so that ReleaseAll
// also covers a write that failed halfway. d.mu must be held.
func (d *Device) writeTracked(buf eventBuffer, codes []uint16, leaveDown bool) error {
	for _, code := range codes {
		d.down[code] = true
	}

	if err := d.write(buf); err != nil {
		return err
	}

	if !leaveDown {
		for _, code := range codes {
			delete(d.down, code)
		}
	}

	return nil
}

// write sends buf in one write call. d.mu must be held.
func (d *Device) write(buf eventBuffer) error {
	if d.closed {
		return ErrClosed
	}

	n, err := d.out.Write(buf)
	if err == nil && n != len(buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("writing %d input events to uinput: %w", len(buf)/eventSize, err)
	}

	return nil
}

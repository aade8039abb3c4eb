//go:build linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64)

package input

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestRealDeviceClick creates a uinput device, clicks on it and reads the
// click back from the device's evdev node. It needs a writable /dev/uinput,
// which containers and most CI runners lack.
func TestRealDeviceClick(t *testing.T) {
	const path = "/dev/uinput"
	if err := unix.Access(path, unix.W_OK); err != nil {
		t.Skipf("skipping: %s is not writable: %v", path, err)
	}

	d, err := Open(Options{Path: path, Name: "Wenban input test", Width: 1920, Height: 1080})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	node, err := eventNode(t, d)
	if err != nil {
		t.Fatalf("finding the evdev node: %v", err)
	}
	reader, err := os.OpenFile(node, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		// The device exists and accepts events even if this user cannot
		// read them back.
		if err := d.Click(ButtonLeft); err != nil {
			t.Fatalf("Click: %v", err)
		}
		t.Skipf("skipping read-back: injected a click but cannot open %s: %v", node, err)
	}
	defer reader.Close()

	if err := d.MoveTo(960, 540); err != nil {
		t.Fatalf("MoveTo: %v", err)
	}
	if err := d.Click(ButtonLeft); err != nil {
		t.Fatalf("Click: %v", err)
	}

	want := []string{"ABS 0 960", "ABS 1 540", "SYN", "KEY 272 1", "SYN", "KEY 272 0", "SYN"}
	got := readEvents(t, reader, len(want))
	if !equalStrings(got, want) {
		t.Errorf("read events %q, want %q", got, want)
	}
}

// eventNode returns the /dev/input/eventN node of d, waiting for udev to
// create it.
func eventNode(t *testing.T, d *Device) (string, error) {
	t.Helper()

	var buf [64]byte
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(d.fd),
		uiGetSysname(uintptr(len(buf))), uintptr(unsafe.Pointer(&buf[0])))
	if errno != 0 {
		return "", errno
	}
	sysname := string(buf[:bytes.IndexByte(buf[:], 0)])
	dir := filepath.Join("/sys/devices/virtual/input", sysname)

	var node string
	waitFor(t, "the evdev node of "+sysname, func() bool {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "event") {
				node = filepath.Join("/dev/input", e.Name())
				_, err := os.Stat(node)
				return err == nil
			}
		}
		return false
	})

	return node, nil
}

// readEvents reads n events from an evdev node, ignoring the kernel's time
// stamps, and fails after two seconds.
func readEvents(t *testing.T, f *os.File, n int) []string {
	t.Helper()

	if err := f.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatalf("setting read deadline: %v", err)
	}

	var data []byte
	buf := make([]byte, eventSize*16)
	for len(data) < n*eventSize {
		m, err := f.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("timed out after reading %d of %d events", len(data)/eventSize, n)
		}
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		data = append(data, buf[:m]...)
	}

	data = data[:n*eventSize]
	for off := 0; off < len(data); off += eventSize {
		clear(data[off : off+int(unsafe.Sizeof(unix.Timeval{}))])
	}

	return decodeEvents(t, data)
}

package slot

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
)

func TestApplyRecordsPending(t *testing.T) {
	image := testImage(3*chunkSize + 123)
	data := testBundle(t, "1.3.0", image)
	b := verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0")
	state := newState(t, "1.2.0")
	dev := newDevice(t, B, 4*chunkSize)

	if err := Apply(context.Background(), b, dev, state); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	if got := readDevice(t, dev, len(image)); !bytes.Equal(got, image) {
		t.Errorf("slot B: image on device differs from the bundle's rootfs")
	}
	if got := state.Active(); got != B {
		t.Errorf("Active: got %s, want B", got)
	}
	checkRecord(t, state, B, Record{Version: semver.MustParse("1.3.0"), Status: StatusPending, TriesLeft: BootTries})
	checkRecord(t, state, A, Record{Version: semver.MustParse("1.2.0"), Status: StatusGood})
	if got := state.LastResult(); got.Kind != ResultInstalled || got.Slot != B || got.At.IsZero() {
		t.Errorf("LastResult: got %+v, want installed into B with a time", got)
	}

	reloaded, err := Load(state.Path())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(reloaded.Status(), state.Status()) {
		t.Errorf("reloaded state: got %+v, want %+v", reloaded.Status(), state.Status())
	}
}

func TestApplyRejects(t *testing.T) {
	image := testImage(5000)
	data := testBundle(t, "1.3.0", image)

	tests := []struct {
		name  string
		setup func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context)
		want  error
	}{
		{"active slot as target", func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context) {
			return verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0"), newDevice(t, A, 8192), newState(t, "1.2.0"), context.Background()
		}, ErrWrongSlot},
		{"unverified bundle", func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context) {
			b, err := bundle.Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			return b, newDevice(t, B, 8192), newState(t, "1.2.0"), context.Background()
		}, bundle.ErrNotVerified},
		{"slot too small", func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context) {
			return verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0"), newDevice(t, B, 4096), newState(t, "1.2.0"), context.Background()
		}, ErrSlotTooSmall},
		{"cancelled", func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0"), newDevice(t, B, 8192), newState(t, "1.2.0"), ctx
		}, context.Canceled},
		{"bundle changed after verify", func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context) {
			src := &swappableReader{data: data}
			b := verifiedBundle(t, src, int64(len(data)), "1.2.0")
			src.data = bytes.Replace(data, image[:64], make([]byte, 64), 1)
			return b, newDevice(t, B, 8192), newState(t, "1.2.0"), context.Background()
		}, ErrSourceChanged},
		{"read back differs", func(t *testing.T) (*bundle.Bundle, SlotDevice, *State, context.Context) {
			dev := &corruptingDevice{FileDevice: newDevice(t, B, 8192), offset: 4321}
			return verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0"), dev, newState(t, "1.2.0"), context.Background()
		}, ErrReadBack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, dev, state, ctx := tt.setup(t)
			before := readFile(t, state.Path())
			statusBefore := state.Status()

			err := Apply(ctx, b, dev, state)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}

			if after := readFile(t, state.Path()); !bytes.Equal(after, before) {
				t.Errorf("state file changed:\n got %s\nwant %s", after, before)
			}
			if got := state.Status(); !reflect.DeepEqual(got, statusBefore) {
				t.Errorf("state in memory: got %+v, want %+v", got, statusBefore)
			}
		})
	}
}

func TestApplyRefusesUntilBlessed(t *testing.T) {
	data := testBundle(t, "1.3.0", testImage(5000))
	state := newState(t, "1.2.0")
	if err := Apply(context.Background(), verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0"), newDevice(t, B, 8192), state); err != nil {
		t.Fatalf("first Apply: %v", err)
	}

	// A newer bundle while B is pending would have to overwrite A, the
	// last good system.
	newer := testBundle(t, "1.4.0", testImage(5000))
	b := verifiedBundle(t, bytes.NewReader(newer), int64(len(newer)), "1.3.0")
	slotA := newDevice(t, A, 8192)
	if err := Apply(context.Background(), b, slotA, state); !errors.Is(err, ErrNotBlessed) {
		t.Fatalf("Apply while pending: got error %v, want ErrNotBlessed", err)
	}
	if _, err := state.WriteTarget(); !errors.Is(err, ErrNotBlessed) {
		t.Errorf("WriteTarget while pending: got error %v, want ErrNotBlessed", err)
	}
	if got := readDevice(t, slotA, 5000); !bytes.Equal(got, make([]byte, 5000)) {
		t.Errorf("slot A was written while B was pending")
	}

	if _, err := state.BootAttempt(); err != nil {
		t.Fatal(err)
	}
	if err := state.Bless(B); err != nil {
		t.Fatalf("Bless: %v", err)
	}
	if err := Apply(context.Background(), b, slotA, state); err != nil {
		t.Errorf("Apply after Bless: got error %v, want nil", err)
	}
}

// corruptingDevice flips one byte at offset on every read, like a
// failing disk whose writes do not stick.
type corruptingDevice struct {
	*FileDevice
	offset int64
}

func (c *corruptingDevice) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.FileDevice.ReadAt(p, off)
	if c.offset >= off && c.offset < off+int64(n) {
		p[c.offset-off] ^= 0x01
	}
	return n, err
}

// swappableReader serves data, which the test may replace between calls.
type swappableReader struct{ data []byte }

func (s *swappableReader) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(s.data).ReadAt(p, off)
}

package slot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"wenban/firmware/bundle"
)

// chunkSize is the unit of slot writes and reads. Apply checks for
// cancellation between chunks.
const chunkSize = 1 << 20

// Apply installs the rootfs part of a verified bundle into target, which
// must be the slot state.WriteTarget names. It streams the part into the
// device while hashing it, syncs the device, reads the image back and
// compares its SHA-256 digest with the manifest. Only when all of that
// succeeds does it record the slot as pending with BootTries attempts and
// make it active, so the next boot tries it and the old slot stays as the
// fallback.
//
// On any error the state is unchanged. The target slot may then hold a
// partial image, which is harmless because no boot path selects an
// inactive slot that was written without being recorded.
func Apply(ctx context.Context, b *bundle.Bundle, target SlotDevice, state *State) error {
	state.mu.Lock()
	defer state.mu.Unlock()

	slot, err := state.data.writeTarget()
	if err != nil {
		return err
	}
	if target.Slot() != slot {
		return fmt.Errorf("%w: device is slot %s, the slot to write is %s", ErrWrongSlot, target.Slot(), slot)
	}

	if err := Install(ctx, b, target); err != nil {
		return err
	}

	version := b.Manifest().Version
	return state.change(func(d *stateFile, at time.Time) error {
		*d.record(slot) = Record{Version: version, Status: StatusPending, TriesLeft: BootTries, Updated: at}
		d.Active = slot
		d.LastResult = Result{Kind: ResultInstalled, Slot: slot, Version: version, At: at}
		return nil
	})
}

// Install writes the rootfs part of a verified bundle into target, syncs
// the device and reads the image back, comparing its SHA-256 digest with
// the manifest. It keeps no state: callers that track slots themselves,
// such as a boot loader with boot counting, decide beforehand that target
// may be overwritten and record the result afterwards.
func Install(ctx context.Context, b *bundle.Bundle, target SlotDevice) error {
	src, part, err := b.OpenPart(bundle.RootfsPart)
	if err != nil {
		return fmt.Errorf("opening rootfs part: %w", err)
	}
	if part.Size > target.Size() {
		return fmt.Errorf("%w: image is %d bytes, slot %s is %d bytes", ErrSlotTooSmall, part.Size, target.Slot(), target.Size())
	}

	if err := writeImage(ctx, src, target, part); err != nil {
		return err
	}
	if err := target.Sync(); err != nil {
		return err
	}
	return verifyImage(ctx, target, part)
}

// writeImage copies part.Size bytes from src to the start of dev. It
// hashes the bytes as they pass, because the bundle file may have changed
// since Verify read it.
func writeImage(ctx context.Context, src io.Reader, dev SlotDevice, part bundle.Part) error {
	h := sha256.New()
	buf := make([]byte, chunkSize)
	var off int64
	for off < part.Size {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("writing slot %s: %w", dev.Slot(), err)
		}

		n := int(min(int64(len(buf)), part.Size-off))
		if _, err := io.ReadFull(src, buf[:n]); err != nil {
			return fmt.Errorf("%w: reading rootfs at offset %d: %w", ErrSourceChanged, off, err)
		}
		h.Write(buf[:n])
		if _, err := dev.WriteAt(buf[:n], off); err != nil {
			return fmt.Errorf("writing slot %s at offset %d: %w", dev.Slot(), off, err)
		}
		off += int64(n)
	}

	if got := hex.EncodeToString(h.Sum(nil)); got != part.SHA256 {
		return fmt.Errorf("%w: rootfs read from the bundle has sha256 %s, want %s", ErrSourceChanged, got, part.SHA256)
	}
	return nil
}

// verifyImage reads the first part.Size bytes of dev and compares their
// digest with the manifest.
func verifyImage(ctx context.Context, dev SlotDevice, part bundle.Part) error {
	h := sha256.New()
	buf := make([]byte, chunkSize)
	var off int64
	for off < part.Size {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("reading back slot %s: %w", dev.Slot(), err)
		}

		n := int(min(int64(len(buf)), part.Size-off))
		if _, err := dev.ReadAt(buf[:n], off); err != nil {
			return fmt.Errorf("reading back slot %s at offset %d: %w", dev.Slot(), off, err)
		}
		h.Write(buf[:n])
		off += int64(n)
	}

	if got := hex.EncodeToString(h.Sum(nil)); got != part.SHA256 {
		return fmt.Errorf("%w: slot %s reads back with sha256 %s, want %s", ErrReadBack, dev.Slot(), got, part.SHA256)
	}
	return nil
}

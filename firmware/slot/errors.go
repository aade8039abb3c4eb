package slot

import "errors"

// Errors returned by this package. Returned errors wrap one of them and
// name the slot, version or file involved.
var (
	// ErrInvalidSlot means a slot name is not "A" or "B".
	ErrInvalidSlot = errors.New("slot: invalid slot name")
	// ErrInvalidState means the state file is malformed or breaks an
	// invariant, such as a pending slot that is not active.
	ErrInvalidState = errors.New("slot: invalid state file")
	// ErrStateChanged means another process changed the state file since
	// it was loaded. Load it again and retry.
	ErrStateChanged = errors.New("slot: state file changed by another process")
	// ErrNotBlessed means the active slot is still pending, so the other
	// slot holds the last good system and must not be overwritten.
	ErrNotBlessed = errors.New("slot: current boot not blessed")
	// ErrWrongSlot means the device passed to Apply is not the slot that
	// State.WriteTarget returns.
	ErrWrongSlot = errors.New("slot: device is not the write target")
	// ErrSlotTooSmall means the rootfs image is larger than the slot device.
	ErrSlotTooSmall = errors.New("slot: rootfs image larger than slot")
	// ErrSourceChanged means the rootfs bytes read from the bundle during
	// Apply differ from the manifest, so the bundle changed after Verify.
	ErrSourceChanged = errors.New("slot: bundle changed after verification")
	// ErrReadBack means the image read back from the slot differs from
	// the manifest, so the write did not reach the device intact.
	ErrReadBack = errors.New("slot: read-back verification failed")
	// ErrNotBootable means Bless was called for a slot that is bad or empty.
	ErrNotBootable = errors.New("slot: slot is not bootable")
)

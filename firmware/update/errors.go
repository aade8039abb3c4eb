package update

import "errors"

// Errors returned by this package. Returned errors wrap one of them, or
// an error of firmware/bundle or firmware/slot, and name the path or slot.
var (
	// ErrInvalidLayout means the ESP content, the device information or
	// the kernel command line does not describe a Wenban terminal.
	ErrInvalidLayout = errors.New("update: invalid terminal layout")
	// ErrNotBlessed means the running boot still has tries left, so the
	// other slot holds the last good system and must not be overwritten.
	ErrNotBlessed = errors.New("update: running boot not blessed")
	// ErrMissingPart means the bundle lacks the kernel or initrd part
	// that a terminal needs to boot the new slot.
	ErrMissingPart = errors.New("update: bundle lacks a boot part")
	// ErrReadBack means a file written to the ESP reads back with a
	// different digest.
	ErrReadBack = errors.New("update: ESP read-back verification failed")
)

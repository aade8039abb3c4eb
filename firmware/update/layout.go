package update

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
	"wenban/firmware/slot"
)

const (
	// cmdlineSlotKey is the kernel option naming the slot that booted.
	cmdlineSlotKey = "wenban.slot"

	// espSlotsDir holds one folder per slot on the ESP.
	espSlotsDir = "wenban"
	kernelName  = "vmlinuz"
	initrdName  = "initrd.img"
	releaseName = "release.json"
	resultName  = "last-result.json"

	// KernelPart and InitrdPart are the bundle parts a terminal boots the
	// new slot with, beside bundle.RootfsPart.
	KernelPart = "kernel"
	InitrdPart = "initrd"
)

// Terminal locates the files and devices of one terminal. On the image
// they are the defaults of cmd/wenban; tests point them at a temporary
// folder with plain files as slot devices.
type Terminal struct {
	// ESP is the mounted EFI system partition, /efi on the image.
	ESP string
	// Devices are the root slot block devices, or files in tests.
	Devices map[slot.Slot]string
	// CmdlinePath is the kernel command line, /proc/cmdline.
	CmdlinePath string
	// InfoPath is the running root's firmware.json.
	InfoPath string
	// KeysPath is the PEM file with the trusted public keys.
	KeysPath string
	// Now is the clock for records; nil means time.Now.
	Now func() time.Time
}

// Info is the running root's firmware.json, written by the image build.
type Info struct {
	Version       semver.Version `json:"version"`
	HardwareClass string         `json:"hardware_class"`
	// VersionFloor is the lowest version the terminal accepts, even as a
	// reinstall. The zero value means no floor.
	VersionFloor semver.Version `json:"version_floor,omitzero"`
	// Kiosk reports whether the image carries the kiosk browser.
	Kiosk bool `json:"kiosk"`
}

// Release is the record of what a slot holds, kept on the ESP next to the
// slot's kernel.
type Release struct {
	Version   semver.Version `json:"version"`
	Installed time.Time      `json:"installed"`
}

func (t Terminal) now() time.Time {
	if t.Now != nil {
		return t.Now().UTC()
	}
	return time.Now().UTC()
}

// ReadInfo reads the running root's firmware.json.
func (t Terminal) ReadInfo() (Info, error) {
	data, err := os.ReadFile(t.InfoPath)
	if err != nil {
		return Info{}, fmt.Errorf("%w: reading firmware information: %w", ErrInvalidLayout, err)
	}

	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return Info{}, fmt.Errorf("%w: firmware information %s: %w", ErrInvalidLayout, t.InfoPath, err)
	}
	if info.Version.IsZero() || info.HardwareClass == "" {
		return Info{}, fmt.Errorf("%w: firmware information %s lacks version or hardware_class", ErrInvalidLayout, t.InfoPath)
	}
	return info, nil
}

// TrustedKeys reads the public keys that updates must be signed with.
func (t Terminal) TrustedKeys() ([]ed25519.PublicKey, error) {
	keys, err := bundle.ReadPublicKeysFile(t.KeysPath)
	if err != nil {
		return nil, fmt.Errorf("reading trusted keys: %w", err)
	}
	return keys, nil
}

// RunningSlot returns the slot named by wenban.slot= on the kernel
// command line.
func (t Terminal) RunningSlot() (slot.Slot, error) {
	data, err := os.ReadFile(t.CmdlinePath)
	if err != nil {
		return "", fmt.Errorf("%w: reading kernel command line: %w", ErrInvalidLayout, err)
	}
	for _, field := range strings.Fields(string(data)) {
		value, ok := strings.CutPrefix(field, cmdlineSlotKey+"=")
		if !ok {
			continue
		}
		s, err := slot.ParseSlot(value)
		if err != nil {
			return "", fmt.Errorf("%w: kernel command line %s: %w", ErrInvalidLayout, field, err)
		}
		return s, nil
	}
	return "", fmt.Errorf("%w: kernel command line has no %s= option", ErrInvalidLayout, cmdlineSlotKey)
}

func (t Terminal) slotDir(s slot.Slot) string {
	return filepath.Join(t.ESP, espSlotsDir, string(s))
}

// readRelease returns the release record of s, or a zero Release for a
// slot that never held one.
func (t Terminal) readRelease(s slot.Slot) (Release, error) {
	path := filepath.Join(t.slotDir(s), releaseName)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return Release{}, nil
	}
	if err != nil {
		return Release{}, fmt.Errorf("reading slot %s release: %w", s, err)
	}

	var r Release
	if err := json.Unmarshal(data, &r); err != nil {
		return Release{}, fmt.Errorf("%w: slot %s release %s: %w", ErrInvalidLayout, s, path, err)
	}
	return r, nil
}

// runningOptions returns the kernel options of the running slot's entry
// other than those this package sets itself, so a new entry keeps the
// console and panic settings the image was built with.
func runningOptions(esp string, e Entry) (string, error) {
	data, err := os.ReadFile(filepath.Join(esp, entriesDir, e.Name))
	if err != nil {
		return "", fmt.Errorf("reading running boot entry: %w", err)
	}

	for line := range strings.Lines(string(data)) {
		value, ok := strings.CutPrefix(strings.TrimSpace(line), "options ")
		if !ok {
			continue
		}
		var kept []string
		for _, opt := range strings.Fields(value) {
			if isSlotOption(opt) {
				continue
			}
			kept = append(kept, opt)
		}
		return strings.Join(kept, " "), nil
	}
	return "", nil
}

func isSlotOption(opt string) bool {
	return opt == "ro" || strings.HasPrefix(opt, "root=") || strings.HasPrefix(opt, "rootfstype=") ||
		strings.HasPrefix(opt, cmdlineSlotKey+"=")
}

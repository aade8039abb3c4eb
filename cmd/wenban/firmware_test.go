package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTerminal lays out an ESP, two slot files, a kernel command line and
// firmware information for the update commands, with slot A seeded by
// `wenban update seed`, and returns the flags that point at them.
func fakeTerminal(t *testing.T, dir, trusted string) []string {
	t.Helper()
	for name, content := range map[string]string{
		"root-a.img":    strings.Repeat("\x00", 1<<16),
		"root-b.img":    strings.Repeat("\x00", 1<<16),
		"cmdline":       "root=/dev/disk/by-partlabel/wenban-root-a ro wenban.slot=A\n",
		"firmware.json": `{"version": "1.0.0", "hardware_class": "test-box", "version_floor": "1.0.0"}`,
		"vmlinuz":       "kernel 1.0.0",
		"initrd.img":    "initrd 1.0.0",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, err := wenban(t, "update", "seed", "--esp", filepath.Join(dir, "efi"), "--slot", "A", "--version", "1.0.0",
		"--kernel", filepath.Join(dir, "vmlinuz"), "--initrd", filepath.Join(dir, "initrd.img"))
	if err != nil {
		t.Fatalf("update seed: %v\n%s", err, errOut)
	}
	return []string{
		"--esp", filepath.Join(dir, "efi"),
		"--slot-a", filepath.Join(dir, "root-a.img"),
		"--slot-b", filepath.Join(dir, "root-b.img"),
		"--cmdline", filepath.Join(dir, "cmdline"),
		"--firmware-info", filepath.Join(dir, "firmware.json"),
		"--trusted-keys", trusted,
	}
}

func TestFirmwareSignApplyStatus(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "release.key")
	pub := filepath.Join(dir, "release.pub")
	if _, errOut, err := wenban(t, "firmware", "keygen", "--key", key, "--public", pub); err != nil {
		t.Fatalf("firmware keygen: %v\n%s", err, errOut)
	}
	info, err := os.Stat(key)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("got private key mode %v (%v), want 0600", info.Mode().Perm(), err)
	}

	term := fakeTerminal(t, dir, pub)
	rootfs := filepath.Join(dir, "rootfs.erofs")
	if err := os.WriteFile(rootfs, bytes.Repeat([]byte("new root "), 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	bundlePath := filepath.Join(dir, "update.tar")
	_, errOut, err := wenban(t, "firmware", "sign", "--key", key, "--version", "1.1.0", "--hardware-class", "test-box",
		"--rootfs", rootfs, "--kernel", filepath.Join(dir, "vmlinuz"), "--initrd", filepath.Join(dir, "initrd.img"), "-o", bundlePath)
	if err != nil {
		t.Fatalf("firmware sign: %v\n%s", err, errOut)
	}

	out, errOut, err := wenban(t, append([]string{"firmware", "verify"}, append(term, bundlePath)...)...)
	if err != nil || !strings.Contains(out, "更新包校验通过：版本 1.1.0") {
		t.Fatalf("firmware verify: %v\nstdout %s\nstderr %s", err, out, errOut)
	}

	out, errOut, err = wenban(t, append([]string{"update", "apply"}, append(term, bundlePath)...)...)
	if err != nil || !strings.Contains(out, "已将版本 1.1.0 写入槽位 B") {
		t.Fatalf("update apply: %v\nstdout %s\nstderr %s", err, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "efi", "loader", "entries", "wenban-b+3.conf")); err != nil {
		t.Errorf("boot entry with three tries missing: %v", err)
	}

	out, _, err = wenban(t, append([]string{"update", "status"}, term...)...)
	if err != nil || !strings.Contains(out, "槽位 B：版本 1.1.0，待确认（剩余 3 次启动尝试）") {
		t.Errorf("update status: %v\n%s", err, out)
	}

	// The same bundle again is a replay of a version that is not newer
	// than the one the terminal runs once it booted 1.1.0.
	if err := os.WriteFile(filepath.Join(dir, "firmware.json"), []byte(`{"version": "1.1.0", "hardware_class": "test-box"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = wenban(t, append([]string{"update", "apply"}, append(term, bundlePath)...)...)
	if err == nil || !strings.Contains(errOut, "重装") {
		t.Errorf("replayed apply: got error %v, stderr %q, want the not-newer message", err, errOut)
	}
}

func TestFirmwareVerifyUntrusted(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		if _, errOut, err := wenban(t, "firmware", "keygen", "--key", filepath.Join(dir, name+".key"), "--public", filepath.Join(dir, name+".pub")); err != nil {
			t.Fatalf("keygen %s: %v\n%s", name, err, errOut)
		}
	}
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.WriteFile(rootfs, []byte("root"), 0o644); err != nil {
		t.Fatal(err)
	}
	bundlePath := filepath.Join(dir, "update.tar")
	if _, errOut, err := wenban(t, "firmware", "sign", "--key", filepath.Join(dir, "a.key"), "--version", "2.0.0",
		"--hardware-class", "test-box", "--rootfs", rootfs, "-o", bundlePath); err != nil {
		t.Fatalf("sign: %v\n%s", err, errOut)
	}

	_, errOut, err := wenban(t, "firmware", "verify", "--keys", filepath.Join(dir, "b.pub"), "--hardware-class", "test-box",
		"--current", "1.0.0", bundlePath)
	if err == nil || !strings.Contains(errOut, "ErrUnknownKey") && !strings.Contains(errOut, "unknown") {
		t.Errorf("got error %v, stderr %q, want an unknown-key rejection", err, errOut)
	}
}

func TestHealthGateBlessedBoot(t *testing.T) {
	dir := t.TempDir()
	term := fakeTerminal(t, dir, filepath.Join(dir, "none.pem"))
	missing := []string{"--dir", filepath.Join(dir, "absent"), "--timeout", "1s"}

	// The seeded factory entry is blessed, so a failed check must not
	// reboot the terminal into the same entry again.
	if _, errOut, err := wenban(t, append(append([]string{"health-gate"}, term...), missing...)...); err != nil {
		t.Errorf("health-gate on a blessed boot: got %v, want success\n%s", err, errOut)
	}
	_, errOut, err := wenban(t, append(append([]string{"health-gate", "--strict"}, term...), missing...)...)
	if err == nil || !strings.Contains(errOut, "未通过健康检查") {
		t.Errorf("health-gate --strict: got error %v, stderr %q, want the failure message", err, errOut)
	}

	// On a boot that still counts tries, the failure must reach systemd.
	entries := filepath.Join(dir, "efi", "loader", "entries")
	if err := os.Rename(filepath.Join(entries, "wenban-a.conf"), filepath.Join(entries, "wenban-a+2-1.conf")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := wenban(t, append(append([]string{"health-gate"}, term...), missing...)...); err == nil {
		t.Errorf("health-gate on a counted boot: got success, want failure")
	}
}

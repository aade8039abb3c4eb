package backup

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

var testTime = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// newDataDir makes a data folder with a real (empty) store, its master
// key and two blobs, and returns it with the open store.
func newDataDir(t *testing.T) (string, *store.DB) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "ab"), 0o700); err != nil {
		t.Fatal(err)
	}
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, DatabaseName), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := os.WriteFile(filepath.Join(dir, "blobs", "ab", "abcdef"), []byte("blob bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, FirmwareDir, "qemu-x86-64"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FirmwareDir, "qemu-x86-64", "b.tar"), []byte("bundle"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A blob of several chunks puts chunk boundaries inside a file.
	large := bytes.Repeat([]byte("0123456789abcdef"), 3*chunkSize/16+7)
	if err := os.WriteFile(filepath.Join(dir, "blobs", "ab", "large"), large, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, db
}

func createBackup(t *testing.T, dir string, db *store.DB, key string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Create(&buf, Source{Dir: dir, SnapshotDB: db.Backup}, key, testTime); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return buf.Bytes()
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	dir, db := newDataDir(t)
	key, err := NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	data := createBackup(t, dir, db, key)
	path := filepath.Join(t.TempDir(), "backup.wbk")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	target := filepath.Join(t.TempDir(), "restored")
	summary, err := Restore(path, target, key, RestoreOptions{Owner: -1, Group: -1}, testTime)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if len(summary.Files) != 4 {
		t.Errorf("got %d files, want 4 (master.key, two blobs, database): %+v", len(summary.Files), summary.Files)
	}
	blob, err := os.ReadFile(filepath.Join(target, "blobs", "ab", "abcdef"))
	if err != nil || string(blob) != "blob bytes" {
		t.Errorf("got blob %q (%v), want %q", blob, err, "blob bytes")
	}

	// The restored folder must open as a store with the restored key.
	master, err := seal.OpenMasterKey(filepath.Join(target, "master.key"), false)
	if err != nil {
		t.Fatalf("restored master key: %v", err)
	}
	restored, err := store.Open(filepath.Join(target, DatabaseName), master)
	if err != nil {
		t.Fatalf("opening restored store: %v", err)
	}
	restored.Close()
}

func TestRestoreRejects(t *testing.T) {
	dir, db := newDataDir(t)
	key, err := NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	good := createBackup(t, dir, db, key)

	flip := bytes.Clone(good)
	flip[len(flip)-100] ^= 1
	tests := []struct {
		name    string
		data    []byte
		key     string
		wantErr error
	}{
		{"wrong key", good, "aaaa-bbbb-cccc-dddd-eeee-ffff-gggg-hhhh", ErrCorrupt},
		{"flipped bit", flip, key, ErrCorrupt},
		{"truncated", good[:len(good)-30], key, ErrCorrupt},
		{"cut at chunk boundary", good[:len(good)/2], key, ErrCorrupt},
		{"trailing data", append(bytes.Clone(good), 0), key, ErrCorrupt},
		{"not a backup", []byte("hello"), key, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "backup.wbk")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(t.TempDir(), "restored")

			_, err := Restore(path, target, tt.key, RestoreOptions{Owner: -1, Group: -1}, testTime)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if _, err := os.Stat(target); !os.IsNotExist(err) {
				t.Errorf("target exists after a failed restore (stat error %v)", err)
			}
		})
	}
}

func TestRestoreNonEmptyTarget(t *testing.T) {
	dir, db := newDataDir(t)
	key, err := NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backup.wbk")
	if err := os.WriteFile(path, createBackup(t, dir, db, key), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "old"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err = Restore(path, target, key, RestoreOptions{Owner: -1, Group: -1}, testTime)
	if !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("got error %v, want ErrTargetNotEmpty", err)
	}

	summary, err := Restore(path, target, key, RestoreOptions{Force: true, Owner: -1, Group: -1}, testTime)
	if err != nil {
		t.Fatalf("Restore --force: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "master.key")); err != nil {
		t.Errorf("restored master key missing: %v", err)
	}
	aside := target + ".replaced-20261204T100000Z"
	if summary.Replaced != aside {
		t.Errorf("got Summary.Replaced %q, want %q", summary.Replaced, aside)
	}
	if _, err := os.Stat(filepath.Join(aside, "old")); err != nil {
		t.Errorf("old folder not kept aside: %v", err)
	}
}

func TestRecoveryKeyNormalized(t *testing.T) {
	dir, db := newDataDir(t)
	key := "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567"
	data := createBackup(t, dir, db, key)

	if _, err := Check(bytes.NewReader(data), "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567"); err != nil {
		t.Errorf("Check with spaces and capitals: %v", err)
	}
}

func TestCreateRejectsShortKey(t *testing.T) {
	dir, db := newDataDir(t)
	tests := []struct {
		name    string
		key     string
		wantErr error
	}{
		{"empty", "", ErrWeakKey},
		{"eight characters", "abcd-efgh", ErrWeakKey},
		{"fifteen characters", "abcd-efgh-ijkl-mno", ErrWeakKey},
		{"dashes and spaces not counted", "abcd - efgh - ijkl - mno", ErrWeakKey},
		{"sixteen characters", "abcd-efgh-ijkl-mnop", nil},
		{"sixteen Chinese characters", "湖南省自然资源厅问办服务数据备份", nil},
		{"generated", mustRecoveryKey(t), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := Create(&buf, Source{Dir: dir, SnapshotDB: db.Backup}, tt.key, testTime)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Create got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil && buf.Len() != 0 {
				t.Errorf("Create wrote %d bytes before rejecting the key, want 0", buf.Len())
			}
		})
	}
}

func TestRestoreAcceptsOldShortKey(t *testing.T) {
	dir, db := newDataDir(t)
	// Older versions accepted any non-blank key, so create skips the check.
	const key = "abcd"
	var buf bytes.Buffer
	if _, err := create(&buf, Source{Dir: dir, SnapshotDB: db.Backup}, key, testTime); err != nil {
		t.Fatalf("create: %v", err)
	}
	path := filepath.Join(t.TempDir(), "old.wbk")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := Check(bytes.NewReader(buf.Bytes()), key); err != nil {
		t.Errorf("Check got %v, want the old backup accepted", err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(path, target, key, RestoreOptions{Owner: -1, Group: -1}, testTime); err != nil {
		t.Fatalf("Restore got %v, want the old backup restored", err)
	}
	if _, err := os.Stat(filepath.Join(target, "master.key")); err != nil {
		t.Errorf("restored master key: %v", err)
	}
}

func mustRecoveryKey(t *testing.T) string {
	t.Helper()
	key, err := NewRecoveryKey()
	if err != nil {
		t.Fatalf("NewRecoveryKey: %v", err)
	}
	return key
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte(magic))
	f.Add([]byte("WENBAN-BACKUP\n\x00\x00\x00\x02{}"))
	f.Add([]byte("WENBAN-BACKUP\n\x00\x00\x00\x10{\"version\":1}xxx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Untrusted input must fail with ErrCorrupt or another error, never
		// panic or succeed without the key.
		if _, err := Check(bytes.NewReader(data), "aaaa"); err == nil {
			t.Fatalf("Check accepted %d fuzzed bytes", len(data))
		}
	})
}

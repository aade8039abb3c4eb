package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"wenban/appliance/seal"
)

type record struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func testMaster(t *testing.T) *seal.MasterKey {
	t.Helper()
	key, err := seal.NewDataKey()
	if err != nil {
		t.Fatalf("NewDataKey: %v", err)
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	return master
}

func openTest(t *testing.T, path string, master *seal.MasterKey) *DB {
	t.Helper()
	db, err := Open(path, master)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return db
}

func newTestDB(t *testing.T) (*DB, string, *seal.MasterKey) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "wenban.db")
	master := testMaster(t)
	db := openTest(t, path, master)
	t.Cleanup(func() { db.Close() })
	return db, path, master
}

func TestPutGetPlainAndSealed(t *testing.T) {
	db, _, _ := newTestDB(t)
	want := record{Name: "张三", Count: 3}

	err := db.Update(func(tx *Tx) error {
		if err := tx.Put("plain", "k1", want); err != nil {
			return err
		}
		return tx.PutSealed("sealed", "k1", want)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}

	tests := []struct {
		name string
		get  func(*Tx, string, any) (bool, error)
		key  string
		ok   bool
	}{
		{"plain present", func(tx *Tx, k string, v any) (bool, error) { return tx.Get("plain", k, v) }, "k1", true},
		{"sealed present", func(tx *Tx, k string, v any) (bool, error) { return tx.GetSealed("sealed", k, v) }, "k1", true},
		{"plain missing key", func(tx *Tx, k string, v any) (bool, error) { return tx.Get("plain", k, v) }, "k2", false},
		{"sealed missing key", func(tx *Tx, k string, v any) (bool, error) { return tx.GetSealed("sealed", k, v) }, "k2", false},
		{"missing bucket", func(tx *Tx, k string, v any) (bool, error) { return tx.Get("nothing", k, v) }, "k1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got record
			var ok bool
			err := db.View(func(tx *Tx) error {
				var err error
				ok, err = tt.get(tx, tt.key, &got)
				return err
			})
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if ok != tt.ok {
				t.Fatalf("found got %v, want %v", ok, tt.ok)
			}
			if ok && got != want {
				t.Errorf("value got %+v, want %+v", got, want)
			}
		})
	}
}

func TestGetSealedOnPlainValueFails(t *testing.T) {
	db, _, _ := newTestDB(t)
	err := db.Update(func(tx *Tx) error { return tx.Put("b", "k", record{Name: "x"}) })
	if err != nil {
		t.Fatalf("Put: %v", err)
	}

	err = db.View(func(tx *Tx) error {
		_, err := tx.GetSealed("b", "k", &record{})
		return err
	})
	if !errors.Is(err, seal.ErrCorrupt) {
		t.Errorf("GetSealed of plain value got %v, want ErrCorrupt", err)
	}
}

func TestSealedValueBoundToKey(t *testing.T) {
	db, _, _ := newTestDB(t)
	err := db.Update(func(tx *Tx) error { return tx.PutSealed("b", "a", record{Name: "x"}) })
	if err != nil {
		t.Fatalf("PutSealed: %v", err)
	}

	// Copy the raw sealed bytes to another key, as an attacker with write
	// access to the file could.
	err = db.bolt.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte("b"))
		return b.Put([]byte("c"), bytes.Clone(b.Get([]byte("a"))))
	})
	if err != nil {
		t.Fatalf("copying raw value: %v", err)
	}

	err = db.View(func(tx *Tx) error {
		_, err := tx.GetSealed("b", "c", &record{})
		return err
	})
	if !errors.Is(err, seal.ErrCorrupt) {
		t.Errorf("GetSealed of moved value got %v, want ErrCorrupt", err)
	}
}

func TestUpdateErrorRollsBack(t *testing.T) {
	db, _, _ := newTestDB(t)
	boom := errors.New("boom")
	err := db.Update(func(tx *Tx) error {
		if err := tx.Put("b", "k", record{Name: "x"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update got %v, want boom", err)
	}

	var found bool
	err = db.View(func(tx *Tx) error {
		var err error
		found, err = tx.Get("b", "k", &record{})
		return err
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	if found {
		t.Errorf("value written by a failed Update is present, want rolled back")
	}
}

func TestDelete(t *testing.T) {
	db, _, _ := newTestDB(t)
	err := db.Update(func(tx *Tx) error {
		for _, k := range []string{"a", "b"} {
			if err := tx.Put("b1", k, record{Name: k}); err != nil {
				return err
			}
		}
		if err := tx.Put("b2", "x", record{}); err != nil {
			return err
		}
		if err := tx.Delete("b1", "a"); err != nil {
			return err
		}
		if err := tx.Delete("b1", "missing"); err != nil {
			return fmt.Errorf("deleting a missing key: %w", err)
		}
		if err := tx.Delete("no-bucket", "a"); err != nil {
			return fmt.Errorf("deleting from a missing bucket: %w", err)
		}
		if err := tx.DeleteBucket("b2"); err != nil {
			return err
		}
		return tx.DeleteBucket("no-bucket")
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}

	err = db.View(func(tx *Tx) error {
		for _, c := range []struct {
			bucket, key string
			want        bool
		}{{"b1", "a", false}, {"b1", "b", true}, {"b2", "x", false}} {
			got, err := tx.Get(c.bucket, c.key, &record{})
			if err != nil {
				return err
			}
			if got != c.want {
				t.Errorf("%s/%s present got %v, want %v", c.bucket, c.key, got, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
}

func TestScanPrefixAndStop(t *testing.T) {
	db, _, _ := newTestDB(t)
	keys := []string{"a/1", "a/2", "a/3", "b/1", "a", "ab/1"}
	err := db.Update(func(tx *Tx) error {
		for i, k := range keys {
			if err := tx.Put("plain", k, record{Name: k, Count: i}); err != nil {
				return err
			}
			if err := tx.PutSealed("sealed", k, record{Name: k, Count: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}

	tests := []struct {
		name   string
		bucket string
		sealed bool
		prefix string
		stopAt int
		want   []string
	}{
		{"plain prefix", "plain", false, "a/", 0, []string{"a/1", "a/2", "a/3"}},
		{"sealed prefix", "sealed", true, "a/", 0, []string{"a/1", "a/2", "a/3"}},
		{"all in order", "plain", false, "", 0, []string{"a", "a/1", "a/2", "a/3", "ab/1", "b/1"}},
		{"prefix without match", "plain", false, "c", 0, nil},
		{"missing bucket", "none", false, "", 0, nil},
		{"stop after two", "plain", false, "a", 2, []string{"a", "a/1"}},
		{"sealed stop after one", "sealed", true, "a/", 1, []string{"a/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			fn := func(key string, decode Decoder) error {
				var r record
				if err := decode(&r); err != nil {
					return err
				}
				if r.Name != key {
					t.Errorf("decoded name got %q, want %q", r.Name, key)
				}
				got = append(got, key)
				if tt.stopAt > 0 && len(got) == tt.stopAt {
					return ErrStop
				}
				return nil
			}
			err := db.View(func(tx *Tx) error {
				if tt.sealed {
					return tx.ScanSealed(tt.bucket, tt.prefix, fn)
				}
				return tx.Scan(tt.bucket, tt.prefix, fn)
			})
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("keys got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScanPassesOtherErrors(t *testing.T) {
	db, _, _ := newTestDB(t)
	err := db.Update(func(tx *Tx) error { return tx.Put("b", "k", record{}) })
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	boom := errors.New("boom")
	err = db.View(func(tx *Tx) error {
		return tx.Scan("b", "", func(string, Decoder) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Errorf("Scan got %v, want boom", err)
	}
}

func TestNextSeq(t *testing.T) {
	db, path, master := newTestDB(t)
	var got []uint64
	for range 3 {
		err := db.Update(func(tx *Tx) error {
			n, err := tx.NextSeq("orders")
			got = append(got, n)
			return err
		})
		if err != nil {
			t.Fatalf("NextSeq: %v", err)
		}
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("sequence got %v, want [1 2 3]", got)
	}

	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db = openTest(t, path, master)
	defer db.Close()
	var n uint64
	err := db.Update(func(tx *Tx) error {
		var err error
		n, err = tx.NextSeq("orders")
		return err
	})
	if err != nil {
		t.Fatalf("NextSeq after reopen: %v", err)
	}
	if n != 4 {
		t.Errorf("NextSeq after reopen got %d, want 4", n)
	}
}

func TestSeqKeyOrderAndParse(t *testing.T) {
	values := []uint64{0, 1, 9, 10, 255, 256, 1 << 40, ^uint64(0)}
	for i, v := range values {
		key := SeqKey(v)
		back, err := ParseSeqKey(key)
		if err != nil {
			t.Fatalf("ParseSeqKey(%q): %v", key, err)
		}
		if back != v {
			t.Errorf("ParseSeqKey(SeqKey(%d)) got %d", v, back)
		}
		if i > 0 && SeqKey(values[i-1]) >= key {
			t.Errorf("SeqKey(%d)=%q does not sort after SeqKey(%d)", v, key, values[i-1])
		}
	}
	if _, err := ParseSeqKey("not-hex"); err == nil {
		t.Errorf("ParseSeqKey(not-hex) got nil error, want failure")
	}
}

func TestReopenSameMasterKey(t *testing.T) {
	db, path, master := newTestDB(t)
	want := record{Name: "李四", Count: 7}
	if err := db.Update(func(tx *Tx) error { return tx.PutSealed("b", "k", want) }); err != nil {
		t.Fatalf("PutSealed: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openTest(t, path, master)
	defer db.Close()
	var got record
	err := db.View(func(tx *Tx) error {
		_, err := tx.GetSealed("b", "k", &got)
		return err
	})
	if err != nil {
		t.Fatalf("GetSealed after reopen: %v", err)
	}
	if got != want {
		t.Errorf("value after reopen got %+v, want %+v", got, want)
	}
}

func TestReopenOtherMasterKeyFails(t *testing.T) {
	db, path, master := newTestDB(t)
	if err := db.Update(func(tx *Tx) error { return tx.PutSealed("b", "k", record{}) }); err != nil {
		t.Fatalf("PutSealed: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	_, err := Open(path, testMaster(t))
	if err == nil {
		t.Fatalf("Open with another master key got nil error, want failure")
	}
	if !errors.Is(err, seal.ErrCorrupt) {
		t.Errorf("Open error got %v, want it to wrap ErrCorrupt", err)
	}
	for _, part := range []string{path, "wrong master key", "memory"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Open error %q does not mention %q", err, part)
		}
	}

	// The failed open must release the file lock.
	db = openTest(t, path, master)
	if err := db.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestRotateKeySurvivesReopen(t *testing.T) {
	db, path, master := newTestDB(t)
	if err := db.Update(func(tx *Tx) error { return tx.PutSealed("b", "old", record{Name: "old"}) }); err != nil {
		t.Fatalf("PutSealed old: %v", err)
	}
	id, err := db.RotateKey(master)
	if err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	if id != 2 {
		t.Errorf("RotateKey got id %d, want 2", id)
	}
	if err := db.Update(func(tx *Tx) error { return tx.PutSealed("b", "new", record{Name: "new"}) }); err != nil {
		t.Fatalf("PutSealed new: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openTest(t, path, master)
	defer db.Close()
	if got := db.Keyring().Active(); got != 2 {
		t.Errorf("active key after reopen got %d, want 2", got)
	}
	for key, wantID := range map[string]seal.KeyID{"old": 1, "new": 2} {
		var got record
		err := db.View(func(tx *Tx) error {
			_, err := tx.GetSealed("b", key, &got)
			return err
		})
		if err != nil {
			t.Fatalf("GetSealed(%s): %v", key, err)
		}
		if got.Name != key {
			t.Errorf("GetSealed(%s) got %q", key, got.Name)
		}
		err = db.bolt.View(func(btx *bolt.Tx) error {
			sealedID, err := seal.KeyOf(btx.Bucket([]byte("b")).Get([]byte(key)))
			if sealedID != wantID {
				t.Errorf("%s sealed with key %d, want %d", key, sealedID, wantID)
			}
			return err
		})
		if err != nil {
			t.Fatalf("KeyOf(%s): %v", key, err)
		}
	}
}

func TestBackupIsOpenable(t *testing.T) {
	db, _, master := newTestDB(t)
	want := record{Name: "备份", Count: 1}
	if err := db.Update(func(tx *Tx) error { return tx.PutSealed("b", "k", want) }); err != nil {
		t.Fatalf("PutSealed: %v", err)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	info, err := os.Stat(backup)
	if err != nil {
		t.Fatalf("stat backup: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("backup mode got %v, want 0600", got)
	}

	copyDB := openTest(t, backup, master)
	defer copyDB.Close()
	var got record
	err = copyDB.View(func(tx *Tx) error {
		_, err := tx.GetSealed("b", "k", &got)
		return err
	})
	if err != nil {
		t.Fatalf("GetSealed from backup: %v", err)
	}
	if got != want {
		t.Errorf("backup value got %+v, want %+v", got, want)
	}
}

func TestSealedMarkerAbsentFromFile(t *testing.T) {
	db, path, _ := newTestDB(t)
	const sealedMarker = "SEALED-MARKER-7f3a9c"
	const plainMarker = "PLAIN-MARKER-2b8d41"
	err := db.Update(func(tx *Tx) error {
		if err := tx.PutSealed("secret", sealedMarker, record{Name: sealedMarker + "-value"}); err != nil {
			return err
		}
		return tx.Put("public", "k", record{Name: plainMarker})
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading database file: %v", err)
	}
	// The plain marker shows that the scan would find a value on disk.
	if !bytes.Contains(raw, []byte(plainMarker)) {
		t.Fatalf("plain marker not found in file, so the scan proves nothing")
	}
	if bytes.Contains(raw, []byte(sealedMarker+"-value")) {
		t.Errorf("sealed value found in plain text in %s", path)
	}
}

func TestClosedDB(t *testing.T) {
	db, _, _ := newTestDB(t)
	if err := db.Ping(); err != nil {
		t.Fatalf("Ping on open database: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Ping(); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close got %v, want ErrClosed", err)
	}
}

func TestOpenCreatesFolderAndFileMode(t *testing.T) {
	_, path, _ := newTestDB(t)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{filepath.Dir(path), 0o700}, {path, 0o600}} {
		info, err := os.Stat(c.path)
		if err != nil {
			t.Fatalf("stat %s: %v", c.path, err)
		}
		if got := info.Mode().Perm(); got != c.mode {
			t.Errorf("%s mode got %v, want %v", c.path, got, c.mode)
		}
	}
}

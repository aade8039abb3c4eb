// Package store keeps the hub's records in one bbolt file. Values are JSON;
// those that hold personal or conversation data are sealed with the data
// keys of package seal before they reach the page cache or the disk.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"wenban/appliance/seal"
)

// keysBucket holds the wrapped data keys, keyed by big-endian key id.
const keysBucket = "keyring"

// ErrClosed is returned by operations on a closed database.
var ErrClosed = errors.New("store: database is closed")

// DB is the hub's record store.
type DB struct {
	bolt *bolt.DB
	ring *seal.Keyring
	path string
}

// Open opens or creates the database at path and loads its data keys
// through master. A new database gets its first data key here.
func Open(path string, master *seal.MasterKey) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating data folder for %s: %w", path, err)
	}

	// A timeout turns "another hub holds the lock" into an error rather
	// than a hang at start-up.
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 3 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("opening bolt database %s (is another wenban running on this data folder?): %w", path, err)
	}

	// A short batch window: a lone writer waits at most this long for
	// company before its commit, which keeps a citizen's ask fast.
	b.MaxBatchDelay = 2 * time.Millisecond

	db := &DB{bolt: b, ring: seal.NewKeyring(), path: path}
	if err := db.loadKeys(master); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) loadKeys(master *seal.MasterKey) error {
	var firstKey []byte
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(keysBucket))
		if err != nil {
			return fmt.Errorf("creating keyring bucket: %w", err)
		}

		err = b.ForEach(func(k, v []byte) error {
			if len(k) != 4 {
				return fmt.Errorf("keyring contains an invalid key id %x: the database is damaged; restore it from a backup", k)
			}
			id := seal.KeyID(binary.BigEndian.Uint32(k))
			key, err := master.Unwrap(id, v)
			if err != nil {
				return fmt.Errorf("loading keyring of %s with master key from %s: %w", db.path, master.Source, err)
			}
			return db.ring.Add(id, key)
		})
		if err != nil {
			return err
		}

		if db.ring.Active() != 0 {
			return nil
		}
		key, err := seal.NewDataKey()
		if err != nil {
			return err
		}
		firstKey = key
		return storeKey(b, master, 1, key)
	})
	if err != nil || firstKey == nil {
		return err
	}
	return db.ring.Add(1, firstKey)
}

// RotateKey adds a new data key that seals every value written from now
// on. Old values stay readable under their own keys.
func (db *DB) RotateKey(master *seal.MasterKey) (seal.KeyID, error) {
	id := db.ring.Active() + 1
	key, err := seal.NewDataKey()
	if err != nil {
		return 0, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return storeKey(tx.Bucket([]byte(keysBucket)), master, id, key)
	})
	if err != nil {
		return 0, fmt.Errorf("rotating data key: %w", err)
	}

	// Only a committed key may seal data: one lost with a failed commit
	// would leave every value it sealed unreadable after a restart.
	if err := db.ring.Add(id, key); err != nil {
		return 0, err
	}
	return id, nil
}

func storeKey(b *bolt.Bucket, master *seal.MasterKey, id seal.KeyID, key []byte) error {
	wrapped, err := master.Wrap(id, key)
	if err != nil {
		return err
	}
	if err := b.Put(binary.BigEndian.AppendUint32(nil, uint32(id)), wrapped); err != nil {
		return fmt.Errorf("storing data key %d: %w", id, err)
	}
	return nil
}

// Keyring returns the data keys, for sealing blobs outside bbolt.
func (db *DB) Keyring() *seal.Keyring { return db.ring }

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close flushes and closes the database.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("closing bolt database %s: %w", db.path, err)
	}
	return nil
}

// Ping reports whether the database is open and readable.
func (db *DB) Ping() error {
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(keysBucket)) == nil {
			return fmt.Errorf("keyring bucket missing")
		}
		return nil
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Update runs fn in a read-write transaction. An error from fn rolls back
// everything fn wrote.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return fn(&Tx{tx: tx, ring: db.ring})
	})
}

// Batch runs fn in a read-write transaction that bbolt may share with
// other concurrent Batch calls, so that many small writes share one disk
// sync. It returns after the shared commit. fn may run more than once and
// must not have side effects outside the transaction.
func (db *DB) Batch(fn func(*Tx) error) error {
	return db.bolt.Batch(func(tx *bolt.Tx) error {
		return fn(&Tx{tx: tx, ring: db.ring})
	})
}

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		return fn(&Tx{tx: tx, ring: db.ring})
	})
}

// Backup writes a consistent copy of the database to path while the hub
// keeps serving.
func (db *DB) Backup(path string) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		if err := tx.CopyFile(path, 0o600); err != nil {
			return fmt.Errorf("copying database to %s: %w", path, err)
		}
		return nil
	})
}

// SeqKey formats a sequence number so that byte order equals numeric order.
func SeqKey(n uint64) string {
	return fmt.Sprintf("%016x", n)
}

// ParseSeqKey reverses SeqKey.
func ParseSeqKey(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("parsing sequence key %q: %w", s, err)
	}
	return n, nil
}

func marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", v, err)
	}
	return raw, nil
}

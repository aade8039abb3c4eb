package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"wenban/appliance/seal"
)

// Tx is a transaction over named buckets. Buckets are created on first
// write; reading a bucket that does not exist finds nothing.
type Tx struct {
	tx   *bolt.Tx
	ring *seal.Keyring
}

// Put stores v as plain JSON. Use it only for values that hold no personal
// or conversation data (settings, counters, the public knowledge base).
func (t *Tx) Put(bucket, key string, v any) error {
	raw, err := marshal(v)
	if err != nil {
		return err
	}
	return t.putRaw(bucket, key, raw)
}

// PutSealed stores v as JSON sealed under the active data key, bound to
// its bucket and key.
func (t *Tx) PutSealed(bucket, key string, v any) error {
	raw, err := marshal(v)
	if err != nil {
		return err
	}
	sealed, err := t.ring.Seal(raw, sealContext(bucket, key))
	if err != nil {
		return fmt.Errorf("sealing %s/%s: %w", bucket, key, err)
	}
	return t.putRaw(bucket, key, sealed)
}

func (t *Tx) putRaw(bucket, key string, raw []byte) error {
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return fmt.Errorf("creating bucket %s: %w", bucket, err)
	}
	if err := b.Put([]byte(key), raw); err != nil {
		return fmt.Errorf("writing %s/%s: %w", bucket, key, err)
	}
	return nil
}

// Get decodes the plain value at bucket/key into v and reports whether it
// exists.
func (t *Tx) Get(bucket, key string, v any) (bool, error) {
	raw := t.raw(bucket, key)
	if raw == nil {
		return false, nil
	}
	return true, decode(bucket, key, raw, v)
}

// GetSealed opens and decodes the sealed value at bucket/key into v and
// reports whether it exists.
func (t *Tx) GetSealed(bucket, key string, v any) (bool, error) {
	raw := t.raw(bucket, key)
	if raw == nil {
		return false, nil
	}
	plain, err := t.ring.Open(raw, sealContext(bucket, key))
	if err != nil {
		return true, fmt.Errorf("opening %s/%s: %w", bucket, key, err)
	}
	return true, decode(bucket, key, plain, v)
}

func (t *Tx) raw(bucket, key string) []byte {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	return b.Get([]byte(key))
}

// Keys are stored as they are, unsealed: callers build them from random
// ids and sequence numbers, never from personal data.

// Delete removes bucket/key; a missing key is not an error.
func (t *Tx) Delete(bucket, key string) error {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	if err := b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("deleting %s/%s: %w", bucket, key, err)
	}
	return nil
}

// DeleteBucket removes a whole bucket; a missing bucket is not an error.
func (t *Tx) DeleteBucket(bucket string) error {
	if t.tx.Bucket([]byte(bucket)) == nil {
		return nil
	}
	if err := t.tx.DeleteBucket([]byte(bucket)); err != nil {
		return fmt.Errorf("deleting bucket %s: %w", bucket, err)
	}
	return nil
}

// NextSeq returns the bucket's next sequence number, starting at 1.
func (t *Tx) NextSeq(bucket string) (uint64, error) {
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return 0, fmt.Errorf("creating bucket %s: %w", bucket, err)
	}
	n, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("advancing sequence of %s: %w", bucket, err)
	}
	return n, nil
}

// Decoder decodes the current value of an iteration into v.
type Decoder func(v any) error

// Scan calls fn for each plain value whose key starts with prefix, in key
// order. Stop early by returning ErrStop.
func (t *Tx) Scan(bucket, prefix string, fn func(key string, decode Decoder) error) error {
	return t.scan(bucket, prefix, false, fn)
}

// ScanSealed is Scan for sealed values.
func (t *Tx) ScanSealed(bucket, prefix string, fn func(key string, decode Decoder) error) error {
	return t.scan(bucket, prefix, true, fn)
}

// ErrStop ends a Scan early without an error.
var ErrStop = errors.New("store: stop scan")

func (t *Tx) scan(bucket, prefix string, sealed bool, fn func(string, Decoder) error) error {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}

	p := []byte(prefix)
	c := b.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		key, raw := string(k), v
		dec := func(out any) error {
			if !sealed {
				return decode(bucket, key, raw, out)
			}
			plain, err := t.ring.Open(raw, sealContext(bucket, key))
			if err != nil {
				return fmt.Errorf("opening %s/%s: %w", bucket, key, err)
			}
			return decode(bucket, key, plain, out)
		}
		if err := fn(key, dec); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

func sealContext(bucket, key string) []byte {
	return []byte(bucket + "\x00" + key)
}

func decode(bucket, key string, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decoding %s/%s: %w", bucket, key, err)
	}
	return nil
}

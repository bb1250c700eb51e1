package outbox

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ErrKept is returned by Keep for a key that is already kept.
var ErrKept = errors.New("outbox: already kept")

// ErrNotKept is returned by PutForget and Forget for a key not kept.
var ErrNotKept = errors.New("outbox: not kept")

// maxKeptKey bounds a kept key; a key names what it keeps, it is not data.
const maxKeptKey = 200

// Kept is one value the station keeps across restarts.
type Kept struct {
	Key   string
	Value []byte
}

// Keep stores value under key, sealed like a record body (it may hold
// personal data), and returns once it is on disk. It refuses a key that is
// already kept (ErrKept), so two screens cannot both start the same thing.
// Like Put it refuses when the disk is too full.
func (o *Outbox) Keep(key string, value []byte) error {
	if err := checkKeptKey(key); err != nil {
		return err
	}
	if err := o.checkSpace(); err != nil {
		return fmt.Errorf("%w (%s was NOT kept)", err, key)
	}
	sealed, err := o.seal.seal(keptAD(key), value)
	if err != nil {
		return err
	}
	err = o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKept)
		if b.Get([]byte(key)) != nil {
			return fmt.Errorf("%w: %s", ErrKept, key)
		}
		return b.Put([]byte(key), sealed)
	})
	if err != nil && !errors.Is(err, ErrKept) {
		return fmt.Errorf("outbox: keep %s: %w", key, diskFull(o.dir, err))
	}
	return err
}

// KeptWith returns the values kept under keys that start with prefix, in
// key order.
func (o *Outbox) KeptWith(prefix string) ([]Kept, error) {
	var out []Kept
	err := o.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketKept).Cursor()
		p := []byte(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			plain, err := o.seal.open(keptAD(string(k)), v)
			if err != nil {
				return fmt.Errorf("outbox: kept %s: %w", k, err)
			}
			out = append(out, Kept{Key: string(k), Value: plain})
		}
		return nil
	})
	return out, err
}

// Forget deletes a kept key without storing anything (ErrNotKept if it
// is not kept).
func (o *Outbox) Forget(key string) error {
	return o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKept)
		if b.Get([]byte(key)) == nil {
			return fmt.Errorf("%w: %s", ErrNotKept, key)
		}
		if err := b.Delete([]byte(key)); err != nil {
			return fmt.Errorf("outbox: forget %s: %w", key, err)
		}
		return nil
	})
}

func checkKeptKey(key string) error {
	if key == "" || len(key) > maxKeptKey {
		return fmt.Errorf("outbox: kept key must be 1 to %d bytes, not %d", maxKeptKey, len(key))
	}
	return nil
}

// keptAD is the sealed value's additional data: a value cannot be moved
// under another key, nor passed off as a record body.
func keptAD(key string) string { return "kept\x00" + key }

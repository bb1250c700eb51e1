package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

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
// personal data), and returns once it is on disk. The key may hold
// personal data too (a volunteer's name): the file has only a keyed hash
// of it, the key itself is sealed with the value. Keep refuses a key that
// is already kept (ErrKept), so two screens cannot both start the same
// thing. Like Put it refuses when the disk is too full. Errors never
// carry the key.
func (o *Outbox) Keep(key string, value []byte) error { return o.keep(key, value, false) }

// Set is Keep that replaces a value already kept under key.
func (o *Outbox) Set(key string, value []byte) error { return o.keep(key, value, true) }

func (o *Outbox) keep(key string, value []byte, replace bool) error {
	if err := checkKeptKey(key); err != nil {
		return err
	}
	if err := o.checkSpace(); err != nil {
		return fmt.Errorf("%w (the value was NOT kept)", err)
	}
	name := o.seal.keptName(key)
	sealed, err := o.seal.seal(keptAD(name), keptPlain(key, value))
	if err != nil {
		return err
	}
	err = o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKept)
		if !replace && b.Get(name) != nil {
			return ErrKept
		}
		return b.Put(name, sealed)
	})
	if err != nil && !errors.Is(err, ErrKept) {
		return fmt.Errorf("outbox: keep a value: %w", diskFull(o.dir, err))
	}
	return err
}

// KeptWith returns the values kept under keys that start with prefix, in
// key order. The keys are sealed, so it opens every kept value; there are
// few (the volunteers checked in, the PIN keypad's state).
func (o *Outbox) KeptWith(prefix string) ([]Kept, error) {
	var out []Kept
	err := o.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKept).ForEach(func(k, v []byte) error {
			plain, err := o.seal.open(keptAD(k), v)
			if err != nil {
				return fmt.Errorf("outbox: kept value %x: %w", k, err)
			}
			key, value, err := splitKept(plain)
			if err != nil {
				return fmt.Errorf("outbox: kept value %x: %w", k, err)
			}
			if strings.HasPrefix(key, prefix) {
				out = append(out, Kept{Key: key, Value: value})
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b Kept) int { return strings.Compare(a.Key, b.Key) })
	return out, err
}

// Forget deletes a kept key without storing anything (ErrNotKept if it
// is not kept).
func (o *Outbox) Forget(key string) error {
	name := o.seal.keptName(key)
	return o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKept)
		if b.Get(name) == nil {
			return ErrNotKept
		}
		if err := b.Delete(name); err != nil {
			return fmt.Errorf("outbox: forget a kept value: %w", err)
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
func keptAD(name []byte) string { return "kept\x00" + string(name) }

// keptPlain is what is sealed: the key, then the value.
func keptPlain(key string, value []byte) []byte {
	b := binary.AppendUvarint(nil, uint64(len(key)))
	return append(append(b, key...), value...)
}

func splitKept(plain []byte) (key string, value []byte, err error) {
	n, w := binary.Uvarint(plain)
	if w <= 0 || n > uint64(len(plain)-w) {
		return "", nil, errors.New("sealed value does not start with its key")
	}
	return string(plain[w : w+int(n)]), plain[w+int(n):], nil
}

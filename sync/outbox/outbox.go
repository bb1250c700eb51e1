// Package outbox is the station's durable queue of records on their way to
// the hub. It is the source of truth: Put returns only after the record is
// committed to a bbolt file and fsynced, a record leaves the queue only
// when the hub acknowledged or rejected it, and the only deletion is the
// purge of delivered records after their retention period.
//
// Record bodies hold personal data, so they are sealed with AES-256-GCM
// under a key kept in a separate file beside the database. What stays in
// clear is what routing needs: ID, kind, sequence number, state and times.
package outbox

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
)

const (
	dbName  = "station.db"
	keyName = "station.key"
	// formatVersion is the on-disk layout; Open refuses a newer one.
	formatVersion = 1
)

var (
	bucketMeta      = []byte("meta")
	bucketQueue     = []byte("queue")     // seq → created(8) ‖ sealed record
	bucketIndex     = []byte("index")     // id → entry (JSON, no personal data)
	bucketDelivered = []byte("delivered") // deliveredAt(8) ‖ seq(8) → sealed record
	bucketRejected  = []byte("rejected")  // seq → sealed record
	bucketOnce      = []byte("once")      // one-time key → keep-until(8)
	keyVersion      = []byte("version")
	keyFingerprint  = []byte("key_fingerprint")
)

// States of a record at the station.
const (
	Queued    = "queued"
	Delivered = "delivered"
	Rejected  = "rejected"
)

// ErrNotFound is returned by Lookup for an ID the outbox does not hold:
// never queued, or delivered and purged after its retention.
var ErrNotFound = errors.New("outbox: no such record")

// ErrUsed is returned by PutOnce when its one-time key was spent before.
var ErrUsed = errors.New("outbox: one-time key already used")

// Entry is what the outbox knows of a record without opening its body.
type Entry struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Seq       uint64    `json:"seq"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Reason    string    `json:"reason,omitempty"` // why the hub rejected it
}

// Options tune an Outbox. The zero value is usable.
type Options struct {
	// Retention is how long a delivered record is kept before Purge
	// deletes it; default 30 days.
	Retention time.Duration
	Now       func() time.Time
	Log       *slog.Logger
	// LockTimeout is how long Open waits for another process to release
	// the database; default 5s.
	LockTimeout time.Duration
}

// Stats are the outbox's counts, kept in memory and updated after each
// committed transaction so /healthz and /metrics cost nothing.
type Stats struct {
	Queued       int
	Delivered    int
	Rejected     int
	OldestQueued time.Time // creation time of the oldest queued record
	LastSeq      uint64
}

// Outbox is safe for concurrent use.
type Outbox struct {
	db   *bolt.DB
	seal *sealer
	opt  Options

	mu    sync.Mutex
	stats Stats
}

// Open opens or creates the outbox in dir: dir/station.db and its key
// dir/station.key (mode 0600, created with the database).
func Open(dir string, opt Options) (*Outbox, error) {
	if opt.Retention <= 0 {
		opt.Retention = 30 * 24 * time.Hour
	}
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = 5 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: data dir: %w", err)
	}
	path := filepath.Join(dir, dbName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("outbox: %s is locked by another process (is another gridkiosk running?)", path)
		}
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	o := &Outbox{db: db, opt: opt}
	if err := o.init(filepath.Join(dir, keyName)); err != nil {
		db.Close()
		return nil, err
	}
	return o, nil
}

// init creates the buckets, checks the format version and the key, and
// loads the counts.
func (o *Outbox) init(keyPath string) error {
	return o.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("outbox: create buckets: %w", err)
		}
		for _, b := range [][]byte{bucketQueue, bucketIndex, bucketDelivered, bucketRejected, bucketOnce} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("outbox: create buckets: %w", err)
			}
		}
		if v := meta.Get(keyVersion); v != nil {
			if n := binary.BigEndian.Uint64(v); n > formatVersion {
				return fmt.Errorf("outbox: %s has format version %d; this gridkiosk reads up to %d (downgrade refused to protect the records)", o.db.Path(), n, formatVersion)
			}
		} else if err := meta.Put(keyVersion, u64(formatVersion)); err != nil {
			return fmt.Errorf("outbox: write format version: %w", err)
		}
		fp := meta.Get(keyFingerprint)
		key, err := loadKey(keyPath, fp == nil)
		if err != nil {
			return err
		}
		if o.seal, err = newSealer(key); err != nil {
			return err
		}
		if fp == nil {
			if err := meta.Put(keyFingerprint, o.seal.fp); err != nil {
				return fmt.Errorf("outbox: write key fingerprint: %w", err)
			}
		} else if string(fp) != string(o.seal.fp) {
			return fmt.Errorf("outbox: key file %s is not the key %s was written with; restore the right key", keyPath, o.db.Path())
		}
		o.stats = Stats{
			Queued:    tx.Bucket(bucketQueue).Stats().KeyN,
			Delivered: tx.Bucket(bucketDelivered).Stats().KeyN,
			Rejected:  tx.Bucket(bucketRejected).Stats().KeyN,
			LastSeq:   meta.Sequence(),
		}
		o.stats.OldestQueued = oldest(tx)
		return nil
	})
}

// Put assigns r the next sequence number of the station, seals it and
// commits it. It returns only after the commit is on disk (bbolt fsyncs
// each transaction). r.ID must be new.
func (o *Outbox) Put(r *upstream.Record) error { return o.put(r, "", time.Time{}) }

// PutOnce is Put that also spends the one-time key once, in the same
// transaction: the record is stored only if the key was not spent before
// (ErrUsed), so a crash can neither store the record without spending the
// key nor spend the key without the record. The key is remembered until
// keepUntil, after which Purge forgets it.
func (o *Outbox) PutOnce(r *upstream.Record, once string, keepUntil time.Time) error {
	if once == "" || len(once) > 128 {
		return fmt.Errorf("outbox: put: one-time key must be 1 to 128 bytes (the record was NOT stored)")
	}
	return o.put(r, once, keepUntil)
}

// Used reports whether a one-time key was spent by PutOnce.
func (o *Outbox) Used(once string) (bool, error) {
	var used bool
	err := o.db.View(func(tx *bolt.Tx) error {
		used = tx.Bucket(bucketOnce).Get([]byte(once)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("outbox: used: %w", err)
	}
	return used, nil
}

func (o *Outbox) put(r *upstream.Record, once string, keepUntil time.Time) error {
	if r.ID == "" || len(r.ID) > 64 {
		return fmt.Errorf("outbox: put: record ID %q must be 1 to 64 bytes", r.ID)
	}
	err := o.db.Update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketIndex)
		if idx.Get([]byte(r.ID)) != nil {
			return fmt.Errorf("outbox: put: record %s is already stored", r.ID)
		}
		if once != "" {
			b := tx.Bucket(bucketOnce)
			if b.Get([]byte(once)) != nil {
				return ErrUsed
			}
			if err := b.Put([]byte(once), u64(uint64(keepUntil.UnixNano()))); err != nil {
				return fmt.Errorf("outbox: put: one-time key: %w", err)
			}
		}
		seq, err := tx.Bucket(bucketMeta).NextSequence()
		if err != nil {
			return fmt.Errorf("outbox: put: next sequence: %w", err)
		}
		r.Seq = seq
		sealed, err := o.sealRecord(r)
		if err != nil {
			return err
		}
		val := append(u64(uint64(r.CreatedAt.UnixNano())), sealed...)
		if err := tx.Bucket(bucketQueue).Put(u64(seq), val); err != nil {
			return fmt.Errorf("outbox: put: %w", err)
		}
		now := o.opt.Now()
		return putEntry(idx, Entry{ID: r.ID, Kind: r.Kind, Seq: seq, State: Queued, CreatedAt: r.CreatedAt, UpdatedAt: now})
	})
	if err != nil {
		r.Seq = 0
		return fmt.Errorf("%w (the record was NOT stored)", err)
	}
	o.mu.Lock()
	o.stats.Queued++
	o.stats.LastSeq = r.Seq
	if o.stats.OldestQueued.IsZero() {
		o.stats.OldestQueued = r.CreatedAt
	}
	o.mu.Unlock()
	return nil
}

// Pending returns up to max queued records in sequence order.
func (o *Outbox) Pending(max int) ([]upstream.Record, error) {
	var out []upstream.Record
	err := o.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketQueue).Cursor()
		for k, v := c.First(); k != nil && len(out) < max; k, v = c.Next() {
			r, err := o.openRecord(v[8:])
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Lookup returns what the outbox knows of the record with the given ID.
func (o *Outbox) Lookup(id string) (Entry, error) {
	var e Entry
	err := o.db.View(func(tx *bolt.Tx) error {
		var err error
		e, err = getEntry(tx.Bucket(bucketIndex), id)
		return err
	})
	return e, err
}

// Stats returns the current counts.
func (o *Outbox) Stats() Stats {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stats
}

// Path is the database file's path.
func (o *Outbox) Path() string { return o.db.Path() }

// Close closes the database. Records already Put are safe whether or not
// Close is called.
func (o *Outbox) Close() error {
	if err := o.db.Close(); err != nil {
		return fmt.Errorf("outbox: close: %w", err)
	}
	return nil
}

// sealRecord encodes r as len(id) ‖ id ‖ sealed JSON. The ID rides in
// clear beside the body because it is the body's additional data.
func (o *Outbox) sealRecord(r *upstream.Record) ([]byte, error) {
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("outbox: encode record %s: %w", r.ID, err)
	}
	sealed, err := o.seal.seal(r.ID, plain)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 1+len(r.ID)+len(sealed))
	out = append(out, byte(len(r.ID)))
	out = append(out, r.ID...)
	return append(out, sealed...), nil
}

func (o *Outbox) openRecord(frame []byte) (upstream.Record, error) {
	var r upstream.Record
	if len(frame) < 1 || len(frame) < 1+int(frame[0]) {
		return r, errors.New("outbox: stored record is truncated")
	}
	id := string(frame[1 : 1+frame[0]])
	plain, err := o.seal.open(id, frame[1+len(id):])
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(plain, &r); err != nil {
		return r, fmt.Errorf("outbox: record %s: decode: %w", id, err)
	}
	return r, nil
}

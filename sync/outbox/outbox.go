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
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	dbName  = "station.db"
	keyName = "station.key"
	// formatVersion is the on-disk layout; Open migrates an older one
	// forward and refuses a newer one.
	formatVersion = 4
)

var (
	bucketMeta      = []byte("meta")
	bucketQueue     = []byte("queue")     // seq → created(8) ‖ sealed record
	bucketIndex     = []byte("index")     // id → entry (JSON, no personal data)
	bucketDelivered = []byte("delivered") // deliveredAt(8) ‖ seq(8) → sealed record
	bucketRejected  = []byte("rejected")  // seq → sealed record
	bucketOnce      = []byte("once")      // one-time key → keep-until(8) (format 2)
	bucketRefData   = []byte("refdata")   // "current" → sealed reference data (format 2, sealed since 4)
	bucketKept      = []byte("kept")      // keyed hash of a key → sealed key and value: state kept across restarts (format 3, hashed since 4)
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

// errDecode marks a record that decrypted but is not a record.
var errDecode = errors.New("decode")

// ErrUnknown is returned by Put when the commit failed after it reached
// the database file: the record may be on disk or not. The caller must
// look the record up by its ID before storing it again, and a retry must
// use the same ID (Recommit makes sure of a record found).
var ErrUnknown = errors.New("outbox: the outcome of the commit is unknown")

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
	// MaxBytes caps the space the records take; 0 means no cap beyond
	// the disk's. MinFree is the space Put leaves free on the disk, so
	// that the system and the commit that frees space still have room;
	// default 32 MiB; negative, none (tests of a truly full disk). Past
	// either, Put refuses new records (ErrFull) and never evicts old ones.
	MaxBytes int64
	MinFree  int64
	// SyncFault is for fault-injection tests only and nil otherwise. A
	// failing fdatasync cannot be had on demand from a real disk, so the
	// outbox asks SyncFault where bbolt syncs a commit: with false just
	// before the data pages are synced (an error then rolls the commit
	// back) and with true after the meta page was written (an error then
	// leaves the commit on disk or not, as a real one may).
	SyncFault func(afterMeta bool) error
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
	dir  string

	// The commit turn (see enqueue and lead): busy while a goroutine
	// commits; waiting holds the requests for the commit after it.
	cmu     sync.Mutex
	busy    bool
	waiting []*putReq
	idle    sync.Cond // busy fell to false
	closed  bool
	wg      sync.WaitGroup // the goroutines lead passed the turn to

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
	if opt.MinFree == 0 {
		opt.MinFree = 32 << 20
	}
	if err := makeDir(dir); err != nil {
		return nil, fmt.Errorf("outbox: data dir: %w", err)
	}
	path := filepath.Join(dir, dbName)
	_, statErr := os.Stat(path)
	// The free-page list is not written with each commit: it is only a
	// summary of the pages no tree reaches, which bbolt works out again
	// when it opens the file (a read of every page in use: 9 ms for 32 MiB
	// here). Records are as durable either way; each commit writes one
	// page less, and a lone Put was paying for that page.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout, NoFreelistSync: true})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("outbox: %s is locked by another process (is another gridkiosk running?)", path)
		}
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		// bbolt syncs the new file's content, not the directory entry
		// that names it: without this, a power cut could take the file
		// and every record committed to it.
		if err := syncDir(dir); err != nil {
			db.Close()
			return nil, err
		}
	}
	o := &Outbox{db: db, opt: opt, dir: dir}
	o.idle.L = &o.cmu
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
		// The key comes first: migrations seal what older formats kept
		// in clear.
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
		if err := o.migrate(tx, meta); err != nil {
			return err
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

// Pending returns up to max queued records in sequence order. A stored
// record that cannot be opened (it fails to decrypt or decode) is moved to
// the rejected set with the reason, where staff see it, and the records
// after it are returned: one damaged record must not stop every other
// from reaching the hub.
func (o *Outbox) Pending(max int) ([]wire.Record, error) {
	for {
		out, bad, err := o.pending(max)
		if err != nil || len(bad) == 0 {
			return out, err
		}
		if err := o.setAside(bad); err != nil {
			return nil, err
		}
	}
}

// unreadable is a queued record that cannot be opened.
type unreadable struct {
	seq uint64
	err error
}

func (o *Outbox) pending(max int) (out []wire.Record, bad []unreadable, err error) {
	err = o.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketQueue).Cursor()
		for k, v := c.First(); k != nil && len(out) < max; k, v = c.Next() {
			r, err := o.openRecord(v[8:])
			if err != nil {
				bad = append(bad, unreadable{seq: binary.BigEndian.Uint64(k), err: err})
				continue
			}
			out = append(out, r)
		}
		return nil
	})
	return out, bad, err
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
// Close is called. Puts waiting for a commit are committed first; later
// ones fail with ErrClosed.
func (o *Outbox) Close() error {
	o.cmu.Lock()
	if o.closed {
		o.cmu.Unlock()
		return nil
	}
	o.closed = true
	for o.busy {
		o.idle.Wait()
	}
	o.cmu.Unlock()
	o.wg.Wait()
	if err := o.db.Close(); err != nil {
		return fmt.Errorf("outbox: close: %w", err)
	}
	return nil
}

// sealRecord encodes r as len(id) ‖ id ‖ sealed JSON. The ID rides in
// clear beside the body because it is the body's additional data.
func (o *Outbox) sealRecord(r *wire.Record) ([]byte, error) {
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

func (o *Outbox) openRecord(frame []byte) (wire.Record, error) {
	var r wire.Record
	if len(frame) < 1 || len(frame) < 1+int(frame[0]) {
		return r, errors.New("outbox: stored record is truncated")
	}
	id := string(frame[1 : 1+frame[0]])
	plain, err := o.seal.open(id, frame[1+len(id):])
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(plain, &r); err != nil {
		return r, fmt.Errorf("outbox: record %s: %w: %v", id, errDecode, err)
	}
	return r, nil
}

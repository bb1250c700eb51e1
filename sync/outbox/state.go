package outbox

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// purgeChunk bounds one purge transaction, so a purge after a long time
// offline never holds the write lock for long.
const purgeChunk = 1000

// Ack moves acknowledged records from the queue to the delivered set. IDs
// that are not queued (already acked, or unknown) are ignored: the hub may
// ack a record twice.
func (o *Outbox) Ack(ids []string) error {
	now := o.opt.Now()
	// The delivered set is keyed by delivery time, so Purge walks it in
	// order; Get finds the key again from the entry's UpdatedAt.
	n, err := o.moveQueued("ack", ids, bucketDelivered, func(e *Entry, _ int) []byte {
		e.State, e.UpdatedAt = Delivered, now
		return append(u64(uint64(now.UnixNano())), u64(e.Seq)...)
	})
	if err != nil {
		return err
	}
	o.afterMove(n, n, 0)
	return nil
}

// Reject moves records the hub refused from the queue to the rejected set,
// with the hub's reason, where staff can see them.
func (o *Outbox) Reject(rs []wire.Rejection) error {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	now := o.opt.Now()
	n, err := o.moveQueued("reject", ids, bucketRejected, func(e *Entry, i int) []byte {
		e.State, e.UpdatedAt, e.Reason = Rejected, now, rs[i].Reason
		return u64(e.Seq)
	})
	if err != nil {
		return err
	}
	o.afterMove(n, 0, n)
	return nil
}

// moveQueued moves the queued records among ids into the bucket to, in one
// transaction. mark updates the i-th record's entry and returns its key in
// to. Records not queued are skipped.
func (o *Outbox) moveQueued(op string, ids []string, to []byte, mark func(e *Entry, i int) []byte) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	moved := 0
	err := o.db.Update(func(tx *bolt.Tx) error {
		moved = 0
		idx, q, dst := tx.Bucket(bucketIndex), tx.Bucket(bucketQueue), tx.Bucket(to)
		for i, id := range ids {
			e, err := getEntry(idx, id)
			if err != nil || e.State != Queued {
				continue
			}
			v := q.Get(u64(e.Seq))
			if v == nil {
				return fmt.Errorf("outbox: %s %s: index says queued but the queue has no seq %d", op, id, e.Seq)
			}
			if err := dst.Put(mark(&e, i), v[8:]); err != nil {
				return fmt.Errorf("outbox: %s %s: %w", op, id, err)
			}
			if err := q.Delete(u64(e.Seq)); err != nil {
				return fmt.Errorf("outbox: %s %s: %w", op, id, err)
			}
			if err := putEntry(idx, e); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	return moved, err
}

// Purge deletes delivered records whose retention has passed and returns
// how many went. It is the only way a record leaves the outbox.
func (o *Outbox) Purge() (int, error) {
	if err := o.forgetOnce(); err != nil {
		return 0, err
	}
	cutoff := uint64(o.opt.Now().Add(-o.opt.Retention).UnixNano())
	total := 0
	for {
		n := 0
		err := o.db.Update(func(tx *bolt.Tx) error {
			n = 0
			idx, del := tx.Bucket(bucketIndex), tx.Bucket(bucketDelivered)
			c := del.Cursor()
			for k, v := c.First(); k != nil && n < purgeChunk; k, v = c.First() {
				if binary.BigEndian.Uint64(k[:8]) >= cutoff {
					break
				}
				if len(v) > 0 && len(v) >= 1+int(v[0]) {
					if err := idx.Delete(v[1 : 1+v[0]]); err != nil {
						return fmt.Errorf("outbox: purge: %w", err)
					}
				}
				if err := c.Delete(); err != nil {
					return fmt.Errorf("outbox: purge: %w", err)
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		o.mu.Lock()
		o.stats.Delivered -= n
		o.mu.Unlock()
		if n < purgeChunk {
			return total, nil
		}
	}
}

// afterMove updates the counts once a transaction that moved records out of
// the queue has committed.
func (o *Outbox) afterMove(out, delivered, rejected int) {
	if out == 0 {
		return
	}
	var first time.Time
	if err := o.db.View(func(tx *bolt.Tx) error { first = oldest(tx); return nil }); err != nil {
		o.opt.Log.Warn("outbox: read oldest queued record", "err", err)
	}
	o.mu.Lock()
	o.stats.Queued -= out
	o.stats.Delivered += delivered
	o.stats.Rejected += rejected
	o.stats.OldestQueued = first
	o.mu.Unlock()
}

// Get returns a stored record with what the outbox knows of it, whatever
// its state: staff reprint receipts of delivered records too.
func (o *Outbox) Get(id string) (wire.Record, Entry, error) {
	var rec wire.Record
	var e Entry
	err := o.db.View(func(tx *bolt.Tx) error {
		var err error
		if e, err = getEntry(tx.Bucket(bucketIndex), id); err != nil {
			return err
		}
		var v []byte
		switch e.State {
		case Queued:
			if v = tx.Bucket(bucketQueue).Get(u64(e.Seq)); len(v) >= 8 {
				v = v[8:]
			}
		case Delivered:
			// Ack keys the delivered set by the delivery time, which is
			// the entry's last update.
			v = tx.Bucket(bucketDelivered).Get(append(u64(uint64(e.UpdatedAt.UnixNano())), u64(e.Seq)...))
		case Rejected:
			v = tx.Bucket(bucketRejected).Get(u64(e.Seq))
		}
		if v == nil {
			return fmt.Errorf("outbox: record %s is indexed as %s but its body is missing", id, e.State)
		}
		rec, err = o.openRecord(v)
		return err
	})
	return rec, e, err
}

func oldest(tx *bolt.Tx) time.Time {
	_, v := tx.Bucket(bucketQueue).Cursor().First()
	if len(v) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v[:8])))
}

func getEntry(idx *bolt.Bucket, id string) (Entry, error) {
	v := idx.Get([]byte(id))
	if v == nil {
		return Entry{}, ErrNotFound
	}
	var e Entry
	if err := json.Unmarshal(v, &e); err != nil {
		return Entry{}, fmt.Errorf("outbox: index entry %s: %w", id, err)
	}
	return e, nil
}

func putEntry(idx *bolt.Bucket, e Entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("outbox: encode index entry %s: %w", e.ID, err)
	}
	if err := idx.Put([]byte(e.ID), v); err != nil {
		return fmt.Errorf("outbox: index %s: %w", e.ID, err)
	}
	return nil
}

func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// forgetOnce deletes the one-time keys whose keep-until has passed. There
// are few (one per appointment used), so one transaction does.
func (o *Outbox) forgetOnce() error {
	now := uint64(o.opt.Now().UnixNano())
	err := o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOnce)
		// Collected first: deleting under a moving cursor skips keys.
		var old [][]byte
		b.ForEach(func(k, v []byte) error {
			if len(v) == 8 && binary.BigEndian.Uint64(v) < now {
				old = append(old, k)
			}
			return nil
		})
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox: purge one-time keys: %w", err)
	}
	return nil
}

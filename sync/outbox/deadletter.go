package outbox

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Rejected lists the records the hub refused, oldest first, as staff see
// them: what, when and why, without their bodies.
func (o *Outbox) Rejected() ([]Entry, error) {
	var out []Entry
	err := o.db.View(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketIndex)
		return tx.Bucket(bucketRejected).ForEach(func(_, v []byte) error {
			if len(v) < 1 || len(v) < 1+int(v[0]) {
				return fmt.Errorf("outbox: a rejected record is truncated")
			}
			e, err := getEntry(idx, string(v[1:1+v[0]]))
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: list rejected: %w", err)
	}
	return out, nil
}

// Resend puts rejected records back in the queue, under their own
// sequence numbers, once staff dealt with the hub's reason (a category the
// hub did not know yet, say). It returns how many went back; IDs that are
// not rejected are skipped.
func (o *Outbox) Resend(ids []string) (int, error) {
	now := o.opt.Now()
	moved := 0
	err := o.db.Update(func(tx *bolt.Tx) error {
		moved = 0
		idx, q, rej := tx.Bucket(bucketIndex), tx.Bucket(bucketQueue), tx.Bucket(bucketRejected)
		for _, id := range ids {
			e, err := getEntry(idx, id)
			if err != nil || e.State != Rejected {
				continue
			}
			v := rej.Get(u64(e.Seq))
			if v == nil {
				return fmt.Errorf("outbox: resend %s: index says rejected but the body is missing", id)
			}
			if err := q.Put(u64(e.Seq), append(u64(uint64(e.CreatedAt.UnixNano())), v...)); err != nil {
				return fmt.Errorf("outbox: resend %s: %w", id, err)
			}
			if err := rej.Delete(u64(e.Seq)); err != nil {
				return fmt.Errorf("outbox: resend %s: %w", id, err)
			}
			e.State, e.UpdatedAt, e.Reason = Queued, now, ""
			if err := putEntry(idx, e); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	o.mu.Lock()
	o.stats.Queued += moved
	o.stats.Rejected -= moved
	o.mu.Unlock()
	o.db.View(func(tx *bolt.Tx) error {
		first := oldest(tx)
		o.mu.Lock()
		o.stats.OldestQueued = first
		o.mu.Unlock()
		return nil
	})
	return moved, nil
}

// setAside moves queued records that cannot be opened to the rejected set,
// with why, in one transaction. The body is kept as it is: restoring the
// right key file and resending may still recover it.
func (o *Outbox) setAside(bad []unreadable) error {
	now := o.opt.Now()
	moved := 0
	err := o.db.Update(func(tx *bolt.Tx) error {
		moved = 0
		idx, q, rej := tx.Bucket(bucketIndex), tx.Bucket(bucketQueue), tx.Bucket(bucketRejected)
		for _, b := range bad {
			v := q.Get(u64(b.seq))
			if v == nil {
				continue // moved since it was read
			}
			e, frame, err := unreadableEntry(idx, b.seq, v[8:])
			if err != nil {
				return err
			}
			e.State, e.UpdatedAt = Rejected, now
			e.Reason = fmt.Sprintf("station: stored record %d could not be %s: %v", b.seq, failedStep(b.err), b.err)
			if err := rej.Put(u64(b.seq), frame); err != nil {
				return fmt.Errorf("outbox: set aside record %d: %w", b.seq, err)
			}
			if err := q.Delete(u64(b.seq)); err != nil {
				return fmt.Errorf("outbox: set aside record %d: %w", b.seq, err)
			}
			if err := putEntry(idx, e); err != nil {
				return err
			}
			o.opt.Log.Error("outbox: a stored record cannot be opened; set aside for staff, the rest is sent",
				"seq", b.seq, "id", e.ID, "err", b.err)
			moved++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox: set aside unreadable records: %w", err)
	}
	o.afterMove(moved, 0, moved)
	return nil
}

// unreadableEntry finds the index entry of the record stored at seq and the
// frame to keep in the rejected set, which must start with the record's ID
// (Rejected reads it there). A frame too short to hold its ID is kept
// behind the ID the index has for seq, or a made-up one when even the
// index lost it.
func unreadableEntry(idx *bolt.Bucket, seq uint64, frame []byte) (Entry, []byte, error) {
	if len(frame) >= 1 && len(frame) >= 1+int(frame[0]) && frame[0] > 0 {
		e, err := getEntry(idx, string(frame[1:1+frame[0]]))
		if err == nil && e.Seq == seq {
			return e, frame, nil
		}
	}
	var found *Entry
	idx.ForEach(func(k, v []byte) error {
		var e Entry
		if found == nil && json.Unmarshal(v, &e) == nil && e.Seq == seq {
			found = &e
		}
		return nil
	})
	e := Entry{ID: fmt.Sprintf("seq-%d", seq), Seq: seq}
	if found != nil {
		e = *found
	}
	kept := append([]byte{byte(len(e.ID))}, e.ID...)
	return e, append(kept, frame...), nil
}

// failedStep names what went wrong for the staff's list.
func failedStep(err error) string {
	if errors.Is(err, errDecode) {
		return "decoded"
	}
	return "decrypted"
}

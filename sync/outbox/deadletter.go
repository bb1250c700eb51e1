package outbox

import (
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

package outbox

import (
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// List returns what the outbox knows of the records created since a time,
// newest first, at most max: the staff's "today" list. It reads the index
// only, never a record's body.
func (o *Outbox) List(since time.Time, max int) ([]Entry, error) {
	var out []Entry
	err := o.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIndex).ForEach(func(k, _ []byte) error {
			e, err := getEntry(tx.Bucket(bucketIndex), string(k))
			if err != nil {
				return err
			}
			if !e.CreatedAt.Before(since) {
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	slices.SortFunc(out, func(a, b Entry) int { return int(b.Seq) - int(a.Seq) })
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}

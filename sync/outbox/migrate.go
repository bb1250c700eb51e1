package outbox

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migration returns what moves a database of format v to v+1, or nil.
// Each runs in the transaction that opens the database, so a crash leaves
// the old format whole and the next start migrates again. A migration
// adds; it never drops a record.
func migration(v uint64) func(tx *bolt.Tx) error {
	switch v {
	case 1:
		// Format 2 adds the one-time keys of appointment codes and the
		// reference data the station keeps for offline use.
		return func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketOnce, bucketRefData} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		}
	case 2:
		// Format 3 adds the sealed state the station keeps across
		// restarts (the volunteers checked in).
		return func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bucketKept)
			return err
		}
	}
	return nil
}

// migrate creates a new database's buckets, or brings an older format
// forward; it refuses a newer format, which this code might misread.
func (o *Outbox) migrate(tx *bolt.Tx, meta *bolt.Bucket) error {
	v := meta.Get(keyVersion)
	if v == nil {
		for _, b := range [][]byte{bucketQueue, bucketIndex, bucketDelivered, bucketRejected, bucketOnce, bucketRefData, bucketKept} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("outbox: create buckets: %w", err)
			}
		}
		if err := meta.Put(keyVersion, u64(formatVersion)); err != nil {
			return fmt.Errorf("outbox: write format version: %w", err)
		}
		return nil
	}
	n := binary.BigEndian.Uint64(v)
	if n > formatVersion {
		return fmt.Errorf("outbox: %s has format version %d; this gridkiosk reads up to %d (downgrade refused to protect the records)", o.db.Path(), n, formatVersion)
	}
	for ; n < formatVersion; n++ {
		m := migration(n)
		if m == nil {
			return fmt.Errorf("outbox: %s: no migration from format %d", o.db.Path(), n)
		}
		if err := m(tx); err != nil {
			return fmt.Errorf("outbox: migrate %s from format %d to %d: %w", o.db.Path(), n, n+1, err)
		}
		if err := meta.Put(keyVersion, u64(n+1)); err != nil {
			return fmt.Errorf("outbox: write format version: %w", err)
		}
		o.opt.Log.Info("outbox: migrated", "path", o.db.Path(), "from", n, "to", n+1)
	}
	return nil
}

package outbox

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migration returns what moves a database of format v to v+1, or nil.
// Each runs in the transaction that opens the database, so a crash leaves
// the old format whole and the next start migrates again. A migration
// adds; it never drops a record.
func (o *Outbox) migration(v uint64) func(tx *bolt.Tx) error {
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
	case 3:
		// Format 4 seals the reference data (staff PIN hashes) and keeps
		// no kept key in clear (they named volunteers).
		return o.sealFormat3
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
		m := o.migration(n)
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

// sealFormat3 seals what format 3 kept in clear: the reference data, and
// the kept keys, which become keyed hashes with the key sealed inside.
func (o *Outbox) sealFormat3(tx *bolt.Tx) error {
	rb := tx.Bucket(bucketRefData)
	if v := rb.Get(keyRefData); v != nil {
		sealed, err := o.seal.seal(refDataAD, v)
		if err != nil {
			return err
		}
		if err := rb.Put(keyRefData, sealed); err != nil {
			return fmt.Errorf("seal reference data: %w", err)
		}
	}
	kb := tx.Bucket(bucketKept)
	type kv struct{ k, v []byte }
	var old []kv
	// Collected first: writing under a moving cursor skips keys.
	kb.ForEach(func(k, v []byte) error {
		old = append(old, kv{bytes.Clone(k), bytes.Clone(v)})
		return nil
	})
	for _, e := range old {
		plain, err := o.seal.open("kept\x00"+string(e.k), e.v)
		if err != nil {
			// Kept as it was: a value that does not open now never
			// would, but it is not ours to drop.
			o.opt.Log.Error("outbox: migrate: a kept value does not open; left as it was", "err", err)
			continue
		}
		name := o.seal.keptName(string(e.k))
		sealed, err := o.seal.seal(keptAD(name), keptPlain(string(e.k), plain))
		if err != nil {
			return err
		}
		if err := kb.Delete(e.k); err != nil {
			return fmt.Errorf("rename a kept value: %w", err)
		}
		if err := kb.Put(name, sealed); err != nil {
			return fmt.Errorf("rename a kept value: %w", err)
		}
	}
	return nil
}

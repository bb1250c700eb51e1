package hub

import (
	"fmt"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/hub/hubseal"
)

// What the bolt file holds of the residents (record payloads) and staff
// (reference data with names and PIN hashes) is sealed with AES-256-GCM
// under a key in a file of its own (package hubseal), so that a copy of
// hub.db (a backup, a disk sent for repair) is no use without the key.
// Record IDs, station IDs and token hashes stay in clear: they are keys.
const keyFingerprint = "key_fingerprint"

// DefaultKeyFile is where the key of the bolt file at path is kept when
// nothing else is said: beside it, hub.db → hub.key.
func DefaultKeyFile(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".key"
}

// openSealer reads the key (making it when the file has never had one)
// and checks it is the key the file was sealed with.
func openSealer(db *bolt.DB, keyFile string) (*hubseal.Sealer, error) {
	var fp []byte
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketMeta))
		if err != nil {
			return err
		}
		fp = append([]byte(nil), b.Get([]byte(keyFingerprint))...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s, err := hubseal.Load(keyFile, len(fp) == 0, db.Path())
	if err != nil {
		return nil, err
	}
	if len(fp) == 0 {
		err = db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyFingerprint), s.Fingerprint())
		})
		return s, err
	}
	if string(fp) != string(s.Fingerprint()) {
		return nil, fmt.Errorf("key file %s is not the key %s was sealed with; restore the right key (--key-file)", keyFile, db.Path())
	}
	return s, nil
}

func recordAD(id string) string   { return hubseal.RecordAD(id) }
func refDataAD(key []byte) string { return hubseal.RefDataAD(string(key)) }

// sealInClear seals the values a file written before sealing holds in
// clear, a chunk per transaction, so a large file does not hold the lock
// for long.
func (s *BoltStore) sealInClear() (int, error) {
	total := 0
	for _, b := range []struct {
		name string
		ad   func(k []byte) string
	}{
		{bucketRecords, func(k []byte) string { return recordAD(string(k)) }},
		{bucketRefData, refDataAD},
	} {
		for {
			n := 0
			err := s.db.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket([]byte(b.name))
				var clear [][2][]byte
				bk.ForEach(func(k, v []byte) error {
					if len(clear) < 1000 && len(v) > 0 && !hubseal.IsSealed(v) {
						clear = append(clear, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
					}
					return nil
				})
				for _, kv := range clear {
					sealed, err := s.seal.Seal(b.ad(kv[0]), kv[1])
					if err != nil {
						return err
					}
					if err := bk.Put(kv[0], sealed); err != nil {
						return err
					}
				}
				n = len(clear)
				return nil
			})
			if err != nil {
				return total, fmt.Errorf("seal %s: %w", b.name, err)
			}
			total += n
			if n < 1000 {
				break
			}
		}
	}
	return total, nil
}

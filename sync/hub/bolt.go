package hub

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/gridkiosk/gridkiosk/sync/hub/hubseal"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The buckets of a hub's bolt file.
const (
	bucketRecords  = "records"  // record ID → boltRecord
	bucketStations = "stations" // station ID → boltStation
	bucketTokens   = "tokens"   // SHA-256 of a token → station ID
	bucketRefData  = "refdata"  // station ID, or refDataGlobal → reference data as loaded
	bucketMeta     = "meta"     // facts about the file itself, see metaIDsLower
)

// metaIDsLower marks a file whose record keys lowerIDs has made lower
// case, so that later opens need not read every key again.
const metaIDsLower = "ids_lower"

// refDataGlobal keys the global reference data: bolt keys cannot be
// empty, and no station ID has a '*'.
const refDataGlobal = "*"

// ErrLocked is wrapped by OpenBolt's error when another process, most
// likely gridhub serve, holds the file: bbolt allows one process at a time.
var ErrLocked = errors.New("locked by another process")

// BoltStore is the embedded Store: one bbolt file, its records and
// reference data sealed under a key file (see boltseal.go).
type BoltStore struct {
	db   *bolt.DB
	seal *hubseal.Sealer
}

// OpenBolt opens or creates the hub's database file, waiting up to five
// seconds for another process to let go of it. Its key is
// DefaultKeyFile(path), made on first use.
func OpenBolt(path string) (*BoltStore, error) {
	return OpenBoltTimeout(path, 5*time.Second)
}

// OpenBoltTimeout is OpenBolt waiting at most wait for the file's lock.
// The error wraps ErrLocked when the wait was in vain.
func OpenBoltTimeout(path string, wait time.Duration) (*BoltStore, error) {
	return OpenBoltKey(path, DefaultKeyFile(path), wait)
}

// OpenBoltKey is OpenBoltTimeout with the key in keyFile. A file written
// before the hub sealed its data has what it holds in clear sealed here.
func OpenBoltKey(path, keyFile string, wait time.Duration) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: wait})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("hub: %s is %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("hub: open %s: %w", path, err)
	}
	// Files from before stations and reference data were kept have only
	// the records bucket; the others are added here.
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range slices.Concat([]string{bucketRecords, bucketStations, bucketTokens, bucketRefData, bucketMeta}, consoleBuckets, releaseBuckets) {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("hub: init %s: %w", path, err)
	}
	s := &BoltStore{db: db}
	if s.seal, err = openSealer(db, keyFile); err != nil {
		db.Close()
		return nil, fmt.Errorf("hub: %w", err)
	}
	if err := db.Update(s.lowerIDs); err != nil {
		db.Close()
		return nil, fmt.Errorf("hub: init %s: %w", path, err)
	}
	if _, err := s.sealInClear(); err != nil {
		db.Close()
		return nil, fmt.Errorf("hub: %s: %w", path, err)
	}
	return s, nil
}

// lowerIDs re-keys the records that hubs before case-insensitive IDs
// stored under an ID with upper-case letters, so that the same record
// sent in lower case is found. Where the lower-case key is taken too (the
// old hub took both as two records) both are left as they are, the
// upper-case one still found by its exact ID: which is right is for
// the county's staff to say, not for a migration.
func (s *BoltStore) lowerIDs(tx *bolt.Tx) error {
	meta := tx.Bucket([]byte(bucketMeta))
	if meta.Get([]byte(metaIDsLower)) != nil {
		return nil
	}
	b := tx.Bucket([]byte(bucketRecords))
	var upper [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		if NormalID(string(k)) != string(k) {
			upper = append(upper, slices.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range upper {
		lower := []byte(NormalID(string(k)))
		if b.Get(lower) != nil {
			continue
		}
		st, err := s.decodeRecord(string(k), b.Get(k))
		if err != nil {
			return fmt.Errorf("record %s: %w", k, err)
		}
		st.Record.ID = string(lower)
		v, err := s.encodeRecord(st)
		if err != nil {
			return fmt.Errorf("record %s: %w", k, err)
		}
		if err := b.Put(lower, v); err != nil {
			return err
		}
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return meta.Put([]byte(metaIDsLower), []byte("1"))
}

// boltRecord is a record in the bolt file. Grid and payload sit beside
// the record as JSON strings, because encoding/json compacts and
// HTML-escapes a RawMessage it marshals and the hub keeps them byte for
// byte. Records written before have them inline in "record", and read.
type boltRecord struct {
	Stored
	Grid    *string `json:"grid_raw,omitempty"`
	Payload *string `json:"payload_raw,omitempty"`
}

// encodeRecord is a record as stored: sealed, bound to its ID.
func (s *BoltStore) encodeRecord(st Stored) ([]byte, error) {
	grid, payload := string(st.Record.Grid), string(st.Record.Payload)
	st.Record.Grid, st.Record.Payload = nil, nil
	v, err := json.Marshal(boltRecord{Stored: st, Grid: &grid, Payload: &payload})
	if err != nil {
		return nil, err
	}
	return s.seal.Seal(recordAD(st.Record.ID), v)
}

func (s *BoltStore) decodeRecord(id string, v []byte) (Stored, error) {
	v, err := s.seal.Open(recordAD(id), v)
	if err != nil {
		return Stored{}, err
	}
	var br boltRecord
	if err := json.Unmarshal(v, &br); err != nil {
		return Stored{}, err
	}
	if br.Grid != nil {
		br.Record.Grid = json.RawMessage(*br.Grid)
	}
	if br.Payload != nil {
		br.Record.Payload = json.RawMessage(*br.Payload)
	}
	return br.Stored, nil
}

// Ingest implements Store. Records are keyed by NormalID; a second
// delivery of an ID the hub holds is acked and only counted when its
// content is the same, and rejected as a conflict when not. One bolt transaction
// takes the whole batch, and bolt runs one at a time, so overlapping
// batches store each record once.
func (s *BoltStore) Ingest(station string, recs []wire.Record, at time.Time) (wire.Reply, error) {
	var reply wire.Reply
	err := s.db.Update(func(tx *bolt.Tx) error {
		reply = wire.Reply{}
		b := tx.Bucket([]byte(bucketRecords))
		for _, r := range recs {
			if reason := Check(r); reason != "" {
				reply.Rejected = append(reply.Rejected, wire.Rejection{ID: r.ID, Reason: reason})
				continue
			}
			key := NormalID(r.ID)
			st := Stored{StationID: station, ReceivedAt: at, Record: r, State: StateReceived, UpdatedAt: at}
			st.Record.ID, st.Record.LinkKey = key, LinkKey(r)
			if v := b.Get([]byte(key)); v != nil {
				var err error
				if st, err = s.decodeRecord(r.ID, v); err != nil {
					return fmt.Errorf("hub: record %s: %w", r.ID, err)
				}
				if st.StationID != station {
					reply.Rejected = append(reply.Rejected, OtherStation(r.ID))
					continue
				}
				if rej, ok := Conflict(st.Record, r); ok {
					reply.Rejected = append(reply.Rejected, rej)
					continue
				}
				if st.Record.LinkKey == "" {
					st.Record.LinkKey = LinkKey(r)
				}
			}
			st.Deliveries++
			v, err := s.encodeRecord(st)
			if err != nil {
				return fmt.Errorf("hub: record %s: %w", r.ID, err)
			}
			if err := b.Put([]byte(key), v); err != nil {
				return fmt.Errorf("hub: record %s: %w", r.ID, err)
			}
			reply.Acked = append(reply.Acked, r.ID)
		}
		return nil
	})
	return reply, err
}

// getRecord finds a record by ID in any case: under NormalID, or, for a
// record that kept its key because another had its lower-case form when
// the file was migrated (see lowerIDs), as it was stored.
func getRecord(b *bolt.Bucket, id string) (key, v []byte) {
	if v := b.Get([]byte(NormalID(id))); v != nil {
		return []byte(NormalID(id)), v
	}
	if v := b.Get([]byte(id)); v != nil {
		return []byte(id), v
	}
	return nil, nil
}

// Status implements Store.
func (s *BoltStore) Status(stationID, id string) (wire.Status, bool, error) {
	var st Stored
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		_, v := getRecord(tx.Bucket([]byte(bucketRecords)), id)
		if v == nil {
			return nil
		}
		ok = true
		var err error
		st, err = s.decodeRecord(id, v)
		return err
	})
	if err != nil {
		return wire.Status{}, false, fmt.Errorf("hub: status of %s: %w", id, err)
	}
	if !ok || st.StationID != stationID {
		return wire.Status{}, false, nil
	}
	return wire.Status{ID: id, State: st.State, UpdatedAt: st.UpdatedAt, Note: st.Note}, true, nil
}

// Record implements Store.
func (s *BoltStore) Record(id string) (Stored, bool, error) {
	var st Stored
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		key, v := getRecord(tx.Bucket([]byte(bucketRecords)), id)
		if v == nil {
			return nil
		}
		ok = true
		var err error
		st, err = s.decodeRecord(string(key), v)
		return err
	})
	if err != nil {
		return Stored{}, false, fmt.Errorf("hub: record %s: %w", id, err)
	}
	return st, ok, nil
}

// SetStatus implements Store.
func (s *BoltStore) SetStatus(id, state, note string, at time.Time) error {
	if err := CheckState(state); err != nil {
		return fmt.Errorf("hub: set status of %s: %w", id, err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketRecords))
		key, v := getRecord(b, id)
		if v == nil {
			return ErrNotFound
		}
		st, err := s.decodeRecord(id, v)
		if err != nil {
			return err
		}
		st.State, st.Note, st.UpdatedAt = state, note, at
		if v, err = s.encodeRecord(st); err != nil {
			return err
		}
		return b.Put(key, v)
	})
	if err != nil {
		return fmt.Errorf("hub: set status of %s: %w", id, err)
	}
	return nil
}

// Records implements Store. Bolt has no index but the ID, so it reads
// every record; a hub with more records than fit in memory belongs on
// PostgreSQL.
func (s *BoltStore) Records(q Query) ([]Stored, error) {
	var out []Stored
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketRecords)).ForEach(func(k, v []byte) error {
			st, err := s.decodeRecord(string(k), v)
			if err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			if (q.StationID == "" || st.StationID == q.StationID) && (q.State == "" || st.State == q.State) {
				out = append(out, st)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: records: %w", err)
	}
	slices.SortFunc(out, func(a, b Stored) int {
		if c := strings.Compare(a.StationID, b.StationID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Record.Seq, b.Record.Seq); c != 0 {
			return c
		}
		return strings.Compare(a.Record.ID, b.Record.ID)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// All returns every stored record, for tests, audits and dumps.
func (s *BoltStore) All() ([]Stored, error) { return s.Records(Query{}) }

// Close closes the database.
func (s *BoltStore) Close() error { return s.db.Close() }

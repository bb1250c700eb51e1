package hub

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
)

var bucketRecords = []byte("records")

// Stored is a record as the hub keeps it: the station's record unchanged,
// and the hub's own times beside it.
type Stored struct {
	StationID  string          `json:"station_id"`
	ReceivedAt time.Time       `json:"received_at"`
	Record     upstream.Record `json:"record"`
	State      string          `json:"state"`
	UpdatedAt  time.Time       `json:"updated_at"`
	Note       string          `json:"note,omitempty"`
	// Deliveries counts how often the station sent this record; more than
	// one means a retry that the hub absorbed.
	Deliveries int `json:"deliveries"`
}

// BoltStore is the embedded Store: one bbolt file.
type BoltStore struct {
	db *bolt.DB
}

// OpenBolt opens or creates the hub's database file.
func OpenBolt(path string) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("hub: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketRecords)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("hub: init %s: %w", path, err)
	}
	return &BoltStore{db: db}, nil
}

// Ingest implements Store. Records are keyed by ID; a second delivery of
// an ID the hub holds is acked and only counted.
func (s *BoltStore) Ingest(station string, recs []upstream.Record, at time.Time) (upstream.Reply, error) {
	var reply upstream.Reply
	err := s.db.Update(func(tx *bolt.Tx) error {
		reply = upstream.Reply{}
		b := tx.Bucket(bucketRecords)
		for _, r := range recs {
			st := Stored{StationID: station, ReceivedAt: at, Record: r, State: "received", UpdatedAt: at}
			if v := b.Get([]byte(r.ID)); v != nil {
				if err := json.Unmarshal(v, &st); err != nil {
					return fmt.Errorf("hub: record %s: %w", r.ID, err)
				}
				if st.StationID != station {
					reply.Rejected = append(reply.Rejected, upstream.Rejection{ID: r.ID, Reason: "id already used by another station"})
					continue
				}
			}
			st.Deliveries++
			v, err := json.Marshal(st)
			if err != nil {
				return fmt.Errorf("hub: record %s: %w", r.ID, err)
			}
			if err := b.Put([]byte(r.ID), v); err != nil {
				return fmt.Errorf("hub: record %s: %w", r.ID, err)
			}
			reply.Acked = append(reply.Acked, r.ID)
		}
		return nil
	})
	return reply, err
}

// Status implements Store.
func (s *BoltStore) Status(id string) (upstream.Status, bool, error) {
	var st Stored
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRecords).Get([]byte(id))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &st)
	})
	if err != nil || !ok {
		return upstream.Status{}, false, err
	}
	return upstream.Status{ID: id, State: st.State, UpdatedAt: st.UpdatedAt, Note: st.Note}, true, nil
}

// All returns every stored record, for tests, audits and dumps.
func (s *BoltStore) All() ([]Stored, error) {
	var out []Stored
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			var st Stored
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("hub: record %s: %w", k, err)
			}
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

// Close closes the database.
func (s *BoltStore) Close() error { return s.db.Close() }

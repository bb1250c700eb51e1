package hub

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// bucketHealth holds one sub-bucket per station: an 8-byte big-endian
// sequence number → HealthReport as JSON, the newest last. Reports are
// not sealed: they say nothing about a resident.
const bucketHealth = "health"

// PutHealth implements HealthStore.
func (s *BoltStore) PutHealth(h wire.Health, at time.Time) error {
	data, err := json.Marshal(HealthReport{ReceivedAt: at.UTC(), Report: h})
	if err != nil {
		return fmt.Errorf("hub: health of %s: %w", h.StationID, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		top, err := tx.CreateBucketIfNotExists([]byte(bucketHealth))
		if err != nil {
			return err
		}
		b, err := top.CreateBucketIfNotExists([]byte(h.StationID))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), data); err != nil {
			return err
		}
		// Keys are consecutive, so those at or below seq-HealthHistory
		// are the ones to drop: usually just the first.
		c := b.Cursor()
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k)+HealthHistory <= seq; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hub: store health of %s: %w", h.StationID, err)
	}
	return nil
}

// HealthHistory implements HealthStore.
func (s *BoltStore) HealthHistory(stationID string, limit int) ([]HealthReport, error) {
	var out []HealthReport
	err := s.db.View(func(tx *bolt.Tx) error {
		b := healthBucket(tx, stationID)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var r HealthReport
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("report %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hub: health of %s: %w", stationID, err)
	}
	return out, nil
}

// LatestHealth implements HealthStore.
func (s *BoltStore) LatestHealth() ([]HealthReport, error) {
	var out []HealthReport
	err := s.db.View(func(tx *bolt.Tx) error {
		top := tx.Bucket([]byte(bucketHealth))
		if top == nil {
			return nil
		}
		return top.ForEachBucket(func(name []byte) error {
			_, v := top.Bucket(name).Cursor().Last()
			if v == nil {
				return nil
			}
			var r HealthReport
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("station %s: %w", name, err)
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: latest health: %w", err)
	}
	return out, nil
}

func healthBucket(tx *bolt.Tx, stationID string) *bolt.Bucket {
	top := tx.Bucket([]byte(bucketHealth))
	if top == nil || stationID == "" {
		return nil
	}
	return top.Bucket([]byte(stationID))
}

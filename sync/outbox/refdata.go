package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNoRefData is returned by RefData before the first copy was kept.
var ErrNoRefData = errors.New("outbox: no reference data kept yet")

var keyRefData = []byte("current")

// refDataAD binds the sealed reference data to its place.
const refDataAD = "refdata\x00current"

// RefData is a copy of the hub's reference data as the station keeps it.
// It is sealed like a record body: it holds staff names and their PIN
// hashes, and a four-digit PIN falls to anyone who can try hashes offline.
type RefData struct {
	Data      json.RawMessage `json:"data"`
	ETag      string          `json:"etag"`
	FetchedAt time.Time       `json:"fetched_at"`
}

// PutRefData replaces the kept reference data in one transaction: a crash
// leaves the old copy or the new one. The caller checks the new copy
// first; PutRefData refuses only what is not a JSON object with at least
// one member, so that not even an empty answer ({}) can wipe a kept copy.
func (o *Outbox) PutRefData(rd RefData) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rd.Data, &top); err != nil || len(top) == 0 {
		return errors.New("outbox: reference data is not a JSON object with content; the kept copy stays")
	}
	b, err := json.Marshal(rd)
	if err != nil {
		return fmt.Errorf("outbox: encode reference data: %w", err)
	}
	sealed, err := o.seal.seal(refDataAD, b)
	if err != nil {
		return err
	}
	err = o.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketRefData).Put(keyRefData, sealed) })
	if err != nil {
		return fmt.Errorf("outbox: keep reference data: %w", err)
	}
	return nil
}

// RefData returns the kept reference data, or ErrNoRefData.
func (o *Outbox) RefData() (RefData, error) {
	var rd RefData
	err := o.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRefData).Get(keyRefData)
		if b == nil {
			return ErrNoRefData
		}
		plain, err := o.seal.open(refDataAD, b)
		if err != nil {
			return fmt.Errorf("outbox: kept reference data: %w", err)
		}
		if err := json.Unmarshal(plain, &rd); err != nil {
			return fmt.Errorf("outbox: kept reference data is damaged: %w", err)
		}
		return nil
	})
	return rd, err
}

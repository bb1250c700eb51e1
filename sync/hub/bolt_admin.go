package hub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// boltStation is a station's entry in the stations bucket.
type boltStation struct {
	TokenSHA256 []byte    `json:"token_sha256"`
	TokenSetAt  time.Time `json:"token_set_at"`
}

// SetToken implements Store.
func (s *BoltStore) SetToken(stationID, token string, at time.Time) error {
	if err := CheckToken(stationID, token); err != nil {
		return fmt.Errorf("hub: set token of %s: %w", stationID, err)
	}
	hash := HashToken(token)
	err := s.db.Update(func(tx *bolt.Tx) error {
		stations, tokens := tx.Bucket([]byte(bucketStations)), tx.Bucket([]byte(bucketTokens))
		if owner := tokens.Get(hash); owner != nil && string(owner) != stationID {
			return ErrTokenInUse
		}
		if v := stations.Get([]byte(stationID)); v != nil {
			var old boltStation
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
			if err := tokens.Delete(old.TokenSHA256); err != nil {
				return err
			}
		}
		v, err := json.Marshal(boltStation{TokenSHA256: hash, TokenSetAt: at})
		if err != nil {
			return err
		}
		if err := stations.Put([]byte(stationID), v); err != nil {
			return err
		}
		return tokens.Put(hash, []byte(stationID))
	})
	if err != nil {
		return fmt.Errorf("hub: set token of %s: %w", stationID, err)
	}
	return nil
}

// StationByToken implements Store.
func (s *BoltStore) StationByToken(token string) (string, bool, error) {
	var station string
	err := s.db.View(func(tx *bolt.Tx) error {
		station = string(tx.Bucket([]byte(bucketTokens)).Get(HashToken(token)))
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("hub: token look-up: %w", err)
	}
	return station, station != "", nil
}

// Stations implements Store.
func (s *BoltStore) Stations() ([]Station, error) {
	var out []Station
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketStations)).ForEach(func(k, v []byte) error {
			var st boltStation
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("station %s: %w", k, err)
			}
			out = append(out, Station{ID: string(k), TokenSetAt: st.TokenSetAt})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: stations: %w", err)
	}
	return out, nil
}

// PutRefData implements Store.
func (s *BoltStore) PutRefData(stationID string, data []byte) error {
	key, err := refDataKey(stationID)
	if err == nil {
		err = wire.ValidateRefData(data)
	}
	var sealed []byte
	if err == nil {
		sealed, err = s.seal.Seal(refDataAD(key), data)
	}
	if err == nil {
		err = s.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte(bucketRefData)).Put(key, sealed)
		})
	}
	if err != nil {
		return fmt.Errorf("hub: put refdata of %q: %w", stationID, err)
	}
	return nil
}

// RefData implements Store.
func (s *BoltStore) RefData(stationID string) ([]byte, bool, error) {
	key, err := refDataKey(stationID)
	if err != nil {
		return nil, false, fmt.Errorf("hub: refdata of %q: %w", stationID, err)
	}
	var data []byte
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketRefData)).Get(key)
		if v == nil {
			return nil
		}
		// Bolt's bytes live only as long as the transaction.
		plain, err := s.seal.Open(refDataAD(key), v)
		data = bytes.Clone(plain)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("hub: refdata of %q: %w", stationID, err)
	}
	return data, data != nil, nil
}

func refDataKey(stationID string) ([]byte, error) {
	if stationID == "" {
		return []byte(refDataGlobal), nil
	}
	if err := CheckStationID(stationID); err != nil {
		return nil, err
	}
	return []byte(stationID), nil
}

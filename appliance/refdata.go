package appliance

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
)

// refDataFile keeps the station's last good copy of the hub's reference
// data, so an offline station still knows the categories, its staff and
// the keys its appointment and staff codes are signed with.
const refDataFile = "refdata.json"

// Reference data is fetched at start and then every refDataEvery; after a
// failure, again within refDataRetry.
const (
	refDataEvery = 15 * time.Minute
	refDataRetry = time.Minute
)

// RefData is the hub's reference data as the station uses it. Fields the
// station does not use are kept in Raw for the screens.
type RefData struct {
	Categories []Category       `json:"categories"`
	Staff      []StaffRef       `json:"staff"`
	CodeKeys   []signedcode.Key `json:"code_keys"`
	Revoked    []string         `json:"revoked_codes"`
	Grid       json.RawMessage  `json:"grid,omitempty"`
	ETag       string           `json:"-"`
	FetchedAt  time.Time        `json:"-"`
	Raw        json.RawMessage  `json:"-"`
}

// Category is a kind of matter a resident can come for.
type Category struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// StaffRef is a staff member the hub lists for the station.
type StaffRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// cachedRefData is refDataFile's content.
type cachedRefData struct {
	ETag      string          `json:"etag"`
	FetchedAt time.Time       `json:"fetched_at"`
	Data      json.RawMessage `json:"data"`
}

func parseRefData(raw []byte) (*RefData, error) {
	var rd RefData
	if err := json.Unmarshal(raw, &rd); err != nil {
		return nil, fmt.Errorf("appliance: reference data: %w", err)
	}
	rd.Raw = raw
	return &rd, nil
}

// loadRefData reads the cached copy; a missing file is not an error (a new
// station has none until it reaches its hub).
func loadRefData(dir string) (*RefData, error) {
	path := filepath.Join(dir, refDataFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("appliance: reference data %s: %w", path, err)
	}
	var c cachedRefData
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("appliance: reference data %s is damaged (%v); delete it and the station fetches a new copy", path, err)
	}
	rd, err := parseRefData(c.Data)
	if err != nil {
		return nil, fmt.Errorf("appliance: reference data %s: %w", path, err)
	}
	rd.ETag, rd.FetchedAt = c.ETag, c.FetchedAt
	return rd, nil
}

// saveRefData replaces the cached copy atomically: a power cut leaves the
// old copy or the new one, never half of one.
func saveRefData(dir string, rd *RefData) error {
	b, err := json.Marshal(cachedRefData{ETag: rd.ETag, FetchedAt: rd.FetchedAt, Data: rd.Raw})
	if err != nil {
		return err
	}
	path := filepath.Join(dir, refDataFile)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("appliance: save reference data: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("appliance: save reference data %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("appliance: save reference data %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("appliance: save reference data %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("appliance: save reference data: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// RefData returns the reference data the station works with, or nil when
// it has never reached its hub.
func (s *Station) RefData() *RefData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refdata
}

// refreshRefData asks the hub for news once.
func (s *Station) refreshRefData(ctx context.Context) error {
	var etag string
	if cur := s.RefData(); cur != nil {
		etag = cur.ETag
	}
	raw, newTag, notModified, err := s.fwd.Client.RefData(ctx, etag)
	if err != nil {
		return err
	}
	if notModified {
		return nil
	}
	rd, err := parseRefData(raw)
	if err != nil {
		return err
	}
	rd.ETag, rd.FetchedAt = newTag, s.now()
	if err := saveRefData(s.cfg.Storage.Dir, rd); err != nil {
		// Still use it: the copy on disk is only for the next start.
		s.log.Error("appliance: keep reference data", "err", err)
	}
	s.mu.Lock()
	s.refdata = rd
	s.mu.Unlock()
	s.log.Info("appliance: reference data updated", "etag", newTag, "categories", len(rd.Categories),
		"staff", len(rd.Staff), "code_keys", len(rd.CodeKeys))
	s.notify()
	return nil
}

func (s *Station) refDataLoop(ctx context.Context) {
	for {
		wait := refDataEvery
		if err := s.refreshRefData(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("appliance: reference data not refreshed; working on the last copy", "err", err)
			wait = refDataRetry/2 + rand.N(refDataRetry/2)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// revoked reports whether the hub withdrew a code.
func (rd *RefData) revoked(id string) bool { return rd != nil && slices.Contains(rd.Revoked, id) }

package appliance

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

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
	// PublicURL is the hub's address as phones reach it, the base of the
	// links receipts print (gridhub serve --public-url).
	PublicURL string          `json:"public_url,omitempty"`
	ETag      string          `json:"-"`
	FetchedAt time.Time       `json:"-"`
	Raw       json.RawMessage `json:"-"`
}

// Category is a kind of matter a resident can come for: the contract's
// type, so the station reads the categories as the hub checks them.
type Category = wire.Category

// StaffRef is a staff member the hub lists for the station, the
// contract's type. Its Roles say what the staff member may do besides
// staff work: RoleTechnician opens the technician's screens. Its PINHash
// lets the staff member log in with a PIN when their code is not at hand
// (staffpin.Hash).
type StaffRef = wire.Staff

// LinkBase is the base of the links this station's receipts print: the
// hub's public URL from the reference data, or nil when the hub has none
// (or an unusable one): receipts then print GK1:R: codes, and the
// scanner takes no link.
func (rd *RefData) LinkBase() *url.URL {
	if rd == nil || rd.PublicURL == "" {
		return nil
	}
	u, err := receiptcode.ParseBase(rd.PublicURL)
	if err != nil {
		return nil
	}
	return u
}

// parseRefData checks a copy before the station uses or keeps it: a
// damaged or partial download must never replace a good copy.
func parseRefData(raw []byte) (*RefData, error) {
	var rd RefData
	if err := json.Unmarshal(raw, &rd); err != nil {
		return nil, fmt.Errorf("appliance: reference data: %w", err)
	}
	for i, c := range rd.Categories {
		if c.Code == "" || c.Name == "" {
			return nil, fmt.Errorf("appliance: reference data: categories[%d] lacks its code or name", i)
		}
	}
	for i, k := range rd.CodeKeys {
		if k.ID == "" || len(k.Ed25519) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("appliance: reference data: code_keys[%d] is not a 32-byte Ed25519 key with an id", i)
		}
		if k.IDHashKey != nil && len(k.IDHashKey) != 32 {
			return nil, fmt.Errorf("appliance: reference data: code_keys[%d].id_hash_key is %d bytes, not 32", i, len(k.IDHashKey))
		}
	}
	rd.Raw = raw
	return &rd, nil
}

// takeRefData checks a download from the hub before it may replace the
// kept copy: it must pass the hub's own checks (what gridhub refdata load
// takes), parse, list the categories residents choose from, and not lack
// a part the kept copy has. A hub with nothing loaded answers {}, and a
// half-written store or a proxy may answer part of a document; taking
// either would wipe the code keys, staff and grid directory the station
// works with offline.
func takeRefData(raw []byte, kept *RefData) (*RefData, error) {
	if err := wire.ValidateRefData(raw); err != nil {
		return nil, fmt.Errorf("appliance: %w; the kept copy stays", err)
	}
	rd, err := parseRefData(raw)
	if err != nil {
		return nil, fmt.Errorf("%w; the kept copy stays", err)
	}
	var missing []string
	if len(rd.Categories) == 0 {
		missing = append(missing, "categories")
	}
	if kept != nil {
		for _, p := range []struct {
			name     string
			has, had bool
		}{
			{"grid", len(rd.Grid) > 0 && string(rd.Grid) != "null", len(kept.Grid) > 0 && string(kept.Grid) != "null"},
			{"staff", len(rd.Staff) > 0, len(kept.Staff) > 0},
			{"code_keys", len(rd.CodeKeys) > 0, len(kept.CodeKeys) > 0},
		} {
			if p.had && !p.has {
				missing = append(missing, p.name+" (the kept copy has it)")
			}
		}
	}
	if len(missing) > 0 {
		stays := "there is no kept copy yet"
		if kept != nil {
			stays = "the kept copy stays"
		}
		return nil, fmt.Errorf("appliance: reference data from the hub is incomplete, it lacks %s; %s (load the full file at the hub: gridhub refdata load)",
			strings.Join(missing, ", "), stays)
	}
	return rd, nil
}

// loadRefData reads the copy the outbox keeps; none is not an error (a new
// station has none until it reaches its hub).
func loadRefData(box *outbox.Outbox) (*RefData, error) {
	kept, err := box.RefData()
	if errors.Is(err, outbox.ErrNoRefData) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rd, err := parseRefData(kept.Data)
	if err != nil {
		return nil, err
	}
	rd.ETag, rd.FetchedAt = kept.ETag, kept.FetchedAt
	return rd, nil
}

// RefData returns the reference data the station works with, or nil when
// it has never reached its hub.
func (s *Station) RefData() *RefData {
	s.ref.mu.Lock()
	defer s.ref.mu.Unlock()
	return s.ref.data
}

// Categories are the matters a resident can come for, from the reference
// data; none before the station has reached its hub.
func (s *Station) Categories() []station.Category {
	rd := s.RefData()
	if rd == nil {
		return nil
	}
	out := make([]station.Category, len(rd.Categories))
	for i, c := range rd.Categories {
		out[i] = station.Category{Code: c.Code, Name: c.Name, NameEN: c.NameEN}
	}
	return out
}

// StaffIDs are the IDs of the staff the reference data lists, for the PIN
// keypad, which finds a staff member by the digits of their ID.
func (s *Station) StaffIDs() []string {
	rd := s.RefData()
	if rd == nil {
		return nil
	}
	out := make([]string, len(rd.Staff))
	for i, st := range rd.Staff {
		out[i] = st.ID
	}
	return out
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
	rd, err := takeRefData(raw, s.RefData())
	if err != nil {
		// The hub did answer: whatever the forwarder's backoff says,
		// records can go.
		s.networkBack("reference data fetched (and refused)", true)
		return err
	}
	rd.ETag, rd.FetchedAt = newTag, s.Now()
	if err := s.box.PutRefData(outbox.RefData{Data: raw, ETag: newTag, FetchedAt: rd.FetchedAt}); err != nil {
		// Still use it: the copy on disk is only for the next start.
		s.log.Error("appliance: keep reference data", "err", err)
	}
	s.ref.mu.Lock()
	s.ref.data = rd
	s.ref.mu.Unlock()
	s.log.Info("appliance: reference data updated", "etag", newTag, "categories", len(rd.Categories),
		"staff", len(rd.Staff), "code_keys", len(rd.CodeKeys))
	s.notify()
	return nil
}

func (s *Station) refDataLoop(ctx context.Context) {
	for {
		wait := refDataEvery
		err := s.refreshRefData(ctx)
		if err == nil {
			// The hub answered: whatever the forwarder's backoff says,
			// it is worth sending now.
			s.networkBack("reference data fetched", true)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("appliance: reference data not refreshed; working on the last copy", "err", err)
			wait = refDataRetry/2 + rand.N(refDataRetry/2)
		}
		s.ref.mu.Lock()
		s.ref.err = ""
		if err != nil {
			s.ref.err = err.Error()
		}
		s.ref.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (s *Station) refDataState() station.RefDataState {
	s.ref.mu.Lock()
	defer s.ref.mu.Unlock()
	st := station.RefDataState{LastError: s.ref.err}
	if rd := s.ref.data; rd != nil {
		st.ETag = rd.ETag
		if !rd.FetchedAt.IsZero() {
			t := rd.FetchedAt
			st.FetchedAt = &t
		}
	}
	return st
}

// revoked reports whether the hub withdrew a code.
func (rd *RefData) revoked(id string) bool { return rd != nil && slices.Contains(rd.Revoked, id) }

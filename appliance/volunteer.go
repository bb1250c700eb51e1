package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// MaxServiceMinutes is the most service one volunteer record may carry: a
// day. A longer check-in (someone forgot to check out) is recorded as a day.
const MaxServiceMinutes = 24 * 60

// keptVolunteer prefixes the outbox keys of the volunteers checked in.
const keptVolunteer = "volunteer/"

// ErrCheckedIn is returned by CheckIn for a name already checked in:
// names are how staff tell volunteers apart on the list.
var ErrCheckedIn = errors.New("appliance: this volunteer is already checked in / 这位志愿者已经签到了")

// ErrNotCheckedIn is returned by CheckOut for a name not checked in (on
// another screen a moment ago, perhaps).
var ErrNotCheckedIn = errors.New("appliance: this volunteer is not checked in / 这位志愿者没有签到")

// CheckIn is a volunteer serving at the station now. The station keeps it
// sealed in its database, so a restart or a power cut forgets nobody's
// service: nothing is recorded for the hub until the volunteer checks out.
type CheckIn struct {
	Name        string    `json:"name"`
	PartyMember bool      `json:"party_member"`
	Service     string    `json:"service"` // a usual service's Chinese name, or what was typed
	Since       time.Time `json:"since"`
}

// Service is what a check-out recorded.
type Service struct {
	CheckIn
	Receipt Receipt
	Minutes int
	Capped  bool // the check-in was longer than MaxServiceMinutes
}

// CheckIn checks a volunteer in from now (c.Since is set by the station)
// and returns once that is on disk.
func (s *Station) CheckIn(c CheckIn) (CheckIn, error) {
	c.Name, c.Service = strings.TrimSpace(c.Name), strings.TrimSpace(c.Service)
	c.Since = s.Now()
	// Checked now by the record's own rules, so that the check-out, hours
	// later and perhaps by someone else, cannot be refused.
	if err := record.Check(volunteerRecord(c, c.Since), c.Since); err != nil {
		return CheckIn{}, err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return CheckIn{}, fmt.Errorf("appliance: check in: %w", err)
	}
	if err := s.box.Keep(keptVolunteer+c.Name, b); err != nil {
		if errors.Is(err, outbox.ErrKept) {
			return CheckIn{}, ErrCheckedIn
		}
		s.log.Error("appliance: volunteer check-in not kept", "err", err)
		return CheckIn{}, fmt.Errorf("appliance: check in: %w", err)
	}
	s.log.Info("appliance: volunteer checked in", "party_member", c.PartyMember)
	return c, nil
}

// CheckIns returns the volunteers checked in, in the order they came.
func (s *Station) CheckIns() ([]CheckIn, error) {
	kept, err := s.box.KeptWith(keptVolunteer)
	if err != nil {
		return nil, fmt.Errorf("appliance: volunteers checked in: %w", err)
	}
	out := make([]CheckIn, 0, len(kept))
	for _, k := range kept {
		var c CheckIn
		if err := json.Unmarshal(k.Value, &c); err != nil {
			return nil, fmt.Errorf("appliance: volunteer check-in %d is damaged: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b CheckIn) int { return a.Since.Compare(b.Since) })
	return out, nil
}

// CheckOut ends a volunteer's check-in and records the service, in one
// transaction: a crash leaves the check-in or the record, never both and
// never neither.
func (s *Station) CheckOut(ctx context.Context, name string) (Service, error) {
	ins, err := s.CheckIns()
	if err != nil {
		return Service{}, err
	}
	i := slices.IndexFunc(ins, func(c CheckIn) bool { return c.Name == name })
	if i < 0 {
		return Service{}, ErrNotCheckedIn
	}
	sv := Service{CheckIn: ins[i]}
	now := s.Now()
	sv.Minutes, sv.Capped = ServiceMinutes(sv.Since, now)
	sv.Receipt, err = s.store(ctx, draft{payload: volunteerRecord(sv.CheckIn, now), forget: keptVolunteer + name})
	if errors.Is(err, outbox.ErrNotKept) {
		return Service{}, ErrNotCheckedIn
	}
	return sv, err
}

// volunteerRecord is the record of c's service until now.
func volunteerRecord(c CheckIn, now time.Time) *record.Volunteer {
	minutes, _ := ServiceMinutes(c.Since, now)
	return &record.Volunteer{
		Volunteer: record.VolunteerPerson{Name: c.Name, PartyMember: c.PartyMember},
		Service:   c.Service,
		Minutes:   minutes,
		Date:      c.Since.In(now.Location()).Format(time.DateOnly),
	}
}

// ServiceMinutes is the service from since to now in whole minutes, at
// least one; capped says it was cut to MaxServiceMinutes.
func ServiceMinutes(since, now time.Time) (minutes int, capped bool) {
	m := int(now.Sub(since).Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return 1, false
	case m > MaxServiceMinutes:
		return MaxServiceMinutes, true
	}
	return m, false
}

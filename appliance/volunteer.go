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
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// keptVolunteer prefixes the outbox keys of the volunteers checked in.
const keptVolunteer = "volunteer/"

// CheckIn checks a volunteer in from now (c.Since is set by the station)
// and returns once that is on disk.
func (s *Station) CheckIn(c station.CheckIn) (_ station.CheckIn, err error) {
	defer func() { err = vocab(err) }()
	c.Name, c.Service = strings.TrimSpace(c.Name), strings.TrimSpace(c.Service)
	c.Since = s.Now()
	// Checked now by the record's own rules, so that the check-out, hours
	// later and perhaps by someone else, cannot be refused.
	if err := record.Check(volunteerRecord(c, c.Since), c.Since); err != nil {
		return station.CheckIn{}, err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return station.CheckIn{}, fmt.Errorf("appliance: check in: %w", err)
	}
	if err := s.box.Keep(keptVolunteer+c.Name, b); err != nil {
		if errors.Is(err, outbox.ErrKept) {
			return station.CheckIn{}, station.ErrCheckedIn
		}
		s.log.Error("appliance: volunteer check-in not kept", "err", err)
		return station.CheckIn{}, fmt.Errorf("appliance: check in: %w", err)
	}
	s.log.Info("appliance: volunteer checked in", "party_member", c.PartyMember)
	return c, nil
}

// CheckIns returns the volunteers checked in, in the order they came.
func (s *Station) CheckIns() ([]station.CheckIn, error) {
	kept, err := s.box.KeptWith(keptVolunteer)
	if err != nil {
		return nil, fmt.Errorf("appliance: volunteers checked in: %w", err)
	}
	out := make([]station.CheckIn, 0, len(kept))
	for _, k := range kept {
		var c station.CheckIn
		if err := json.Unmarshal(k.Value, &c); err != nil {
			return nil, fmt.Errorf("appliance: volunteer check-in %d is damaged: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b station.CheckIn) int { return a.Since.Compare(b.Since) })
	return out, nil
}

// CheckOut ends a volunteer's check-in and records the service, in one
// transaction: a crash leaves the check-in or the record, never both and
// never neither.
func (s *Station) CheckOut(ctx context.Context, name string) (_ station.Service, err error) {
	defer func() { err = vocab(err) }()
	ins, err := s.CheckIns()
	if err != nil {
		return station.Service{}, err
	}
	i := slices.IndexFunc(ins, func(c station.CheckIn) bool { return c.Name == name })
	if i < 0 {
		return station.Service{}, station.ErrNotCheckedIn
	}
	sv := station.Service{CheckIn: ins[i]}
	now := s.Now()
	sv.Minutes, sv.Capped = station.ServiceMinutes(sv.Since, now)
	sv.Ack, err = s.store(ctx, draft{payload: volunteerRecord(sv.CheckIn, now), forget: keptVolunteer + name})
	if errors.Is(err, outbox.ErrNotKept) {
		return station.Service{}, station.ErrNotCheckedIn
	}
	return sv, err
}

// volunteerRecord is the record of c's service until now.
func volunteerRecord(c station.CheckIn, now time.Time) *record.Volunteer {
	minutes, _ := station.ServiceMinutes(c.Since, now)
	return &record.Volunteer{
		Volunteer: record.VolunteerPerson{Name: c.Name, PartyMember: c.PartyMember},
		Service:   c.Service,
		Minutes:   minutes,
		Date:      c.Since.In(now.Location()).Format(time.DateOnly),
	}
}

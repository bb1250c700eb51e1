package appliance

import (
	"errors"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// StartManual starts a registration from a name and a resident ID number
// typed on the screen, for a resident without a card at hand. The number's
// check character is verified; birth date and gender follow from it.
func (s *Station) StartManual(name, idNumber string) error {
	name = strings.TrimSpace(name)
	// The rules the registration's person.name is stored under, so that a
	// name it would refuse is refused before the resident goes on.
	if err := record.CheckText("name", name, 1, 60); err != nil {
		return err
	}
	num, err := citizenid.Parse(idNumber)
	if err != nil {
		var ce *citizenid.Error
		if errors.As(err, &ce) {
			return &record.FieldError{Field: "id_number", Msg: strings.TrimPrefix(ce.Error(), "citizen ID: ")}
		}
		return &record.FieldError{Field: "id_number", Msg: "is not a resident ID number"}
	}
	if num.Kind != citizenid.Resident {
		return &record.FieldError{Field: "id_number", Msg: "only a mainland resident ID number can be typed in; other cards are read by the reader"}
	}
	now := s.local()
	p := &record.Person{Name: name, IDNumber: num.ID, CardType: "resident", Gender: num.Gender.String(),
		Birth: num.Birth.Format(time.DateOnly)}
	waiting, taken := s.sess.begin(registration{state: station.SessionManual, manual: p, started: now, touched: now}, num.ID)
	s.logAppointment(waiting, taken)
	s.log.Info("appliance: registration typed in", "id", citizenid.Mask(num.ID))
	s.notify()
	return nil
}

func manualPayload(p record.Person, appt *signedcode.Appointment, in station.SessionSubmit, now time.Time) *record.Registration {
	reg := &record.Registration{Person: p, Purpose: in.Purpose, Phone: strings.TrimSpace(in.Phone), Source: "manual",
		Consent: record.Consent{Version: in.Consent.Version, At: now}}
	withAppointment(reg, appt)
	return reg
}

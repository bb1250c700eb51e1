package record

import (
	"errors"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/internal/codes/nation"
)

// check validates a person and normalises the ID number in place. Card
// types differ in what they carry: a foreign permanent resident has no
// nation, and the 2017 card's number is not a citizen ID number. Only a
// card read is sure to carry the nation; fromCard says the person was read
// from one, so a missing nation there means a damaged read.
func (p *Person) check(prefix string, now time.Time, fromCard bool) error {
	f := func(name string) string { return prefix + "." + name }
	if err := CheckText(f("name"), p.Name, 1, 60); err != nil {
		return err
	}
	switch p.Gender {
	case "male", "female", "unknown":
	default:
		return fieldErr(f("gender"), "%q is not one of male, female, unknown", p.Gender)
	}
	birth, err := checkDate(f("birth"), p.Birth)
	if err != nil {
		return err
	}
	if birth.After(now) {
		return fieldErr(f("birth"), "%s lies in the future", p.Birth)
	}
	switch p.CardType {
	case "resident", "hmt_permit", "foreign_2023":
		if err := p.checkCitizenID(f("id_number"), birth); err != nil {
			return err
		}
	case "foreign_2017":
		if !permit17RE.MatchString(p.IDNumber) {
			return fieldErr(f("id_number"), "is not a 2017 foreign permanent resident ID number (3 letters, 12 digits)")
		}
	default:
		return fieldErr(f("card_type"), "%q is not one of resident, hmt_permit, foreign_2017, foreign_2023", p.CardType)
	}
	if p.Nation != "" && !nation.Valid(p.Nation) {
		return fieldErr(f("nation"), "%q is not a nation of GB 3304 (汉, 回, 蒙古, …)", p.Nation)
	}
	if p.Nation == "" && p.CardType == "resident" && fromCard {
		return fieldErr(f("nation"), "is required on a resident ID card")
	}
	if err := CheckText(f("address"), p.Address, 0, 80); err != nil {
		return err
	}
	if err := CheckText(f("issuer"), p.Issuer, 0, 40); err != nil {
		return err
	}
	return p.checkValidity(f, now)
}

// The dates a card may carry. Resident ID cards were first issued in
// 1984; a card is valid for at most 20 years (长期 after that), and the
// station's clock may be behind the day a card was issued by as much as a
// board without a clock battery loses, so a year of slack.
var firstCard = time.Date(1984, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	clockSlack  = 366 * 24 * time.Hour
	maxValidity = 21 // years, 20 and one of slack
)

// checkValidity checks valid_from and valid_to against those bounds.
func (p *Person) checkValidity(f func(string) string, now time.Time) error {
	var from time.Time
	if p.ValidFrom != "" {
		var err error
		if from, err = checkDate(f("valid_from"), p.ValidFrom); err != nil {
			return err
		}
		if from.Before(firstCard) || from.After(now.Add(clockSlack)) {
			return fieldErr(f("valid_from"), "%s is not between 1984-01-01 (the first ID cards) and a year after the station's date %s",
				p.ValidFrom, now.Format(time.DateOnly))
		}
	}
	if p.ValidTo == "" || p.ValidTo == "长期" {
		return nil
	}
	to, err := checkDate(f("valid_to"), p.ValidTo)
	if err != nil {
		return fieldErr(f("valid_to"), "%q is neither a date (YYYY-MM-DD) nor 长期", p.ValidTo)
	}
	switch {
	case !from.IsZero() && to.Before(from):
		return fieldErr(f("valid_to"), "%s is before valid_from %s", p.ValidTo, p.ValidFrom)
	case !from.IsZero() && to.After(from.AddDate(maxValidity, 0, 0)):
		return fieldErr(f("valid_to"), "%s is more than %d years after valid_from %s: no card is valid that long (such cards say 长期)",
			p.ValidTo, maxValidity, p.ValidFrom)
	case to.Before(firstCard) || to.After(now.AddDate(maxValidity, 0, 0)):
		return fieldErr(f("valid_to"), "%s is not between 1984-01-01 and %d years after the station's date %s",
			p.ValidTo, maxValidity, now.Format(time.DateOnly))
	}
	return nil
}

func (p *Person) checkCitizenID(field string, birth time.Time) error {
	n, err := citizenid.Parse(p.IDNumber)
	if err != nil {
		var ce *citizenid.Error
		if errors.As(err, &ce) {
			return fieldErr(field, "%s", strings.TrimPrefix(ce.Error(), "citizen ID: "))
		}
		return fieldErr(field, "%v", err)
	}
	if !n.Birth.Equal(birth) {
		// Neither date is echoed: both are the resident's birth date, or
		// nearly.
		return fieldErr(field, "its birth date (characters 7 to 14) does not match payload.person.birth")
	}
	want := map[string]citizenid.Kind{"resident": citizenid.Resident, "hmt_permit": citizenid.HMTPermit, "foreign_2023": citizenid.Foreigner}[p.CardType]
	if n.Kind != want {
		return fieldErr(field, "is a %v number but card_type is %s", n.Kind, p.CardType)
	}
	p.IDNumber = n.ID
	return nil
}

package record

import (
	"errors"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
)

// check validates a person and normalises the ID number in place. Card
// types differ in what they carry: a foreign permanent resident has no
// nation, and the 2017 card's number is not a citizen ID number. Only a
// card read is sure to carry the nation; fromCard says the person was read
// from one, so a missing nation there means a damaged read.
func (p *Person) check(prefix string, now time.Time, fromCard bool) error {
	f := func(name string) string { return prefix + "." + name }
	if err := checkText(f("name"), p.Name, 1, 60); err != nil {
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
	if p.Nation != "" && !idcard.ValidNationName(p.Nation) {
		return fieldErr(f("nation"), "%q is not a nation of GB 3304 (汉, 回, 蒙古, …)", p.Nation)
	}
	if p.Nation == "" && p.CardType == "resident" && fromCard {
		return fieldErr(f("nation"), "is required on a resident ID card")
	}
	if err := checkText(f("address"), p.Address, 0, 80); err != nil {
		return err
	}
	if err := checkText(f("issuer"), p.Issuer, 0, 40); err != nil {
		return err
	}
	var from time.Time
	if p.ValidFrom != "" {
		if from, err = checkDate(f("valid_from"), p.ValidFrom); err != nil {
			return err
		}
	}
	if p.ValidTo != "" && p.ValidTo != "长期" {
		to, err := checkDate(f("valid_to"), p.ValidTo)
		if err != nil {
			return fieldErr(f("valid_to"), "%q is neither a date (YYYY-MM-DD) nor 长期", p.ValidTo)
		}
		if !from.IsZero() && to.Before(from) {
			return fieldErr(f("valid_to"), "%s is before valid_from %s", p.ValidTo, p.ValidFrom)
		}
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
		return fieldErr(field, "its birth date does not match birth %s", birth.Format(time.DateOnly))
	}
	want := map[string]citizenid.Kind{"resident": citizenid.Resident, "hmt_permit": citizenid.HMTPermit, "foreign_2023": citizenid.Foreigner}[p.CardType]
	if n.Kind != want {
		return fieldErr(field, "is a %v number but card_type is %s", n.Kind, p.CardType)
	}
	p.IDNumber = n.ID
	return nil
}

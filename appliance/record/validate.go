package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/internal/codes/nation"
)

var (
	codeRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	// A landline: an area code (010, 02x or 0 and three digits; none starts
	// 00) and a local number of 7 or 8 digits, which never starts 0 or 1.
	landlineRE = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}$`)
	permit17RE = regexp.MustCompile(`^[A-Z]{3}[0-9]{12}$`) // foreign permanent resident ID, 2017
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Validate decodes payload into v (see Decode), checks it and returns it
// re-encoded in canonical form (ID numbers normalised, unknown fields
// refused). now is the station's time, for dates that may not lie in the
// future.
func Validate(v Payload, payload json.RawMessage, now time.Time) (json.RawMessage, error) {
	if err := Decode(v, payload); err != nil {
		return nil, err
	}
	return Encode(v, now)
}

// decodeStrict decodes JSON refusing unknown fields and trailing data, and
// turns decoding errors into FieldErrors.
func decodeStrict(data []byte, v any) error {
	if err := CheckUTF8("payload", data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return fieldErr("payload", "has data after the JSON object")
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := "payload"
		if te.Field != "" {
			f += "." + te.Field
		}
		return fieldErr(f, "is a JSON %s, want %s", te.Value, jsonType(te.Type.Kind().String()))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fieldErr("payload", "unknown field %s", name)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldErr("payload", "is not valid JSON (at byte %d: %v)", se.Offset, err)
	}
	return fieldErr("payload", "%v", err)
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "uint64":
		return "a whole number"
	case "bool":
		return "true or false"
	case "struct", "ptr":
		return "an object"
	}
	return goKind
}

func (r *Registration) check(now time.Time) error {
	if err := r.Person.check("payload.person", now, r.Source == "idcard"); err != nil {
		return err
	}
	if !codeRE.MatchString(r.Purpose) {
		return fieldErr("payload.purpose", "%q is not a category code (lower-case letters, digits, _)", r.Purpose)
	}
	if err := checkPhone("payload.phone", r.Phone, false); err != nil {
		return err
	}
	switch r.Source {
	case "idcard", "qr", "manual":
	default:
		return fieldErr("payload.source", "%q is not one of idcard, qr, manual", r.Source)
	}
	if r.Appointment != "" && r.Source != "qr" {
		return fieldErr("payload.appointment", "is only set on a registration made with an appointment code (source qr)")
	}
	if err := CheckText("payload.appointment", r.Appointment, 0, 64); err != nil {
		return err
	}
	if strings.TrimSpace(r.Consent.Version) == "" {
		return fieldErr("payload.consent.version", "is required: a registration needs the resident's consent")
	}
	if err := CheckText("payload.consent.version", r.Consent.Version, 1, 32); err != nil {
		return err
	}
	return checkConsentTime(r.Consent.At, now)
}

// consentAge bounds how long before its record a consent may have been
// given. The station stamps consent with its own clock as it stores the
// record, so only an API caller's mistake (a zero time, 1970, a
// remembered date) is ever older. The bound is relative, not a fixed
// year: a board whose clock is far off still stores what its resident
// agreed to on that clock.
const consentAge = 30 * 24 * time.Hour

func checkConsentTime(at, now time.Time) error {
	switch {
	case at.IsZero():
		return fieldErr("payload.consent.at", "is required: when the resident agreed")
	case at.After(now.Add(5 * time.Minute)):
		return fieldErr("payload.consent.at", "%s lies in the future (the station's time is %s)", at.Format(time.RFC3339), now.Format(time.RFC3339))
	case at.Before(now.Add(-consentAge)):
		return fieldErr("payload.consent.at", "%s is more than 30 days before the station's time %s: give the time the resident agreed", at.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return nil
}

func (m *Matter) check(now time.Time) error {
	if !codeRE.MatchString(m.Category) {
		return fieldErr("payload.category", "%q is not a category code (lower-case letters, digits, _)", m.Category)
	}
	if err := CheckLines("payload.description", m.Description, 1, 500); err != nil {
		return err
	}
	if err := checkPhone("payload.phone", m.Phone, false); err != nil {
		return err
	}
	if m.Person != nil {
		return m.Person.check("payload.person", now, false)
	}
	return nil
}

func (r *Receipt) check(time.Time) error {
	if err := CheckText("payload.ticket", r.Ticket, 1, 16); err != nil {
		return err
	}
	if !uuidRE.MatchString(r.RecordID) {
		return fieldErr("payload.record_id", "%q is not a record ID (a lower-case UUID)", r.RecordID)
	}
	if !codeRE.MatchString(r.Category) {
		return fieldErr("payload.category", "%q is not a category code", r.Category)
	}
	if err := CheckText("payload.staff", r.Staff, 1, 30); err != nil {
		return err
	}
	return CheckLines("payload.next_step", r.NextStep, 0, 200)
}

func (v *Volunteer) check(now time.Time) error {
	if err := CheckText("payload.volunteer.name", v.Volunteer.Name, 1, 30); err != nil {
		return err
	}
	if v.Volunteer.IDNumber != "" {
		n, err := citizenid.Parse(v.Volunteer.IDNumber)
		if err != nil {
			return fieldErr("payload.volunteer.id_number", "%v", err)
		}
		v.Volunteer.IDNumber = n.ID
	}
	if err := CheckText("payload.service", v.Service, 1, 100); err != nil {
		return err
	}
	if v.Minutes < 1 || v.Minutes > 24*60 {
		return fieldErr("payload.minutes", "%d is outside 1 to 1440 (one day)", v.Minutes)
	}
	d, err := checkDate("payload.date", v.Date)
	if err != nil {
		return err
	}
	if d.After(now) {
		return fieldErr("payload.date", "%s lies in the future", v.Date)
	}
	return nil
}

func checkPhone(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	if !mobileRE.MatchString(s) && !landlineRE.MatchString(s) {
		// Masked: the error goes to logs and screens, and a number with
		// one digit wrong is still mostly somebody's number.
		return fieldErr(field, "%s (%d characters) is neither an 11-digit mobile number (1[3-9]…) nor a landline with its area code such as 0357-6831234",
			MaskDigits(s), utf8.RuneCountInString(s))
	}
	return nil
}

func checkDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fieldErr(field, "%q is not a date in the form YYYY-MM-DD", s)
	}
	return t, nil
}

// ValidNation is re-exported here so the UI checks a typed nation by the
// same rule as record validation.
func ValidNation(name string) bool { return nation.Valid(name) }

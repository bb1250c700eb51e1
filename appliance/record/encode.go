package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Payload is a record's payload as a typed value: *Registration, *Matter,
// *Receipt or *Volunteer. The station's own callers build one and hand it
// to Encode; a payload that arrives as JSON is read into one by Decode.
// Either way a record passes the same checks and is encoded once.
type Payload interface {
	// Kind is the record kind the payload is stored as.
	Kind() string
	check(now time.Time) error
}

// Kind is KindRegistration.
func (*Registration) Kind() string { return KindRegistration }

// Kind is KindMatter.
func (*Matter) Kind() string { return KindMatter }

// Kind is KindReceipt.
func (*Receipt) Kind() string { return KindReceipt }

// Kind is KindVolunteer.
func (*Volunteer) Kind() string { return KindVolunteer }

// Decode reads a payload of the given kind as a caller sent it, refusing
// unknown fields, trailing data and bytes that are not UTF-8. It checks
// nothing else: Encode does, for decoded and built payloads alike.
func Decode(kind string, payload json.RawMessage) (Payload, error) {
	var p Payload
	switch kind {
	case KindRegistration:
		p = &Registration{}
	case KindMatter:
		p = &Matter{}
	case KindReceipt:
		p = &Receipt{}
	case KindVolunteer:
		p = &Volunteer{}
	default:
		return nil, fieldErr("kind", "%q is not one of registration, matter, receipt, volunteer", kind)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		return nil, fieldErr("payload", "is required")
	}
	if err := decodeStrict(payload, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Check checks p by its kind's rules, normalising it in place (ID numbers
// in their canonical form). now is the station's time, for dates that may
// not lie in the future.
func Check(p Payload, now time.Time) error { return p.check(now) }

// Encode checks p (see Check) and returns it in canonical form: the one
// encoding of a payload the station stores.
func Encode(p Payload, now time.Time) (json.RawMessage, error) {
	if err := p.check(now); err != nil {
		return nil, err
	}
	out, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("record: encode %s: %w", p.Kind(), err)
	}
	return out, nil
}

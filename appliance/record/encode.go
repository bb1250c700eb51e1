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
	check(now time.Time) error
}

// Decode reads a payload as a caller sent it into p, refusing unknown
// fields, trailing data and bytes that are not UTF-8. Which type a kind of
// record takes is the caller's to say: the kinds are the wire contract's,
// which this package does not import. Decode checks nothing else: Encode
// does, for decoded and built payloads alike.
func Decode(p Payload, payload json.RawMessage) error {
	if len(bytes.TrimSpace(payload)) == 0 {
		return fieldErr("payload", "is required")
	}
	return decodeStrict(payload, p)
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
		return nil, fmt.Errorf("record: encode %T: %w", p, err)
	}
	return out, nil
}

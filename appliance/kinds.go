package appliance

import (
	"encoding/json"
	"fmt"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// payloadOf is the payload type a record kind of the contract takes.
func payloadOf(kind string) (record.Payload, error) {
	switch kind {
	case wire.KindRegistration:
		return &record.Registration{}, nil
	case wire.KindMatter:
		return &record.Matter{}, nil
	case wire.KindReceipt:
		return &record.Receipt{}, nil
	case wire.KindVolunteer:
		return &record.Volunteer{}, nil
	}
	return nil, &record.FieldError{Field: "kind", Msg: fmt.Sprintf("%q is not one of registration, matter, receipt, volunteer", kind)}
}

// kindOf is the contract's kind a payload is stored as.
func kindOf(p record.Payload) string {
	switch p.(type) {
	case *record.Registration:
		return wire.KindRegistration
	case *record.Matter:
		return wire.KindMatter
	case *record.Receipt:
		return wire.KindReceipt
	case *record.Volunteer:
		return wire.KindVolunteer
	}
	panic(fmt.Sprintf("appliance: %T is not a record payload", p))
}

// decode reads a caller's payload of a kind into its type (record.Decode).
func decode(kind string, payload json.RawMessage) (record.Payload, error) {
	p, err := payloadOf(kind)
	if err != nil {
		return nil, err
	}
	if err := record.Decode(p, payload); err != nil {
		return nil, err
	}
	return p, nil
}

// ticket is the number a resident is given: a letter for the kind and the
// last four digits of the station's sequence number, short enough to call
// out across a service hall (R0042, M0043, …).
func ticket(kind string, seq uint64) string {
	letter := map[string]string{
		wire.KindRegistration: "R", wire.KindMatter: "M", wire.KindReceipt: "C", wire.KindVolunteer: "V",
	}[kind]
	if letter == "" {
		letter = "X"
	}
	return fmt.Sprintf("%s%04d", letter, seq%10000)
}

package appliance

import (
	"encoding/json"
	"fmt"
	"time"

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

// validate checks a payload of a kind and returns it in canonical form.
func validate(kind string, payload json.RawMessage, now time.Time) (json.RawMessage, error) {
	v, err := payloadOf(kind)
	if err != nil {
		return nil, err
	}
	return record.Validate(v, payload, now)
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

package station

import "time"

// How a resident's matter stands, in the four words a resident is told
// (已受理 / 办理中 / 已办结 / 已退回). The hub's states map onto them; a
// record the hub has not answered for is received: the station has it.
const (
	ProgressReceived   = "received"
	ProgressInProgress = "in_progress"
	ProgressDone       = "done"
	ProgressReturned   = "returned"
)

// ProgressQuery names the record a resident asks after (查进度): the
// record ID of a receipt's QR code, or the ticket number printed on the
// receipt and shown on the done screen, typed (R0042, or its four digits:
// the station numbers all its records in one sequence, so the digits
// alone name one of its last ten thousand).
type ProgressQuery struct {
	RecordID string `json:"record_id,omitempty"`
	Ticket   string `json:"ticket,omitempty"`
}

// Progress is how a record stands, for the look-up screen: nothing of the
// person (no name, no ID number, no phone, not the hub's note, which
// staff write freely), only the matter, the dates, the state and whom to
// ask.
type Progress struct {
	RecordID string `json:"record_id"`
	// Ticket, Kind and the matter are known when the station still holds
	// the record (it keeps delivered records for its retention period);
	// empty when only the hub answered.
	Ticket   string `json:"ticket,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Matter   string `json:"matter,omitempty"`
	MatterEN string `json:"matter_en,omitempty"`
	// State is one of the Progress constants.
	State string `json:"state"`
	// Created is when the record was made; zero when only the hub
	// answered.
	Created time.Time `json:"created,omitzero"`
	// AsOf is when State was last known to change: the hub's time when
	// Remote, else when the station's own copy last changed.
	AsOf time.Time `json:"as_of"`
	// Remote says the hub answered just now; otherwise State is the
	// station's own copy.
	Remote bool `json:"remote"`
	// Held says the hub refused the record when it was sent: staff have
	// it set aside and put it right, so the resident asks them.
	Held bool `json:"held,omitempty"`
	// Contact is whom to ask: the record's micro-grid leader, or the
	// community's grid leader, from the reference data; zero when they
	// name nobody.
	Contact Contact `json:"contact,omitzero"`
}

// Contact is a grid leader residents may call, as the reference data
// list them.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Role  string `json:"role,omitempty"`
}

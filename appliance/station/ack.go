package station

import (
	"encoding/json"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
)

// Submission is a record as a caller hands it in; the station adds the ID,
// the sequence number, the time and the clock flag.
type Submission struct {
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
	Grid    *grid.Path      `json:"grid,omitempty"` // default: the station's own cell
	// ID, when set, is the record's ID: a caller retrying a submission
	// whose outcome was unknown (ErrStorageUnknown) sends it again with
	// the ID it was told, and gets the record stored by the first try
	// rather than a second one. Empty: the station makes a new ID.
	ID string `json:"id,omitempty"`
}

// Ack is what the submitter gets back once the record is on disk: the
// acknowledgement of a submission. (A "receipt" is the 办事回执 record
// staff make for a resident's matter, never this.)
type Ack struct {
	ID           string    `json:"id"`
	Ticket       string    `json:"ticket"`
	Seq          uint64    `json:"seq"`
	CreatedAt    time.Time `json:"created_at"`
	ClockTrusted bool      `json:"clock_trusted"`
	// Repeat says the record was stored by an earlier try with the same
	// ID, which this one found rather than storing it again.
	Repeat bool `json:"repeat,omitempty"`
}

// StorageUnknown is the error of a submission whose outcome is unknown,
// with the record's ID to look up and to retry with. It is
// ErrStorageUnknown (errors.Is), and wraps the storage's own error.
type StorageUnknown struct {
	ID  string
	Err error
}

func (e *StorageUnknown) Error() string {
	return "appliance: record " + e.ID + ": " + e.Err.Error()
}

func (e *StorageUnknown) Unwrap() error { return e.Err }

// Is makes every StorageUnknown an ErrStorageUnknown.
func (e *StorageUnknown) Is(target error) bool { return target == ErrStorageUnknown }

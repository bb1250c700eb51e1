// Package upstream is the station side of the sync wire contract (v1): the
// JSON shapes exchanged with the county hub, an HTTP client for them, and a
// Forwarder that drains a durable queue into the hub with batching and
// backoff. PROTOCOL.md in this directory is the contract in prose.
//
// The package moves records; it does not know what a registration is. Grid
// paths and payloads travel as raw JSON that the appliance validated before
// the record was queued.
package upstream

import (
	"encoding/json"
	"time"
)

// Kinds are the record kinds the v1 contract carries.
var kinds = [...]string{"registration", "matter", "receipt", "volunteer"}

// ValidKind reports whether k is a record kind of the v1 contract.
func ValidKind(k string) bool {
	for _, v := range kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Record is one record on the wire.
type Record struct {
	ID           string          `json:"id"`
	Kind         string          `json:"kind"`
	Seq          uint64          `json:"seq"`
	CreatedAt    time.Time       `json:"created_at"`
	ClockTrusted bool            `json:"clock_trusted"`
	Grid         json.RawMessage `json:"grid"`
	Payload      json.RawMessage `json:"payload"`
}

// Batch is the body of POST /v1/records.
type Batch struct {
	StationID string   `json:"station_id"`
	Records   []Record `json:"records"`
}

// Reply is the hub's answer to a batch. Every record of the batch is either
// acked or rejected; a record the hub already had is acked again.
type Reply struct {
	Acked    []string    `json:"acked"`
	Rejected []Rejection `json:"rejected"`
}

// Rejection says why the hub refused one record. A rejected record is kept
// aside at the station for staff; it is never dropped.
type Rejection struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
	// Code, when set, names the kind of refusal for programs; Reason
	// stays the text for people.
	Code string `json:"code,omitempty"`
}

// Codes of a Rejection.
const (
	// RejectConflict: the hub already holds a record with this ID (IDs
	// compare case-insensitively) and other content. The hub keeps the
	// first content; the station keeps the new one aside for staff.
	RejectConflict = "conflict"
	// RejectOtherStation: another station's record has this ID.
	RejectOtherStation = "id_taken"
)

// Status is the hub's view of one record, from GET /v1/records/{id}/status.
type Status struct {
	ID        string    `json:"id"`
	State     string    `json:"state"`
	UpdatedAt time.Time `json:"updated_at"`
	Note      string    `json:"note,omitempty"`
}

// Package wire is the sync contract (v1) between a station and the county
// hub: the JSON shapes both sides exchange, the record kinds, the codes of
// a refusal, the headers and MAC of the hub's proved time, and the
// reference-data document. PROTOCOL.md in this directory is the contract
// in prose.
//
// The package is a leaf: it imports only the standard library, so the
// hub (sync/hub and its stores), the station's client (sync/upstream),
// its queue (sync/outbox) and the appliance all speak it without
// importing one another.
//
// The contract moves records; it does not know what a registration is.
// Grid paths and payloads travel as raw JSON that the appliance validated
// before the record was queued.
package wire

import (
	"encoding/json"
	"slices"
	"time"
)

// The record kinds the v1 contract carries.
const (
	KindRegistration = "registration"
	KindMatter       = "matter"
	KindReceipt      = "receipt"
	KindVolunteer    = "volunteer"
)

// Kinds returns the record kinds of the v1 contract, in the order the
// station reports them (a new slice each call: the contract's list cannot
// be changed by a caller).
func Kinds() []string {
	return []string{KindRegistration, KindMatter, KindReceipt, KindVolunteer}
}

// ValidKind reports whether k is a record kind of the v1 contract.
func ValidKind(k string) bool { return slices.Contains(Kinds(), k) }

// Record is one record on the wire.
type Record struct {
	ID           string          `json:"id"`
	Kind         string          `json:"kind"`
	Seq          uint64          `json:"seq"`
	CreatedAt    time.Time       `json:"created_at"`
	ClockTrusted bool            `json:"clock_trusted"`
	Grid         json.RawMessage `json:"grid"`
	Payload      json.RawMessage `json:"payload"`
	// LinkKey is the key of the record's public status page, the k= of
	// the link its receipt prints (package receiptcode); absent from
	// records of stations before the link, and ignored by hubs before it.
	// It is not the record's content: see PROTOCOL.md.
	LinkKey string `json:"link_key,omitempty"`
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

package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// Store is where a hub keeps what stations sent, the stations' tokens and
// their reference data. BoltStore and pgstore.Store implement it, and
// storetest.Run is the suite both pass.
type Store interface {
	RecordStore
	StationStore
	RefDataStore
	ConsoleStore
	HealthStore
	ReleaseStore
	io.Closer
}

// RecordStore keeps the records stations send.
type RecordStore interface {
	// Ingest stores the records that are new, acks every record that is
	// stored (new or not) and rejects those it will not take: records
	// Check refuses, IDs another station's record already has
	// (OtherStation), and IDs the hub holds with other content
	// (Conflict). IDs compare case-insensitively: records are stored
	// under NormalID, and acked and rejected under the ID as sent. A
	// record the hub holds keeps its first content; the same content
	// sent again only counts a delivery. Records of one batch are
	// stored together or not at all.
	Ingest(stationID string, recs []wire.Record, at time.Time) (wire.Reply, error)
	// Status returns the hub's view of one record that stationID sent;
	// ok is false when the hub has never received it from stationID. A
	// station sees only its own records: another's status and staff
	// note are not its business, nor whether such a record exists.
	Status(stationID, id string) (s wire.Status, ok bool, err error)
	// Record returns the record the hub holds under id (any case), from
	// whichever station, with its link key (wire.Record.LinkKey): for the
	// county console, and for the public status page, which checks the
	// key before it shows anything.
	Record(id string) (s Stored, ok bool, err error)
	// SetStatus moves a record to state (one of States) with a note for
	// the station. It returns an error wrapping ErrNotFound for a record
	// the hub does not hold and ErrInvalidState for an unknown state.
	SetStatus(id, state, note string, at time.Time) error
	// Records lists the records q selects, by station, then seq, then ID.
	Records(q Query) ([]Stored, error)
}

// StationStore keeps the bearer tokens of stations added with
// `gridhub station add`. Only a token's SHA-256 is kept: a copy of the
// database does not let anyone send as a station.
type StationStore interface {
	// SetToken gives a station a token, replacing the one it had.
	SetToken(stationID, token string, at time.Time) error
	// StationByToken returns the station a token belongs to.
	StationByToken(token string) (stationID string, ok bool, err error)
	// Stations lists the stations that have a token, by ID.
	Stations() ([]Station, error)
}

// RefDataStore keeps reference data: one copy per station that has its
// own, and a global copy (station ID "") for all others.
type RefDataStore interface {
	// PutRefData replaces the reference data of stationID, or the global
	// copy for "". Data that ValidateRefData refuses is not stored.
	PutRefData(stationID string, data []byte) error
	// RefData returns exactly what PutRefData stored for stationID, with
	// no fallback to the global copy; see StationRefData.
	RefData(stationID string) (data []byte, ok bool, err error)
}

// Stored is a record as the hub keeps it: the station's record unchanged,
// its created_at and clock_trusted as sent, and the hub's own times
// beside it.
type Stored struct {
	StationID  string      `json:"station_id"`
	ReceivedAt time.Time   `json:"received_at"`
	Record     wire.Record `json:"record"`
	State      string      `json:"state"`
	UpdatedAt  time.Time   `json:"updated_at"`
	Note       string      `json:"note,omitempty"`
	// Deliveries counts how often the station sent this record; more than
	// one means a retry that the hub absorbed.
	Deliveries int `json:"deliveries"`
}

// Query selects records. The zero Query selects all of them.
type Query struct {
	StationID string // only this station's records, when set
	State     string // only records in this state, when set
	Limit     int    // at most this many records, when positive
}

// Station is a station that has a token in the store.
type Station struct {
	ID         string
	TokenSetAt time.Time
}

// Record states at the hub. A record starts as received; the county's
// staff move it on with `gridhub record set-status`. StateRejected is the
// county's decision on a matter, not a refusal of the record at ingest.
const (
	StateReceived   = "received"
	StateInProgress = "in_progress"
	StateDone       = "done"
	StateRejected   = "rejected"
)

// States returns the states a record can be in, in their usual order.
func States() []string {
	return []string{StateReceived, StateInProgress, StateDone, StateRejected}
}

var (
	// ErrNotFound is wrapped by errors about a record the hub does not hold.
	ErrNotFound = errors.New("no such record at the hub")
	// ErrInvalidState is wrapped by errors about a state not in States.
	ErrInvalidState = errors.New("invalid state")
	// ErrTokenInUse is wrapped when a token already belongs to another station.
	ErrTokenInUse = errors.New("token already belongs to another station")
)

// CheckState returns an error wrapping ErrInvalidState unless state is one
// of States.
func CheckState(state string) error {
	for _, s := range States() {
		if state == s {
			return nil
		}
	}
	return fmt.Errorf("%w: %q is not one of %s", ErrInvalidState, state, strings.Join(States(), ", "))
}

// Check returns why a record cannot be taken, or "". The reasons go back
// to the station, which keeps the record aside for its staff.
func Check(r wire.Record) string {
	switch {
	case !receiptcode.ValidID(r.ID):
		return "id is not a UUID"
	case !wire.ValidKind(r.Kind):
		return fmt.Sprintf("kind %q is not one of registration, matter, receipt, volunteer", r.Kind)
	case r.Seq == 0:
		return "seq is missing"
	case r.CreatedAt.IsZero():
		return "created_at is missing"
	case !isObject(r.Grid):
		return "grid is not a JSON object"
	case !isObject(r.Payload):
		return "payload is not a JSON object"
	}
	return ""
}

// isObject reports whether m is a JSON object. JSON text is UTF-8 (RFC
// 8259), and a store keeps it as text, so invalid UTF-8 is not JSON here.
func isObject(m json.RawMessage) bool {
	m = bytes.TrimSpace(m)
	return len(m) > 0 && m[0] == '{' && utf8.Valid(m) && json.Valid(m)
}

// NormalID returns the form of a record ID the stores key records by.
// IDs are UUIDs, which compare case-insensitively (RFC 9562), so "ABC…"
// and "abc…" are one record.
func NormalID(id string) string { return strings.ToLower(id) }

// Conflict returns the rejection of sent, a record whose ID the hub
// already holds as stored, when the two differ in content; ok is false
// when they are the same record sent again. The content is everything
// the station wrote: kind, seq, created_at as sent (with its offset),
// clock_trusted, grid and payload. Grid and payload compare as compacted
// JSON, so spacing does not make a conflict but any other change does.
// Every Store decides this here, so that all of them agree. The link key
// is not content: a record first stored without one (from a hub before
// links, whose ack the station never heard) takes the key sent again,
// and a record that has one keeps it.
func Conflict(stored, sent wire.Record) (r wire.Rejection, ok bool) {
	var differ []string
	if stored.Kind != sent.Kind {
		differ = append(differ, "kind")
	}
	if stored.Seq != sent.Seq {
		differ = append(differ, "seq")
	}
	if stored.CreatedAt.Format(time.RFC3339Nano) != sent.CreatedAt.Format(time.RFC3339Nano) {
		differ = append(differ, "created_at")
	}
	if stored.ClockTrusted != sent.ClockTrusted {
		differ = append(differ, "clock_trusted")
	}
	if !sameJSON(stored.Grid, sent.Grid) {
		differ = append(differ, "grid")
	}
	if !sameJSON(stored.Payload, sent.Payload) {
		differ = append(differ, "payload")
	}
	if len(differ) == 0 {
		return wire.Rejection{}, false
	}
	return wire.Rejection{
		ID:   sent.ID,
		Code: wire.RejectConflict,
		// Staff read this beside the record at the station: Chinese
		// first, English beside (ui.Pick's "中文 / English").
		Reason: fmt.Sprintf("编号冲突：中心已有编号相同、内容不同的记录（不同：%[2]s），保留先收到的一份，此条请工作人员核对 / "+
			"conflict: the hub already holds record %[1]s with other content (differing: %[2]s); it keeps the first, set this one aside for staff",
			NormalID(sent.ID), strings.Join(differ, ", ")),
	}, true
}

// LinkKey returns the status-page key of a record as sent, or "" for a
// record without one or with one not of the form receiptcode.NewKey
// makes: a key is an access check, not content, so a malformed one
// costs the record its page, never the record itself.
func LinkKey(r wire.Record) string {
	if receiptcode.ValidKey(r.LinkKey) {
		return r.LinkKey
	}
	return ""
}

// OtherStation returns the rejection of a record whose ID another
// station's record already has.
func OtherStation(id string) wire.Rejection {
	return wire.Rejection{ID: id, Code: wire.RejectOtherStation, Reason: "id already used by another station"}
}

func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

package station

import (
	"errors"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
)

// Session states: idle → card (fields read from a card) or appointment
// (fields from a signed appointment code) → submitted → idle.
const (
	SessionIdle        = "idle"
	SessionCard        = "card"
	SessionAppointment = "appointment"
	SessionManual      = "manual"
	SessionSubmitted   = "submitted"
)

// ErrNoSession is returned when there is no card session to submit.
var ErrNoSession = errors.New("appliance: no registration in progress (lay an ID card on the reader or scan an appointment code first)")

// ErrNeedsCard is returned for a private appointment code not yet matched:
// the resident lays their ID card (or types their ID number) first.
var ErrNeedsCard = errors.New("appliance: the appointment needs the resident's ID card: lay it on the reader (or type the ID number) to confirm who they are")

// SessionView is the session as a screen or the admin API may show it:
// the ID number masked, no photo, no fingerprint.
type SessionView struct {
	State  string      `json:"state"`
	Source string      `json:"source,omitempty"`
	Person *PersonView `json:"person,omitempty"`
	// Purpose is what an appointment was booked for, to preselect.
	Purpose      string     `json:"purpose,omitempty"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	CardOnReader bool       `json:"card_on_reader"`
	// NeedsCard is set for an appointment code that names its resident
	// only masked: the screen asks for the ID card to confirm them.
	NeedsCard bool `json:"needs_card,omitempty"`
	Ack       *Ack `json:"receipt,omitempty"` // once submitted; "receipt" in JSON for the API's callers
}

// PersonView is a person read from a card, ID number masked.
type PersonView struct {
	Name      string `json:"name"`
	NameEN    string `json:"name_en,omitempty"`
	Gender    string `json:"gender"`
	Nation    string `json:"nation,omitempty"`
	Birth     string `json:"birth"`
	Address   string `json:"address,omitempty"`
	IDNumber  string `json:"id_number"` // masked: 1410**********123X
	CardType  string `json:"card_type"`
	Issuer    string `json:"issuer,omitempty"`
	ValidFrom string `json:"valid_from,omitempty"`
	ValidTo   string `json:"valid_to,omitempty"`
}

// SessionSubmit is what the resident adds to the fields read from the card.
type SessionSubmit struct {
	Purpose string    `json:"purpose"`
	Phone   string    `json:"phone,omitempty"`
	Consent ConsentIn `json:"consent"`
	// Grid is the resident's compound and micro grid; by default the
	// station places them from the card's address (PlaceOf).
	Grid *grid.Path `json:"grid,omitempty"`
}

// ConsentIn is the resident's answer to the personal-information notice.
type ConsentIn struct {
	Agreed  bool   `json:"agreed"`
	Version string `json:"version"`
}

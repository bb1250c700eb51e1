package station

import (
	"errors"
	"time"
)

// RoleTechnician in a staff member's roles (reference data) lets them open
// the technician's screens: logs and configuration.
const RoleTechnician = "technician"

// ErrPIN is returned for a wrong staff ID or PIN; which of the two is not
// said. ErrPINLocked follows too many wrong tries.
var (
	ErrPIN       = errors.New("appliance: staff ID or PIN is wrong")
	ErrPINLocked = errors.New("appliance: too many wrong PINs; the keypad is locked for a few minutes (use a staff code meanwhile)")
)

// StaffSession is the staff member logged in at the kiosk. Staff names are
// shown in full: they sign receipts with them.
type StaffSession struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Technician opens the technician's screens: the reference data
	// gives the staff member the technician role, or their code's role
	// is technician.
	Technician bool      `json:"technician"`
	Since      time.Time `json:"since"`
	Expires    time.Time `json:"expires"` // the badge's own expiry
}

// PanelState is what the panel's inputs said, for the screen and /healthz.
type PanelState struct {
	Present bool `json:"present"` // a panel is configured
	// HelpSince is when a resident pressed the help button, until staff
	// log in or clear it; nil when nobody asked.
	HelpSince *time.Time `json:"help_since,omitempty"`
	// Presence is the presence sensor's word: someone is at the kiosk.
	Presence bool `json:"presence"`
	// TechAt is when the technician button was last held down.
	TechAt *time.Time `json:"tech_at,omitempty"`
}

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

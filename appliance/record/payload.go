package record

import "time"

// Person is a resident as read from an ID card or typed in.
type Person struct {
	Name      string `json:"name"`
	Gender    string `json:"gender"` // male, female, unknown
	Nation    string `json:"nation,omitempty"`
	Birth     string `json:"birth"` // YYYY-MM-DD
	Address   string `json:"address,omitempty"`
	IDNumber  string `json:"id_number"`
	CardType  string `json:"card_type"` // resident, hmt_permit, foreign_2017, foreign_2023
	Issuer    string `json:"issuer,omitempty"`
	ValidFrom string `json:"valid_from,omitempty"` // YYYY-MM-DD
	ValidTo   string `json:"valid_to,omitempty"`   // YYYY-MM-DD or 长期
}

// Consent records that the resident agreed to the handling of their
// personal information, and to which version of the notice.
type Consent struct {
	Version string    `json:"version"`
	At      time.Time `json:"at"`
}

// Registration is a resident registering at the station.
type Registration struct {
	Person  Person  `json:"person"`
	Purpose string  `json:"purpose"` // a matter category code
	Phone   string  `json:"phone,omitempty"`
	Source  string  `json:"source"` // idcard, qr, manual
	Consent Consent `json:"consent"`
	// Appointment is the ID of the appointment code the registration was
	// made with (source qr), so the hub can close the appointment.
	Appointment string `json:"appointment,omitempty"`
}

// Matter is something a resident reports: a dispute, a hazard, a repair.
type Matter struct {
	Category    string  `json:"category"`
	Description string  `json:"description"`
	Phone       string  `json:"phone,omitempty"`
	Person      *Person `json:"person,omitempty"`
}

// Receipt is a service receipt (办事回执) a staff member printed.
type Receipt struct {
	Ticket   string `json:"ticket"`
	RecordID string `json:"record_id"`
	Category string `json:"category"`
	Staff    string `json:"staff"`
	NextStep string `json:"next_step,omitempty"`
}

// Volunteer is volunteer service to be credited (party members earn points
// for it upstream).
type Volunteer struct {
	Volunteer VolunteerPerson `json:"volunteer"`
	Service   string          `json:"service"`
	Minutes   int             `json:"minutes"`
	Date      string          `json:"date"` // YYYY-MM-DD
}

// VolunteerPerson is who served.
type VolunteerPerson struct {
	Name        string `json:"name"`
	IDNumber    string `json:"id_number,omitempty"`
	PartyMember bool   `json:"party_member"`
}

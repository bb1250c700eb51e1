package station

// MatterReport is a matter a resident reports at the kiosk without an ID
// card (反映问题): what it is about and, if they leave one, a phone number
// for the call back. Nothing else about the resident is asked for.
type MatterReport struct {
	Category string `json:"category"` // a matter category code (Categories)
	Phone    string `json:"phone,omitempty"`
	// Description is what the resident said, if anything; empty, the
	// record says the matter was reported at the kiosk and is to be told
	// to staff in person.
	Description string `json:"description,omitempty"`
}

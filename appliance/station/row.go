package station

import "time"

// RowState is where a record stands on its way to the hub.
type RowState string

// The states of a row.
const (
	Queued    RowState = "queued"    // stored here, waiting for the hub
	Delivered RowState = "delivered" // the hub has it; kept here for the retention period
	Rejected  RowState = "rejected"  // the hub refused it; set aside for staff (Reason says why)
)

// The kinds of record a row may be: the wire contract's (sync/wire), which
// this leaf does not import; appliance's tests hold the two lists equal.
const (
	KindRegistration = "registration" // a resident registered (card, typed-in or appointment)
	KindMatter       = "matter"       // a resident's matter: a repair, a dispute, a question…
	KindReceipt      = "receipt"      // a service receipt (办事回执) staff gave for a matter
	KindVolunteer    = "volunteer"    // a volunteer's service, recorded at check-out
)

// Kinds are the kinds of record, in the contract's order.
func Kinds() []string { return []string{KindRegistration, KindMatter, KindReceipt, KindVolunteer} }

// Row is one of the station's records as the staff's lists and the admin
// API show it: what the station knows of it without opening its body,
// which holds the personal data.
type Row struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Seq       uint64    `json:"seq"`
	State     RowState  `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Reason    string    `json:"reason,omitempty"` // why the hub rejected it

	// Ticket is the number the resident was given (R0042, M0043, …).
	Ticket string `json:"-"`
	// Resident says the record is a resident's registration or matter:
	// it holds their personal data, and staff may give it a service
	// receipt (receipts and volunteer service are not such records).
	Resident bool `json:"-"`
	// Name is whose record it is, masked (王*兰, as citizenid.MaskName
	// does) before it leaves the station: never a full name. Empty for a
	// matter reported with no name.
	Name string `json:"-"`
	// Matter is what the record is about: the matter's or purpose's name
	// from the reference data (证明开具), a volunteer's service, or its
	// code when the station knows no name; MatterEN its English name when
	// the reference data has one.
	Matter   string `json:"-"`
	MatterEN string `json:"-"`
}

// Category is a kind of matter a resident can come for, from the hub's
// reference data.
type Category struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

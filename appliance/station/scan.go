package station

import (
	"errors"
	"time"
)

// ScanResult is what the station made of the last code scanned. It holds
// no personal data: a receipt code carries only a record ID (and a link's
// key, which is not kept here).
type ScanResult struct {
	Kind      string    `json:"kind"` // receipt, appointment, staff, refused, unknown
	At        time.Time `json:"at"`
	Symbology string    `json:"symbology,omitempty"`
	RecordID  string    `json:"record_id,omitempty"`
	// State is the record's state: at this station (queued, delivered,
	// rejected), or the hub's word when the hub answered.
	State    string `json:"state,omitempty"`
	HubState string `json:"hub_state,omitempty"`
	HubNote  string `json:"hub_note,omitempty"`
	// Reason is why a signed code was refused (signedcode.Reason).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"` // for the screen, Chinese first
	Remote  bool   `json:"remote"`  // the hub was asked
	// Progress is how the receipt's record stands, for the look-up
	// screen; nil for other codes, and for a record neither the station
	// nor the hub knows.
	Progress *Progress `json:"progress,omitempty"`
}

// ErrNoTrigger is returned by TriggerScan when the scanner reads on its own.
var ErrNoTrigger = errors.New("appliance: the scanner is not command-triggered (devices.scanner.trigger is empty)")

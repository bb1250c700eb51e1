package station

import "time"

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

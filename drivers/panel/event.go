package panel

import (
	"fmt"
	"time"
)

// EventKind says what happened at the panel.
type EventKind int

const (
	// Pressed is a button released before it was held LongPress.
	Pressed EventKind = iota + 1
	// LongPressed is a button held LongPress. It is sent once, while the
	// button is still held, and nothing follows on its release.
	LongPressed
	// PresenceOn is the presence sensor seeing someone.
	PresenceOn
	// PresenceOff is the presence sensor seeing no one any more.
	PresenceOff
)

var kindNames = []string{"", "pressed", "long-pressed", "presence-on", "presence-off"}

func (k EventKind) String() string {
	if k <= 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
	return kindNames[k]
}

// Event is one thing that happened at the panel.
type Event struct {
	Kind EventKind
	// Button is "help" or "tech" for Pressed and LongPressed, else "".
	Button string
	// At is when the panel recognised the event: after the debounce time
	// for a release or a change of presence, on the dot for a long press.
	At time.Time
	// Held is how long the button was down, from the first edge of the
	// press to the first edge of the release, so contact bounce and the
	// debounce delay do not count.
	Held time.Duration
}

// Function returns the config key of the function the event came from:
// "button_help", "button_tech" or "presence".
func (e Event) Function() string {
	if e.Button == "" {
		return "presence"
	}
	return "button_" + e.Button
}

func (e Event) String() string {
	if e.Button == "" {
		return e.Kind.String()
	}
	return fmt.Sprintf("%s %s (held %v)", e.Button, e.Kind, e.Held)
}

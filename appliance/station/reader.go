package station

import "time"

// ReadStats is how long each step of the last card read took, and the
// bytes it moved over the line, for the technician's screen.
type ReadStats struct {
	Find, Select, Read time.Duration
	Bytes              int // bytes exchanged (commands and replies) for this card
	Attempts           int
}

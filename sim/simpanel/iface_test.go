package simpanel

import (
	"github.com/gridkiosk/gridkiosk/appliance"
)

// The station is what the panel is wired to in cmd/gridkiosk, beside
// the simulated world.
var _ Station = (*appliance.Station)(nil)

package simpanel

import (
	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/sim"
)

// The simulation's admin interface and the station are what the panel is
// wired to in cmd/gridkiosk.
var (
	_ Simulator = sim.Simulator(nil)
	_ Station   = (*appliance.Station)(nil)
)

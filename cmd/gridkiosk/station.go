package main

import (
	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
	"github.com/gridkiosk/gridkiosk/ui"
)

// The screens and the admin API declare what they need of the station, in
// its own vocabulary (appliance/station); *appliance.Station is what this
// program gives them.
var (
	_ ui.Station       = (*appliance.Station)(nil)
	_ adminapi.Station = (*appliance.Station)(nil)
)

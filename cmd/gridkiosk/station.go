package main

import (
	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
	"github.com/gridkiosk/gridkiosk/ui/kiosk"
	"github.com/gridkiosk/gridkiosk/ui/staff"
	"github.com/gridkiosk/gridkiosk/ui/tech"
)

// The screens and the admin API each declare what they need of the
// station, in its own vocabulary (appliance/station); *appliance.Station
// is what this program gives them all.
var (
	_ kiosk.Station      = (*appliance.Station)(nil)
	_ staff.Station      = (*appliance.Station)(nil)
	_ tech.Station       = (*appliance.Station)(nil)
	_ tech.PrinterTester = (*appliance.Station)(nil)
	_ adminapi.Station   = (*appliance.Station)(nil)
)

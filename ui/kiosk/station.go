package kiosk

import (
	"context"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// Station is what the resident's screens and the shell ask of the
// station, in its own vocabulary (appliance/station); *appliance.Station
// is one. The screens hold no business rules: they show what these return
// and pass on what people tap.
type Station interface {
	Config() *config.Config
	// Now is the station's clock: the board's, corrected by the hub.
	Now() time.Time
	Health() station.Health
	// Categories are the matters a resident can come for (reference data).
	Categories() []station.Category

	// The resident's registration.
	Session() station.SessionView
	SessionChanged() <-chan struct{}
	TouchSession()
	StartManual(name, idNumber string) error
	SubmitSession(ctx context.Context, in station.SessionSubmit) (station.Ack, error)
	CancelSession()
	PlaceOf(address string) station.Place
	LastScan() *station.ScanResult
	// ReportMatter stores a matter reported with no ID card (反映问题).
	ReportMatter(ctx context.Context, m station.MatterReport) (station.Ack, error)
	// Progress says how a matter stands (查进度), by its receipt's record
	// ID or its ticket: the hub's word when it answers in a few seconds,
	// else the station's own copy; station.ErrNotFound when neither
	// knows it.
	Progress(ctx context.Context, q station.ProgressQuery) (station.Progress, error)
	// CallHelp calls staff, as the panel's help button does (求助).
	CallHelp()

	// What switches the shell to staff or technician mode.
	Staff() *station.StaffSession
	Panel() station.PanelState
}

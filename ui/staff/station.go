package staff

import (
	"context"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// Station is what staff mode and its log-in ask of the station, in its own
// vocabulary (appliance/station); *appliance.Station is one.
type Station interface {
	Config() *config.Config
	SessionChanged() <-chan struct{}
	Panel() station.PanelState
	ClearHelp()

	// Logging in and out.
	Staff() *station.StaffSession
	// StaffIDs are the staff the reference data lists, for the keypad.
	StaffIDs() []string
	StaffLoginPIN(staffID, pin string) error
	TouchStaff()
	StaffLogout()

	// The day's records, the returned ones, and their receipts.
	Records(since time.Time, max int) ([]station.Row, error)
	Rejected() ([]station.Row, error)
	Resend(ids []string) (int, error)
	PrintReceipt(ctx context.Context, req station.ReceiptRequest) (station.PrintResult, error)
	PrintJobs() []station.PrintJob
	PrintJobNow(id string) error
	CancelPrintJob(id string) error

	// Volunteers.
	CheckIn(c station.CheckIn) (station.CheckIn, error)
	CheckIns() ([]station.CheckIn, error)
	CheckOut(ctx context.Context, name string) (station.Service, error)
}

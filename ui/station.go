package ui

import (
	"context"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// Station is everything the screens ask of the appliance, in the
// station's own vocabulary (package station); *appliance.Station is one. The screens hold no business rules: they show what these return
// and pass on what people tap.
type Station interface {
	Config() *config.Config
	// Now is the station's clock: the board's, corrected by the hub.
	Now() time.Time
	Health() station.Health
	// Categories are the matters a resident can come for (reference data).
	Categories() []station.Category
	// StaffIDs are the staff the reference data lists, for the PIN keypad.
	StaffIDs() []string

	// The resident's registration.
	Session() station.SessionView
	SessionChanged() <-chan struct{}
	TouchSession()
	StartManual(name, idNumber string) error
	SubmitSession(ctx context.Context, in station.SessionSubmit) (station.Ack, error)
	CancelSession()
	PlaceOf(address string) station.Place
	LastScan() *station.ScanResult
	TriggerScan() error

	// Staff.
	Staff() *station.StaffSession
	StaffLoginPIN(staffID, pin string) error
	TouchStaff()
	StaffLogout()
	Records(since time.Time, max int) ([]station.Row, error)
	Rejected() ([]station.Row, error)
	Resend(ids []string) (int, error)
	PrintReceipt(ctx context.Context, req station.ReceiptRequest) (station.PrintResult, error)
	PrintJobs() []station.PrintJob
	PrintJobNow(id string) error
	CancelPrintJob(id string) error
	CheckIn(c station.CheckIn) (station.CheckIn, error)
	CheckIns() ([]station.CheckIn, error)
	CheckOut(ctx context.Context, name string) (station.Service, error)

	// The panel and the technician.
	Panel() station.PanelState
	ClearHelp()
	LastCardRead() station.ReadStats
}

// Tr picks the text for the screen's language: Chinese unless lang is
// "en". Every string a person reads goes through it, so both languages
// stay side by side in the code.
func Tr(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// Pick takes the screen's half of a message the station writes in both
// languages, "中文 / English", or the whole when it has no second half.
func Pick(lang, msg string) string {
	zh, en, ok := strings.Cut(msg, " / ")
	if !ok {
		return msg
	}
	return Tr(lang, zh, en)
}

package ui

import (
	"context"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// Station is everything the screens ask of the appliance; *appliance.Station
// is one. The screens hold no business rules: they show what these return
// and pass on what people tap.
type Station interface {
	Config() *config.Config
	// Now is the station's clock: the board's, corrected by the hub.
	Now() time.Time
	Health() appliance.Health
	RefData() *appliance.RefData

	// The resident's registration.
	Session() appliance.SessionView
	SessionChanged() <-chan struct{}
	TouchSession()
	StartManual(name, idNumber string) error
	SubmitSession(ctx context.Context, in appliance.SessionSubmit) (appliance.Receipt, error)
	CancelSession()
	PlaceOf(address string) appliance.Place
	LastScan() *appliance.ScanResult
	TriggerScan() error

	// Staff.
	Staff() *appliance.StaffSession
	StaffLoginPIN(staffID, pin string) error
	TouchStaff()
	StaffLogout()
	Submit(ctx context.Context, sub appliance.Submission) (appliance.Receipt, error)
	Records(since time.Time, max int) ([]outbox.Entry, error)
	Rejected() ([]outbox.Entry, error)
	Resend(ids []string) (int, error)
	PrintReceipt(ctx context.Context, req appliance.ReceiptRequest) (appliance.PrintResult, error)
	PrintJobs() []appliance.PrintJob
	PrintJobNow(id string) error
	CancelPrintJob(id string) error
	CheckIn(c appliance.CheckIn) (appliance.CheckIn, error)
	CheckIns() ([]appliance.CheckIn, error)
	CheckOut(ctx context.Context, name string) (appliance.Service, error)

	// The panel and the technician.
	Panel() appliance.PanelState
	ClearHelp()
	LastCardRead() idcard.Phases
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

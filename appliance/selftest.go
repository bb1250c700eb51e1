package appliance

import (
	"context"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
)

// lampTestFor is how long the lamp test blinks every lamp.
const lampTestFor = 3 * time.Second

// TestPrint prints the printer test page through the station's print
// queue, storing no record: the technician's check of paper, encoding and
// QR mode.
func (s *Station) TestPrint(ctx context.Context) (station.PrintResult, error) {
	if s.prn == nil {
		return station.PrintResult{}, station.ErrNoPrinter
	}
	if err := s.prn.ready(ctx); err != nil {
		return station.PrintResult{}, vocab(err)
	}
	job, err := printer.Encode(printer.TestPage(s.prn.profile, s.Now()), s.prn.profile)
	if err != nil {
		return station.PrintResult{}, err
	}
	j, err := s.prn.add(job, "TEST")
	if err != nil {
		return station.PrintResult{}, err
	}
	state, reason := s.prn.start(ctx, j)
	return station.PrintResult{State: state, Reason: reason, Ticket: "TEST", JobID: j.ID}, nil
}

// TestBeep sounds the buzzer once, for a wiring check.
func (s *Station) TestBeep() { s.pnl.beep(panel.BeepOK) }

// TestLEDs blinks every lamp for a few seconds; then the lamps show the
// station's state again.
func (s *Station) TestLEDs() {
	if s.pnl.hw == nil {
		return
	}
	for _, l := range panel.LEDs() {
		s.pnl.hw.SetLED(l, panel.BlinkFast)
	}
	time.AfterFunc(lampTestFor, func() {
		s.pnl.forgetLamps() // the lamp loop sets every lamp afresh
		s.notify()
	})
}

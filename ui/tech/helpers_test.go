package tech

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// TestMain runs the tests in one test app with the kiosk's theme.
func TestMain(m *testing.M) { simui.Main(m) }

// newRig starts a real station of the demo config with its county hub and
// every device emulated: the card reader, the scanner and the printer on
// ptys, and the GPIO panel.
func newRig(t *testing.T) *simui.Station {
	t.Helper()
	return simui.NewStation(t, simui.StationOptions{Hub: simui.StartHub(t), Readers: true, Version: "test"})
}

// refreshUntil reads the station again until want is on screen.
func (s *Screen) refreshUntil(t *testing.T, want string) {
	t.Helper()
	simui.WaitFor(t, want+" on screen", func() bool { s.Refresh(); return simui.OnScreen(s.Content(), want) })
}

package tech

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/ui/uitest"
)

// TestMain runs the tests in one test app with the kiosk's theme.
func TestMain(m *testing.M) { uitest.Main(m) }

// newRig starts a real station of the demo config with its county hub and
// every device emulated: the card reader, the scanner and the printer on
// ptys, and the GPIO panel.
func newRig(t *testing.T) *uitest.Station {
	t.Helper()
	return uitest.NewStation(t, uitest.StationOptions{Hub: uitest.StartHub(t), Readers: true, Version: "test"})
}

// refreshUntil reads the station again until want is on screen.
func (s *Screen) refreshUntil(t *testing.T, want string) {
	t.Helper()
	uitest.WaitFor(t, want+" on screen", func() bool { s.Refresh(); return uitest.OnScreen(s.Content(), want) })
}

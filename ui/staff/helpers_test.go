package staff

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// TestMain runs the tests in one test app with the kiosk's theme.
func TestMain(m *testing.M) { simui.Main(m) }

// newRig starts a real station of the demo config with its hub, an
// emulated printer and a simulated GPIO panel, on the clock now (nil for
// the time of day), and waits for the hub's reference data: the staff
// screens look staff members up in it.
func newRig(t *testing.T, now func() time.Time) *simui.Station {
	t.Helper()
	r := simui.NewStation(t, simui.StationOptions{Hub: simui.StartHub(t), Now: now})
	simui.WaitFor(t, "reference data from the hub", func() bool { return r.Station.RefData() != nil })
	return r
}

// login logs the demo staff member in with the PIN.
func login(t *testing.T, r *simui.Station) {
	t.Helper()
	if err := r.Station.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatalf("logging in: %v", err)
	}
}

// lastJob is the job the emulated printer printed last.
func lastJob(p *printersim.Printer) []byte {
	jobs := p.Jobs()
	if len(jobs) == 0 {
		return nil
	}
	return jobs[len(jobs)-1]
}

func submit(t *testing.T, r *simui.Station, kind string, payload any) station.Ack {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatalf("encoding the %s: %v", kind, err)
	}
	rc, err := r.Station.Submit(t.Context(), station.Submission{Kind: kind, Payload: raw})
	if err != nil {
		t.Fatalf("submitting the %s: %v", kind, err)
	}
	return rc
}

func registration() map[string]any {
	return map[string]any{
		"person": map[string]any{"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"id_number": "14102919520317122X", "card_type": "resident"},
		"purpose": "certificate", "source": "manual",
		"consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)},
	}
}

func matter() map[string]any {
	return map[string]any{"category": "repair", "description": "7号楼2单元楼道灯不亮，老人晚上上下楼不便"}
}

// clock is a settable clock running from a start time.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

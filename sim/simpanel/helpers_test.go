package simpanel

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// TestMain runs the tests in one test app with the kiosk's theme.
func TestMain(m *testing.M) { simui.Main(m) }

// recorder is a simulation that records what it is asked and answers
// with fixed data; the simulation itself is tested in sim and, as
// "gridkiosk serve --simulate", in cmd/gridkiosk.
type recorder struct {
	mu      sync.Mutex
	calls   []string
	failNet error
	outputs map[string]any
	lamps   chan struct{} // closed, and replaced, by setOutputs
	reads   int           // calls of PanelOutputs
}

func (r *recorder) outputReads() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reads
}

// setOutputs changes the outputs reported and tells PanelChanged's waiters.
func (r *recorder) setOutputs(out map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outputs = out
	if r.lamps != nil {
		close(r.lamps)
	}
	r.lamps = make(chan struct{})
}

func (r *recorder) PanelChanged() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lamps == nil {
		r.lamps = make(chan struct{})
	}
	return r.lamps
}

func (r *recorder) note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

// took returns the calls since the last time, joined by "; ".
func (r *recorder) took() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.calls, "; ")
	r.calls = nil
	return s
}

func (r *recorder) LayCard(key string) error { r.note("LayCard %s", key); return nil }
func (r *recorder) LiftCard()                { r.note("LiftCard") }
func (r *recorder) PrinterRunOutAfter(n int) { r.note("PrinterRunOutAfter %d", n) }
func (r *recorder) SetPrinter(paperOut, nearEnd, coverOpen, offline bool) {
	r.note("SetPrinter %v %v %v %v", paperOut, nearEnd, coverOpen, offline)
}
func (r *recorder) ScanCode(data, aim string) error { r.note("ScanCode %s %s", data, aim); return nil }
func (r *recorder) IssueCode(kind string) (string, error) {
	r.note("IssueCode %s", kind)
	letter := map[string]string{"appointment": "A", "appointment-expired": "A", "staff": "S"}[kind]
	return "GK1:" + letter + ":eyJpZCI6IjEifQ.SIGnature", nil
}
func (r *recorder) PressButton(button string, hold time.Duration) error {
	r.note("PressButton %s %v", button, hold)
	return nil
}
func (r *recorder) SetPresence(on bool) { r.note("SetPresence %v", on) }
func (r *recorder) LastPrint(io.Writer, string) (bool, error) {
	r.note("LastPrint")
	return false, nil
}
func (r *recorder) SetClockSkew(skew time.Duration) error {
	r.note("SetClockSkew %v", skew)
	return nil
}
func (r *recorder) SetNetwork(up bool) error {
	r.note("SetNetwork %v", up)
	return r.failNet
}
func (r *recorder) PanelOutputs() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads++
	if r.outputs != nil {
		return r.outputs
	}
	return map[string]any{"leds": map[string]bool{"ready": true}, "buzzer": false, "relay": false, "beeps": 0}
}

// The recorder answers for the station too.
func (r *recorder) Records(time.Time, int) ([]station.Row, error) {
	return []station.Row{{ID: "0190f5e6-0000-7000-8000-000000000046", Kind: "matter", Seq: 46, State: station.Queued}}, nil
}
func (r *recorder) Session() station.SessionView {
	return station.SessionView{State: station.SessionCard, CardOnReader: true}
}
func (r *recorder) LastScan() *station.ScanResult {
	return &station.ScanResult{Kind: "refused", Reason: "forged", Message: "预约码无效（签名不符） / appointment code is not genuine (signature does not match)"}
}

// SessionChanged never announces a change: the tests call Refresh.
func (r *recorder) SessionChanged() <-chan struct{} { return nil }
func (r *recorder) Health() station.Health {
	return station.Health{
		Peripherals: map[string]station.Peripheral{"printer": {State: "paper_out"}},
		Upstream:    station.UpstreamState{Configured: true},
		Outbox:      station.OutboxState{Queued: 3},
	}
}

// tap taps the key and waits for what it does.
func (p *Panel) tap(key string) {
	test.Tap(p.keys[key])
	p.jobs.Wait()
}

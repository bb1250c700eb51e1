package simpanel

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// Each key asks the simulation for what it says.
func TestKeys(t *testing.T) {
	sim := &recorder{}
	p := New(sim, sim, "zh-CN")
	simui.Show(t, p.Content(), fyne.NewSize(1280, 800))
	tests := []struct{ key, want string }{
		{"card:resident", "LayCard resident"},
		{"card:resident-hui", "LayCard resident-hui"},
		{"card:hmt", "LayCard hmt"},
		{"card:foreign2017", "LayCard foreign2017"},
		{"card:foreign2023", "LayCard foreign2023"},
		{"lift", "LiftCard"},
		{"code:appointment", "IssueCode appointment; ScanCode GK1:A:eyJpZCI6IjEifQ.SIGnature ]Q1"},
		{"code:expired", "IssueCode appointment-expired; ScanCode GK1:A:eyJpZCI6IjEifQ.SIGnature ]Q1"},
		{"code:forged", "IssueCode appointment; ScanCode GK1:A:eyJpZCI6IjEifQ.AIGnature ]Q1"},
		{"code:receipt", "ScanCode GK1:R:0190f5e6-0000-7000-8000-000000000046 ]Q1"},
		{"code:staff", "IssueCode staff; ScanCode GK1:S:eyJpZCI6IjEifQ.SIGnature ]Q1"},
		{"code:other", "ScanCode https://www.xiangning.gov.cn/ ]Q1"},
		{"code:other", "ScanCode WIFI:T:WPA;S:XFW-Guest;P:88886666;; ]Q1"},
		{"code:other", "ScanCode 6901234567892 ]E0"},
		{"printer:paper", "SetPrinter true false false false"},
		{"printer:midjob", "SetPrinter false false false false; PrinterRunOutAfter 300"},
		{"printer:cover", "SetPrinter false false true false"},
		{"printer:ok", "SetPrinter false false false false"},
		{"net:down", "SetNetwork false"},
		{"net:up", "SetNetwork true"},
		{"clock:+8h", "SetClockSkew 8h0m0s"},
		{"clock:-3d", "SetClockSkew -72h0m0s"},
		{"clock:+1y", "SetClockSkew 8760h0m0s"},
		{"clock:0", "SetClockSkew 0s"},
		{"help", "PressButton help 150ms"},
		{"tech", "PressButton tech 2.5s"},
		{"presence", "SetPresence true"},
		{"presence", "SetPresence false"},
	}
	for _, tc := range tests {
		p.tap(tc.key)
		if got := sim.took(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.key, got, tc.want)
		}
		if !strings.HasPrefix(p.result.Text, "✓") {
			t.Errorf("%s: result %q", tc.key, p.result.Text)
		}
	}
}

// What the simulation refuses is shown, not swallowed.
func TestKeyFails(t *testing.T) {
	sim := &recorder{failNet: errors.New("no network proxy in this simulation")}
	p := New(sim, sim, "en")
	simui.Show(t, p.Content(), fyne.NewSize(800, 480))
	p.tap("net:down")
	if p.result.Text != "✗ no network proxy in this simulation" {
		t.Errorf("result %q", p.result.Text)
	}
}

func TestForge(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GK1:A:payload.SIG", "GK1:A:payload.AIG"},
		{"GK1:A:payload.AIG", "GK1:A:payload.BIG"},
		{"GK1:A:payload.", "GK1:A:payloadA"},
		{"nodot", "nodoA"},
	}
	for _, tc := range tests {
		if got := forge(tc.in); got != tc.want {
			t.Errorf("forge(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The lamps light as the simulation reports its outputs, whether as Go
// values or decoded from the admin API's JSON.
func TestLamps(t *testing.T) {
	tests := []struct {
		name string
		out  map[string]any
	}{
		{"go", map[string]any{"leds": map[string]bool{"ready": true, "attention": true}, "relay": true, "buzzer": false, "beeps": 3}},
		{"json", map[string]any{"leds": map[string]any{"ready": true, "attention": true}, "relay": true, "buzzer": false, "beeps": 3.0}},
	}
	for _, tc := range tests {
		sim := &recorder{outputs: tc.out}
		p := New(sim, sim, "zh-CN")
		simui.Show(t, p.Content(), fyne.NewSize(800, 480))
		p.Refresh()
		for _, o := range outputs() {
			lit := p.lamps.dots[o.key].FillColor == o.lit
			if want := o.key == "ready" || o.key == "attention" || o.key == "relay"; lit != want {
				t.Errorf("%s: %s lit %v, want %v", tc.name, o.key, lit, want)
			}
		}
		if p.lamps.beeps.Text != "♪ 3" {
			t.Errorf("%s: beeps %q", tc.name, p.lamps.beeps.Text)
		}
		if c := p.Content(); !simui.OnScreen(c, "会话：card") || !simui.OnScreen(c, "签名不符") {
			t.Errorf("%s: status:\n%s", tc.name, simui.Texts(c))
		}
	}
}

// Run shows a lamp when the simulation says its outputs changed, and reads
// them on no timer: the recorder's outputs change here only through
// PanelChanged.
func TestRunFollowsTheLamps(t *testing.T) {
	sim := &recorder{}
	p := New(sim, sim, "zh-CN")
	simui.Show(t, p.Content(), fyne.NewSize(800, 480))
	relay := outputs()[5]
	if relay.key != "relay" {
		t.Fatalf("outputs()[5] is %s", relay.key)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	simui.WaitFor(t, "Run to read the outputs", func() bool { return sim.outputReads() == 1 })
	sim.setOutputs(map[string]any{"leds": map[string]bool{"ready": true}, "relay": true, "buzzer": false, "beeps": 0})
	simui.WaitFor(t, "Run to read the outputs again", func() bool { return sim.outputReads() == 2 })
	// Run shows what it read before it next waits, and so before it
	// returns; the lamps are read here once it has.
	cancel()
	<-done
	if p.lamps.dots["relay"].FillColor != relay.lit {
		t.Error("the relay's lamp is not lit after the simulation said it changed")
	}
}

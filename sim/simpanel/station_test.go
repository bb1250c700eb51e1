package simpanel

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// emulators is a sim.Simulator made of the simulation's device
// emulators (sim.Devices, as sim.World has them) without its hub: a
// station with no upstream issues no codes and has no network to cut.
type emulators struct{ *simui.Station }

var errNoHub = errors.New("no hub in this test")

func (e emulators) IssueCode(string) (string, error) { return "", errNoHub }
func (e emulators) SetNetwork(bool) error            { return errNoHub }
func (e emulators) SetClockSkew(time.Duration) error { return errNoHub }

var _ sim.Simulator = emulators{}

// demoStation starts a real demo station, without a hub, on the emulators.
func demoStation(t *testing.T) (*appliance.Station, emulators) {
	t.Helper()
	e := emulators{simui.NewStation(t, simui.StationOptions{Readers: true})}
	st := e.Station.Station
	// A code sent before the scanner's driver opened its line is lost,
	// as on a real serial line.
	simui.WaitFor(t, "the devices ready", func() bool {
		ps := st.Health().Peripherals
		return ps["scanner"].State == "ready" && ps["idcard"].State == "ready"
	})
	return st, e
}

// The panel's keys drive a real station through the device emulators: a
// card laid on the pty reader opens a session, and so on.
func TestDrivesStation(t *testing.T) {
	st, e := demoStation(t)
	p := New(e, st, "zh-CN")
	simui.Show(t, p.Content(), fyne.NewSize(1280, 800))

	p.tap("card:resident")
	simui.WaitFor(t, "a card session", func() bool { return st.Session().State == station.SessionCard })
	if v := st.Session(); v.Person == nil || v.Person.Name != "王秀兰" {
		t.Fatalf("session %+v", v)
	}
	p.Refresh()
	if !simui.OnScreen(p.Content(), "会话：card（卡在阅读器上）") {
		t.Errorf("status:\n%s", simui.Texts(p.Content()))
	}
	p.tap("lift")
	simui.WaitFor(t, "the card lifted", func() bool { return !st.Session().CardOnReader })

	// The station asks an idle printer how it is every few seconds; the
	// emulator's sensors are what the keys set.
	for _, tc := range []struct {
		key  string
		want printersim.State
	}{
		{"printer:paper", printersim.State{PaperOut: true}},
		{"printer:cover", printersim.State{CoverOpen: true}},
		{"printer:ok", printersim.State{}},
	} {
		p.tap(tc.key)
		if got := e.Printer.State(); got != tc.want {
			t.Errorf("%s: printer %+v, want %+v", tc.key, got, tc.want)
		}
	}

	raw, _ := json.Marshal(map[string]any{"category": "repair", "description": "7号楼楼道灯不亮"})
	rc, err := st.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	p.tap("code:receipt")
	simui.WaitFor(t, "the receipt code read", func() bool { s := st.LastScan(); return s != nil && s.RecordID == rc.ID })
	p.tap("code:other")
	simui.WaitFor(t, "the other code read", func() bool { s := st.LastScan(); return s != nil && s.Kind == "unknown" })

	p.tap("help")
	simui.WaitFor(t, "the help request", func() bool { return st.Panel().HelpSince != nil })
	simui.WaitFor(t, "the call bell lamp", func() bool {
		p.Refresh()
		return p.lamps.dots["relay"].FillColor == outputs()[5].lit && p.lamps.dots["ready"].FillColor == outputs()[0].lit
	})

	p.tap("presence")
	simui.WaitFor(t, "someone at the kiosk", func() bool { return st.Panel().Presence })

	p.tap("code:staff")
	if !strings.Contains(p.result.Text, errNoHub.Error()) {
		t.Errorf("a code without a hub: %q", p.result.Text)
	}
}

// The printer keys work in the middle of a job: the paper runs out half
// way through a receipt, the receipt is not printed, and Load paper lets
// the printer finish it.
func TestPaperOutMidReceiptKeys(t *testing.T) {
	st, e := demoStation(t)
	p := New(e, st, "zh-CN")
	simui.Show(t, p.Content(), fyne.NewSize(1280, 800))
	e.Printer.SetSpeed(1000)
	raw, _ := json.Marshal(map[string]any{"category": "repair", "description": "7号楼楼道灯不亮"})
	rc, err := st.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	p.tap("printer:midjob")
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: rc.ID, Staff: "李建国"})
	if err != nil || res.State != station.JobWaiting || len(e.Printer.Jobs()) != 0 {
		t.Fatalf("paper out mid-receipt: %+v %v, %d jobs printed", res, err, len(e.Printer.Jobs()))
	}
	p.tap("printer:ok")
	simui.WaitFor(t, "the receipt finished", func() bool { return len(st.PrintJobs()) == 0 })
	if len(e.Printer.Jobs()) != 1 {
		t.Fatalf("%d jobs printed", len(e.Printer.Jobs()))
	}
}

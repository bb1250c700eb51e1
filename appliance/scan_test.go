package appliance_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// An offline station (no hub) answers a receipt code from its own outbox.
func TestScanOffline(t *testing.T) {
	dir := t.TempDir()
	sim, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cfg := demo.Config(filepath.Join(dir, "data"), "", "") // the Xingfuwan station, no hub
	cfg.Devices.Scanner.Port = sim.Path()
	st := runStation(t, appliance.Options{Config: cfg})
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["scanner"].State == "ready" })

	raw, _ := json.Marshal(map[string]string{"category": "repair", "description": "路灯不亮"})
	rc, err := st.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code, kind, state, msg string
	}{
		{appliance.ReceiptCodePrefix + rc.ID, "receipt", "queued", "本站记录状态：queued"},
		{appliance.ReceiptCodePrefix + "0190f5e6-0000-7000-8000-000000000009", "receipt", "", "本站没有这条记录"},
		{appliance.ReceiptCodePrefix + "not-an-id", "unknown", "", "不是本站能识别的二维码"},
		{"WIFI:S:guest;;", "unknown", "", "not a code this station knows"},
	}
	for _, tc := range tests {
		before := st.LastScan()
		sim.Scan(tc.code, qrscansim.How{AIM: "]Q1"})
		deadline := time.Now().Add(10 * time.Second)
		var got *station.ScanResult
		for time.Now().Before(deadline) {
			if got = st.LastScan(); got != nil && (before == nil || got.At != before.At) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if got == nil || got.Kind != tc.kind || got.State != tc.state || !strings.Contains(got.Message, tc.msg) || got.Remote {
			t.Errorf("scan %q = %+v", tc.code, got)
		}
	}
}

// A command-triggered scanner reads when the station asks it to.
func TestTriggerScan(t *testing.T) {
	dir := t.TempDir()
	sim, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cfg := demo.Config(filepath.Join(dir, "data"), "", "")
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Trigger = sim.Path(), "honeywell"
	st := runStation(t, appliance.Options{Config: cfg})
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["scanner"].State == "ready" })
	sim.Arm("WIFI:S:guest;;", qrscansim.How{AIM: "]Q1"})
	if err := st.TriggerScan(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for st.LastScan() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := st.LastScan(); got == nil || got.Kind != "unknown" || sim.Triggers() != 1 {
		t.Fatalf("after trigger: %+v, %d triggers", got, sim.Triggers())
	}

	cfg2 := demo.Config(filepath.Join(dir, "data2"), "", "")
	if err := runStation(t, appliance.Options{Config: cfg2}).TriggerScan(); !errors.Is(err, station.ErrNoTrigger) {
		t.Fatalf("no scanner: %v", err)
	}
}

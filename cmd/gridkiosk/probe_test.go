package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/drivers/serialport/serialporttest"
)

func TestProbeIDCard(t *testing.T) {
	sim, err := idcardsim.New(t.TempDir(), "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	card, _ := idcardsim.Card("hmt")
	go func() { time.Sleep(300 * time.Millisecond); sim.Lay(card) }()
	var out, errOut bytes.Buffer
	if code := realMain([]string{"probe", "idcard", "--port", sim.Path(), "--json", "--timeout", "20s"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var res probeResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	var keys struct{ Card map[string]any }
	json.Unmarshal(out.Bytes(), &keys)
	for _, k := range []string{"name", "id_number", "valid_to", "pass_number"} {
		if _, ok := keys.Card[k]; !ok {
			t.Errorf("card has no key %q: %s", k, out.String())
		}
	}
	if res.CardType != "hmt_permit" || res.Card.Name != card.Name || res.Card.PassNumber != card.PassNumber ||
		res.SAMID != "05.01-20100101-0123456789-1234567890" || res.PhotoBytes != 1024 {
		t.Fatalf("probe = %+v", res)
	}
	if res.Card.IDNumber == card.IDNumber || !strings.Contains(res.Card.IDNumber, "*") {
		t.Fatalf("ID number not masked without --reveal: %q", res.Card.IDNumber)
	}
	if res.Timing.Read <= 0 || res.Timing.Wire < 100 {
		t.Errorf("timing = %+v", res.Timing)
	}

	sim.Lift()
	go func() { time.Sleep(300 * time.Millisecond); sim.Lay(card) }()
	out.Reset()
	if code := realMain([]string{"probe", "idcard", "--port", sim.Path(), "--reveal"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), card.IDNumber) || !strings.Contains(out.String(), "wire floor") {
		t.Fatalf("--reveal output:\n%s", out.String())
	}
}

func TestProbeFailures(t *testing.T) {
	dir := t.TempDir()
	// A line nobody answers on: a port with no reader behind it.
	mute, err := serialporttest.NewLine(dir, "mute", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"probe", "idcard", "--port", filepath.Join(dir, "none")}, 1, "is the reader plugged in"},
		{[]string{"probe", "idcard", "--port", mute.Path()}, 1, "no reader answered on " + mute.Path() + " at 115200 baud"},
		{[]string{"probe", "idcard"}, 2, "--port is required"},
		{[]string{"probe", "camera"}, 2, "want a device"},
		{[]string{"probe", "gpio", "--config", filepath.Join(dir, "none.toml")}, 1, "cannot read config file"},
		{[]string{"probe", "printer"}, 2, "give --port, --usb or --tcp"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		if code := realMain(tc.args, &out, &out); code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d %q; want %d %q", tc.args, code, out.String(), tc.code, tc.want)
		}
	}
	sim, _ := idcardsim.New(dir, "idcard", 0)
	defer sim.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := probeCard(ctx, sim.Path(), 115200, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "no card laid") {
		t.Fatalf("no card: %v", err)
	}
}

func TestProbePrinter(t *testing.T) {
	sim := printersim.New()
	defer sim.Close()
	line, err := sim.ServePTY(t.TempDir(), "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := realMain([]string{"probe", "printer", "--port", line.Path(), "--test-receipt"}, &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "test receipt printed") || !sim.WaitJobs(1, 5*time.Second) {
		t.Fatalf("no test receipt:\n%s", out.String())
	}
	r, _ := escposview.Parse(sim.Jobs()[0], escposview.Options{})
	if !strings.Contains(r.Text, "幸福湾社区") || len(r.QRCodes) != 1 {
		t.Fatalf("test receipt:\n%s", r.Text)
	}
	sim.Set(printersim.State{CoverOpen: true})
	out.Reset()
	if code := realMain([]string{"probe", "printer", "--port", line.Path()}, &out, &out); code != 1 || !strings.Contains(out.String(), "cover") {
		t.Fatalf("cover open: exit %d %s", code, out.String())
	}
	out.Reset()
	mute, _ := serialporttest.NewLine(t.TempDir(), "mute", 0)
	defer mute.Close()
	if code := realMain([]string{"probe", "printer", "--port", mute.Path()}, &out, &out); code != 1 || !strings.Contains(out.String(), "no answer to the status query") {
		t.Fatalf("no printer: exit %d %s", code, out.String())
	}
}

func TestProbeQR(t *testing.T) {
	sim, err := qrscansim.New(t.TempDir(), "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	go func() {
		time.Sleep(300 * time.Millisecond)
		sim.Scan("GK1:R:0190f5e6-0000-7000-8000-000000000001", qrscansim.How{AIM: "]Q1"})
		sim.Scan("幸福湾社区", qrscansim.How{GB18030: true, Suffix: "\r\n"})
	}()
	var out bytes.Buffer
	if code := realMain([]string{"probe", "qr", "--port", sim.Path(), "--count", "2", "--json", "--timeout", "20s"}, &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"symbology":"QR"`) || !strings.Contains(lines[1], `"data":"幸福湾社区"`) || !strings.Contains(lines[1], "gb18030") {
		t.Fatalf("probe qr output:\n%s", out.String())
	}
	out.Reset()
	if code := realMain([]string{"probe", "qr", "--port", sim.Path(), "--timeout", "300ms"}, &out, &out); code != 1 || !strings.Contains(out.String(), "serial (not keyboard) mode") {
		t.Fatalf("no code: exit %d %s", code, out.String())
	}
	out.Reset()
	if code := realMain([]string{"probe", "qr", "--port", "/nonexistent/tty"}, &out, &out); code != 1 || !strings.Contains(out.String(), "/nonexistent/tty") {
		t.Fatalf("bad port: exit %d %s", code, out.String())
	}
	// A triggered scanner sends nothing until the probe triggers it.
	sim.Arm("GK1:R:0190f5e6-0000-7000-8000-000000000002", qrscansim.How{AIM: "]Q1"})
	out.Reset()
	if code := realMain([]string{"probe", "qr", "--port", sim.Path(), "--trigger", "honeywell", "--timeout", "20s"}, &out, &out); code != 0 ||
		!strings.Contains(out.String(), "000000000002") || sim.Triggers() != 1 {
		t.Fatalf("triggered: exit %d, %d triggers: %s", code, sim.Triggers(), out.String())
	}
	out.Reset()
	if code := realMain([]string{"probe", "qr", "--port", sim.Path(), "--trigger", "zebra"}, &out, &out); code != 2 || !strings.Contains(out.String(), "honeywell or gm65") {
		t.Fatalf("unknown trigger: exit %d %s", code, out.String())
	}
}

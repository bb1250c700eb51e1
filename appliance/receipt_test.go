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
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// printerStation is a station whose printer is an emulator on a pty.
func printerStation(t *testing.T) (*appliance.Station, *printersim.Printer) {
	t.Helper()
	dir := t.TempDir()
	sim := printersim.New()
	t.Cleanup(func() { sim.Close() })
	line, err := sim.ServePTY(dir, "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	cfg := demo.Config(filepath.Join(dir, "data"), "", "") // the Xingfuwan station, no hub
	cfg.Devices.Printer.Port = line.Path()
	return runStation(t, appliance.Options{Config: cfg}), sim
}

func registration(t *testing.T, st *appliance.Station) string {
	t.Helper()
	p := map[string]any{
		"person": map[string]any{"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"id_number": "14102919520317122X", "card_type": "resident"},
		"purpose": "certificate", "source": "manual",
		"consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)},
	}
	raw, _ := json.Marshal(p)
	rc, err := st.Submit(t.Context(), station.Submission{Kind: "registration", Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	return rc.ID
}

func TestReceiptPrints(t *testing.T) {
	st, sim := printerStation(t)
	id := registration(t, st)
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国", NextStep: "三个工作日内到社区领取证明"})
	if err != nil || res.State != "printed" || res.Ticket != "R0001" {
		t.Fatalf("print: %+v %v", res, err)
	}
	jobs := sim.Jobs()
	if len(jobs) != 1 {
		t.Fatalf("%d jobs at the printer", len(jobs))
	}
	r, err := escposview.Parse(jobs[0], escposview.Options{Dots: 384})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"幸福湾社区党群服务站", "办事回执", "R0001", "证明开具", "王*兰", "1410**********122X", "李建国", "下一步：三个工作日内", "时钟未校准", "扫码查询办理进度"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, r.Text)
		}
	}
	if strings.Contains(r.Text, "14102919520317122X") || strings.Contains(r.Text, "王秀兰") {
		t.Errorf("receipt shows the full ID number or name:\n%s", r.Text)
	}
	if len(r.QRCodes) != 1 || r.QRCodes[0] != appliance.ReceiptCodePrefix+id {
		t.Errorf("QR codes = %q", r.QRCodes)
	}
	if e, err := st.Lookup(res.ReceiptID); err != nil || e.Kind != "receipt" {
		t.Errorf("receipt record: %+v %v", e, err)
	}
}

// A name with a character a card carries in the private-use area (some
// rare characters of names) is stored, and its receipt prints with □ in
// its place rather than never.
func TestReceiptForRareCharacterName(t *testing.T) {
	st, sim := printerStation(t)
	p := map[string]any{
		"person": map[string]any{"name": "\ue0a1秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"id_number": "14102919520317122X", "card_type": "resident"},
		"purpose": "certificate", "source": "manual",
		"consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)},
	}
	raw, _ := json.Marshal(p)
	rc, err := st.Submit(t.Context(), station.Submission{Kind: "registration", Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: rc.ID, Staff: "李建国"})
	if err != nil || res.State != "printed" {
		t.Fatalf("print: %+v %v", res, err)
	}
	r, err := escposview.Parse(sim.Jobs()[0], escposview.Options{Dots: 384})
	if err != nil || !strings.Contains(r.Text, "□*兰") {
		t.Fatalf("receipt: %v\n%s", err, r.Text)
	}
}

func TestReceiptRefusedWithoutPaper(t *testing.T) {
	st, sim := printerStation(t)
	id := registration(t, st)
	sim.Set(printersim.State{PaperOut: true})
	_, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	var nr *printer.NotReadyError
	if !errors.As(err, &nr) || !strings.Contains(nr.Msg, "装纸") {
		t.Fatalf("paper out: %v", err)
	}
	if st.Health().Outbox.LastSeq != 1 || sim.Buffered() != 0 {
		t.Fatal("a refused print stored a receipt record or sent bytes")
	}
	p := st.Health().Peripherals["printer"]
	if p.State != "paper_out" || !strings.Contains(p.Note, "装纸") {
		t.Fatalf("health printer = %+v", p)
	}
}

// The screens and the admin API know a printer that cannot start by the
// station's NotReadyError, in the printer's words, whether a receipt or
// the technician's test page was asked for.
func TestNotReadyInTheStationsWords(t *testing.T) {
	st, sim := printerStation(t)
	id := registration(t, st)
	sim.Set(printersim.State{PaperOut: true})
	_, receiptErr := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	_, testErr := st.TestPrint(t.Context())
	for what, err := range map[string]error{"receipt": receiptErr, "test page": testErr} {
		var nr *station.NotReadyError
		if !errors.As(err, &nr) || nr.Reason != "paper out" || !strings.Contains(nr.Msg, "装纸") {
			t.Errorf("%s, paper out: %v, want a *station.NotReadyError", what, err)
		} else if err.Error() != "printer: not ready: paper out" {
			t.Errorf("%s, paper out: says %q", what, err)
		}
	}
}

func TestReceiptRetriedAfterCoverClosed(t *testing.T) {
	st, sim := printerStation(t)
	id := registration(t, st)
	sim.OpenCoverAfter(200)
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	if err != nil || res.State != "waiting" || !strings.Contains(res.Reason, "盖") {
		t.Fatalf("cover opened mid-job: %+v %v", res, err)
	}
	if p := st.Health().Peripherals["printer"]; p.Pending != 1 || p.State != "cover_open" {
		t.Fatalf("health printer = %+v", p)
	}
	sim.Set(printersim.State{})
	if !sim.WaitJobs(1, 15*time.Second) {
		t.Fatal("the receipt was not printed again after the cover closed")
	}
	r, _ := escposview.Parse(sim.Jobs()[0], escposview.Options{})
	if !strings.Contains(r.Text, "R0001") || len(r.QRCodes) != 1 || sim.Interrupted() != 1 {
		t.Fatalf("reprinted receipt:\n%s", r.Text)
	}
}

func TestReceiptErrors(t *testing.T) {
	st, _ := printerStation(t)
	if _, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: "0190f5e6-0000-7000-8000-000000000009", Staff: "李建国"}); err == nil || !strings.Contains(err.Error(), "no such record") {
		t.Errorf("unknown record: %v", err)
	}
	id := registration(t, st)
	if _, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id}); err == nil || !strings.Contains(err.Error(), "staff") {
		t.Errorf("no staff: %v", err)
	}
}

// The technician's test page prints through the station's queue and
// stores no record.
func TestTestPrint(t *testing.T) {
	st, sim := printerStation(t)
	res, err := st.TestPrint(t.Context())
	if err != nil || res.State != "printed" {
		t.Fatalf("test print: %+v %v", res, err)
	}
	if !sim.WaitJobs(1, 10*time.Second) {
		t.Fatal("no job at the printer")
	}
	r, err := escposview.Parse(sim.Jobs()[0], escposview.Options{Dots: 384})
	if err != nil || !strings.Contains(r.Text, "打印机测试") || len(r.QRCodes) != 1 || r.QRCodes[0] != "GK1:TEST" {
		t.Fatalf("test page: %v\n%s %v", err, r.Text, r.QRCodes)
	}
	if st.Health().Outbox.Queued != 0 {
		t.Fatal("a test print stored a record")
	}
}

// The staff's preview is the job PrintReceipt sends, with nothing printed
// and nothing stored.
func TestReceiptJobPreview(t *testing.T) {
	st, sim := printerStation(t)
	id := registration(t, st)
	before := st.Health().Outbox.Queued
	job, err := st.ReceiptJob(station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := escposview.Parse(job, escposview.Options{Dots: 384})
	if err != nil || !strings.Contains(r.Text, "李建国") || len(r.QRCodes) != 1 || r.QRCodes[0] != appliance.ReceiptCodePrefix+id {
		t.Fatalf("preview: %v %v\n%s", err, r.QRCodes, r.Text)
	}
	if len(sim.Jobs()) != 0 || st.Health().Outbox.Queued != before {
		t.Fatal("a preview printed or stored something")
	}
}

// A resident's own registration prints its receipt by itself.
func TestSelfServiceReceipt(t *testing.T) {
	st, sim := printerStation(t)
	if err := st.StartManual("王秀兰", "14102919520317122X"); err != nil {
		t.Fatal(err)
	}
	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if !sim.WaitJobs(1, 10*time.Second) {
		t.Fatal("no receipt printed for a self-service registration")
	}
	r, err := escposview.Parse(sim.Jobs()[0], escposview.Options{Dots: 384})
	if err != nil || !strings.Contains(r.Text, rc.Ticket) || !strings.Contains(r.Text, "自助登记") || len(r.QRCodes) != 1 || r.QRCodes[0] != appliance.ReceiptCodePrefix+rc.ID {
		t.Fatalf("receipt: %v %v\n%s", err, r.QRCodes, r.Text)
	}
}

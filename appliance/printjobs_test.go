package appliance_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// printerLines serves sim on each kind of line and says how a station is
// configured for each: a serial pty, a pty opened as /dev/usb/lp0 is, and
// TCP 9100.
func printerLines(t *testing.T, sim *printersim.Printer) map[string]config.Printer {
	t.Helper()
	dir := t.TempDir()
	line, err := sim.ServePTY(dir, "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := sim.ServePTY(dir, "lp0", 0)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sim.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]config.Printer{
		"serial": {Port: line.Path(), Baud: 115200, Paper: "58mm"},
		"usb":    {USB: lp.Path(), Paper: "58mm"},
		"tcp":    {TCP: ln.Addr().String(), Paper: "58mm"},
	}
}

// stationAt starts a station on the data directory dir with the printer
// prn; stop stops it as a restart or a power cut would.
func stationAt(t *testing.T, dir string, prn config.Printer) (st *appliance.Station, stop func()) {
	t.Helper()
	cfg := demo.Config(dir, "", "")
	cfg.Devices.Printer = prn
	st, err := appliance.New(appliance.Options{Config: cfg,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NTPSynced: func() bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait(); st.Close() }) }
	t.Cleanup(stop)
	return st, stop
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func receiptText(t *testing.T, job []byte) string {
	t.Helper()
	r, err := escposview.Parse(job, escposview.Options{Dots: 384})
	if err != nil {
		t.Fatal(err)
	}
	return r.Text
}

// Paper running out half way through a receipt is not "printed" on any
// line: the job is kept, and the printer finishes it once paper is loaded.
func TestReceiptPaperOutMidPrint(t *testing.T) {
	for _, transport := range []string{"serial", "usb", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			sim := printersim.New()
			t.Cleanup(func() { sim.Close() })
			sim.SetSpeed(1000) // about a second for a receipt
			st, _ := stationAt(t, filepath.Join(t.TempDir(), "data"), printerLines(t, sim)[transport])
			id := registration(t, st)
			job, err := st.ReceiptJob(station.ReceiptRequest{RecordID: id, Staff: "李建国"})
			if err != nil {
				t.Fatal(err)
			}
			sim.RunOutAfter(len(job) / 2)
			res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
			if err != nil || res.State != station.JobWaiting || !strings.Contains(res.Reason, "装纸") {
				t.Fatalf("paper out half way: %+v %v", res, err)
			}
			if len(sim.Jobs()) != 0 {
				t.Fatal("the emulator printed a whole receipt without paper")
			}
			jobs := st.PrintJobs()
			if len(jobs) != 1 || jobs[0].State != station.JobWaiting || jobs[0].Ticket != "R0001" || jobs[0].ID != res.JobID {
				t.Fatalf("waiting jobs: %+v", jobs)
			}
			if p := st.Health().Peripherals["printer"]; p.Pending != 1 || p.State != "paper_out" {
				t.Fatalf("health printer = %+v", p)
			}
			sim.Set(printersim.State{}) // staff load paper
			waitUntil(t, "the job confirmed after paper was loaded", func() bool { return len(st.PrintJobs()) == 0 })
			got := sim.Jobs()
			if len(got) != 1 || !strings.Contains(receiptText(t, got[0]), "R0001") {
				t.Fatalf("%d jobs at the printer", len(got))
			}
			if sim.Interrupted() != 1 {
				t.Fatalf("interrupted %d", sim.Interrupted())
			}
		})
	}
}

// A job not printed before a restart is still there after it, held: it
// prints when staff say so and not before, or goes when they cancel it.
func TestPrintJobsAcrossRestart(t *testing.T) {
	for _, transport := range []string{"serial", "usb", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			sim := printersim.New()
			t.Cleanup(func() { sim.Close() })
			sim.SetSpeed(1000)
			open := printerLines(t, sim)[transport]
			dir := filepath.Join(t.TempDir(), "data")
			st, stop := stationAt(t, dir, open)
			id := registration(t, st)
			job, err := st.ReceiptJob(station.ReceiptRequest{RecordID: id, Staff: "李建国"})
			if err != nil {
				t.Fatal(err)
			}
			sim.RunOutAfter(len(job) / 2)
			res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
			if err != nil || res.State != station.JobWaiting {
				t.Fatalf("paper out half way: %+v %v", res, err)
			}
			stop()
			sim.PowerCycle() // the power cut took the printer's buffer too
			sim.Set(printersim.State{})

			st, stop = stationAt(t, dir, open)
			waitUntil(t, "the printer ready after the restart", func() bool { return st.Health().Peripherals["printer"].State == "ready" })
			jobs := st.PrintJobs()
			if len(jobs) != 1 || jobs[0].State != station.JobHeld || jobs[0].ID != res.JobID || !strings.Contains(jobs[0].Reason, "重启") {
				t.Fatalf("jobs after the restart: %+v", jobs)
			}
			if len(sim.Jobs()) != 0 || sim.Buffered() != 0 {
				t.Fatal("a job from before the restart printed without staff")
			}
			if err := st.PrintJobNow(jobs[0].ID); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the held job printed", func() bool { return len(st.PrintJobs()) == 0 })
			if got := sim.Jobs(); len(got) != 1 || !strings.Contains(receiptText(t, got[0]), "R0001") {
				t.Fatalf("%d jobs at the printer", len(got))
			}
			if err := st.PrintJobNow(jobs[0].ID); !errors.Is(err, station.ErrNoPrintJob) {
				t.Fatalf("printing a printed job again: %v", err)
			}

			// A second job cut short, cancelled by staff after a restart.
			sim.RunOutAfter(len(job) / 2)
			if res, err = st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"}); err != nil || res.State != station.JobWaiting {
				t.Fatalf("second receipt: %+v %v", res, err)
			}
			stop()
			sim.PowerCycle()
			sim.Set(printersim.State{})
			st, stop = stationAt(t, dir, open)
			if err := st.CancelPrintJob(res.JobID); err != nil {
				t.Fatal(err)
			}
			stop()
			st, _ = stationAt(t, dir, open)
			if jobs := st.PrintJobs(); len(jobs) != 0 {
				t.Fatalf("a cancelled job came back: %+v", jobs)
			}
		})
	}
}

// A printer that never confirms (it lacks GS r, say) does not get a
// receipt called printed: after the job's printing time and a margin the
// job is held for staff, who look at the paper and decide.
func TestReceiptNotConfirmedIsHeld(t *testing.T) {
	sim := printersim.New()
	t.Cleanup(func() { sim.Close() })
	sim.IgnoreInOrder(true)
	st, _ := stationAt(t, filepath.Join(t.TempDir(), "data"), printerLines(t, sim)["tcp"])
	id := registration(t, st)
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	if err != nil || res.State != station.JobHeld || !strings.Contains(res.Reason, "没有确认") {
		t.Fatalf("no confirmation: %+v %v", res, err)
	}
	if jobs := st.PrintJobs(); len(jobs) != 1 || jobs[0].State != station.JobHeld {
		t.Fatalf("jobs: %+v", jobs)
	}
	sim.IgnoreInOrder(false)
	if err := st.PrintJobNow(res.JobID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the job printed again and confirmed", func() bool { return len(st.PrintJobs()) == 0 })
	if n := len(sim.Jobs()); n != 2 {
		t.Fatalf("%d jobs at the printer, want the unconfirmed one and the one printed again", n)
	}
}

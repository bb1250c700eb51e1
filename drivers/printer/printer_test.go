package printer_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
)

func receipt(t *testing.T) []byte {
	t.Helper()
	d := &printer.Doc{}
	d.Text("幸福湾社区党群服务站", printer.Style{Align: printer.Center, Bold: true}).
		KV("票号", "M0043").QR("GK1:R:0190f5e6-0000-7000-8000-000000000001", 6).Cut(false)
	job, err := printer.Encode(d, printer.Profile58())
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// transports serves one emulated printer on each kind of line.
func transports(t *testing.T, sim *printersim.Printer) map[string]func() (printer.Conn, error) {
	line, err := sim.ServePTY(t.TempDir(), "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sim.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A USB printer-class device is a character device the kernel's usblp
	// paces; a second pty stands in for /dev/usb/lp0.
	lp, err := sim.ServePTY(t.TempDir(), "lp0", 0)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]func() (printer.Conn, error){
		"serial": func() (printer.Conn, error) { return printer.OpenSerial(line.Path(), 115200) },
		"tcp":    func() (printer.Conn, error) { return printer.DialTCP(ln.Addr().String(), time.Second) },
		"usb":    func() (printer.Conn, error) { return printer.OpenUSB(lp.Path()) },
	}
}

func TestPrintOverEachTransport(t *testing.T) {
	sim := printersim.New()
	defer sim.Close()
	job := receipt(t)
	n := 0
	for name, open := range transports(t, sim) {
		t.Run(name, func(t *testing.T) {
			c, err := open()
			if err != nil {
				t.Fatal(err)
			}
			p := printer.New(c, printer.Profile58())
			defer p.Close()
			st, err := p.Status(t.Context())
			if err != nil || st.Ready() != nil {
				t.Fatalf("status %+v %v", st, err)
			}
			if err := p.Print(t.Context(), job); err != nil {
				t.Fatal(err)
			}
			n++
			if !sim.WaitJobs(n, 5*time.Second) || !bytes.Equal(sim.Jobs()[n-1], job) {
				t.Fatal("the printer did not get the job whole")
			}
		})
	}
}

func TestPaperOutRefusedBeforePrinting(t *testing.T) {
	sim := printersim.New()
	defer sim.Close()
	open := transports(t, sim)["serial"]
	c, _ := open()
	p := printer.New(c, printer.Profile58())
	defer p.Close()
	sim.Set(printersim.State{PaperOut: true})
	err := p.Print(t.Context(), receipt(t))
	var nr *printer.NotReadyError
	if !errors.As(err, &nr) || nr.Reason != "paper out" || nr.Msg == "" {
		t.Fatalf("paper out: %v", err)
	}
	if sim.Buffered() != 0 || len(sim.Jobs()) != 0 {
		t.Fatal("bytes were sent to a printer with no paper")
	}
}

// A job is printed when the printer says so, not when the write returns:
// over USB and TCP the whole receipt is in the printer's buffer long
// before it is on paper, and paper running out half way must not be
// reported as printed. Once paper is loaded the printer goes on with
// what its buffer holds and the same job is confirmed, whole.
func TestStopMidJobOnEachTransport(t *testing.T) {
	for _, stop := range []string{"paper out", "cover open"} {
		sim := printersim.New()
		defer sim.Close()
		sim.SetSpeed(3000) // a slow printer: the receipt takes a while
		job := receipt(t)
		n := 0
		for name, open := range transports(t, sim) {
			t.Run(stop+"/"+name, func(t *testing.T) {
				c, err := open()
				if err != nil {
					t.Fatal(err)
				}
				p := printer.New(c, printer.Profile58())
				defer p.Close()
				if stop == "paper out" {
					sim.RunOutAfter(len(job) / 2)
				} else {
					sim.OpenCoverAfter(len(job) / 2)
				}
				s, err := p.Send(t.Context(), job)
				if err != nil {
					t.Fatal(err)
				}
				err = p.Await(t.Context(), s)
				var ie *printer.InterruptedError
				var nr *printer.NotReadyError
				if !errors.As(err, &ie) || !errors.As(err, &nr) || nr.Reason != stop {
					t.Fatalf("%s half way through the receipt: Await = %v", stop, err)
				}
				if len(sim.Jobs()) != n {
					t.Fatal("the emulator printed the job whole although it stopped")
				}
				sim.Set(printersim.State{}) // paper loaded, cover closed
				if err := p.Await(t.Context(), s); err != nil {
					t.Fatalf("after the printer was ready again: %v", err)
				}
				jobs := sim.Jobs()
				if len(jobs) != n+1 || !bytes.Equal(jobs[n], job) {
					t.Fatalf("confirmed, but the printer has %d jobs", len(jobs))
				}
				n++
			})
		}
	}
}

// Every way to confirm, and ASB, gives "printed" only once the job is on
// paper; a printer with none says it cannot confirm.
func TestConfirmKinds(t *testing.T) {
	tests := []struct {
		confirm printer.Confirm
		asb     bool
	}{
		{printer.ConfirmStatus, false}, {printer.ConfirmESCv, false},
		{printer.ConfirmProcessID, false}, {printer.ConfirmProcessID, true},
		{printer.ConfirmStatus, true}, {printer.ConfirmNone, false},
	}
	for _, tc := range tests {
		name := tc.confirm.String()
		if tc.asb {
			name += "+asb"
		}
		t.Run(name, func(t *testing.T) {
			sim := printersim.New()
			defer sim.Close()
			sim.SetSpeed(4000)
			c, err := transports(t, sim)["tcp"]()
			if err != nil {
				t.Fatal(err)
			}
			prof := printer.Profile58()
			prof.Confirm, prof.ASB = tc.confirm, tc.asb
			p := printer.New(c, prof)
			defer p.Close()
			job := receipt(t)
			for i := range 2 {
				err := p.Print(t.Context(), job)
				var ue *printer.UnconfirmedError
				if tc.confirm == printer.ConfirmNone {
					if !errors.As(err, &ue) || !ue.NoWay {
						t.Fatalf("job %d: no way to confirm, Print = %v", i, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("job %d: %v", i, err)
				}
				if got := len(sim.Jobs()); got != i+1 {
					t.Fatalf("job %d reported printed while the printer had printed %d", i, got)
				}
			}
			// A stop seen by ASB or by status queries.
			sim.RunOutAfter(len(job) / 2)
			err = p.Print(t.Context(), job)
			var ie *printer.InterruptedError
			if !errors.As(err, &ie) || !ie.Status.PaperOut {
				t.Fatalf("paper out mid-job: %v", err)
			}
		})
	}
}

// A printer that takes the job but does not answer the completion
// request, or goes away with the job in its buffer, is not taken to have
// printed it.
func TestUnansweredConfirmation(t *testing.T) {
	sim := printersim.New()
	defer sim.Close()
	c, err := transports(t, sim)["tcp"]()
	if err != nil {
		t.Fatal(err)
	}
	prof := printer.Profile58()
	prof.Speed = 1 << 20
	p := printer.New(c, prof)
	defer p.Close()
	p.ConfirmMargin = 300 * time.Millisecond
	sim.IgnoreInOrder(true)
	job := receipt(t)
	err = p.Print(t.Context(), job)
	var ue *printer.UnconfirmedError
	if !errors.As(err, &ue) || ue.NoWay || ue.Limit != p.ConfirmMargin+prof.PrintTime(len(job)) {
		t.Fatalf("no answer to GS r: %v", err)
	}
	if !sim.WaitJobs(1, 5*time.Second) {
		t.Fatal("the job did not print")
	}
	sim.IgnoreInOrder(false)
	sim.SetSpeed(500)
	s, err := p.Send(t.Context(), job)
	if err != nil {
		t.Fatal(err)
	}
	sim.Close() // the printer goes away with the job in its buffer
	if err := p.Await(t.Context(), s); err == nil {
		t.Fatal("a job the printer never confirmed was reported printed")
	}
}

func TestSilentPrinter(t *testing.T) {
	sim := printersim.New()
	line, err := sim.ServePTY(t.TempDir(), "printer", 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := printer.OpenSerial(line.Path(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	sim.Close() // the line is gone: nothing will answer
	p := printer.New(c, printer.Profile58())
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.Status(ctx); err == nil {
		t.Fatal("status from a printer that is not there")
	}
}

// A serial printer's buffer drains at the line's speed; raster data sent
// faster overruns printers without flow control. Print must take at least
// the bytes' wire time.
func TestSerialWritesArePaced(t *testing.T) {
	sim := printersim.New()
	defer sim.Close()
	line, err := sim.ServePTY(t.TempDir(), "printer", 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := printer.OpenSerial(line.Path(), 9600)
	if err != nil {
		t.Fatal(err)
	}
	p := printer.New(c, printer.Profile58())
	defer p.Close()
	job := append(make([]byte, 960), 0x1D, 0x56, 0x00) // about 1 s at 9600 baud
	start := time.Now()
	if err := p.Print(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 950*time.Millisecond {
		t.Fatalf("963 bytes at 9600 baud went out in %v, faster than the line", el)
	}
}

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
	if sim.Spoiled() != 0 || len(sim.Jobs()) != 0 {
		t.Fatal("bytes were sent to a printer with no paper")
	}
}

func TestCoverOpenMidJobIsReported(t *testing.T) {
	sim := printersim.New()
	defer sim.Close()
	c, _ := transports(t, sim)["serial"]()
	p := printer.New(c, printer.Profile58())
	defer p.Close()
	job := receipt(t)
	sim.OpenCoverAfter(len(job) / 2)
	err := p.Print(t.Context(), job)
	var ie *printer.InterruptedError
	var nr *printer.NotReadyError
	if !errors.As(err, &ie) || !errors.As(err, &nr) || nr.Reason != "cover open" {
		t.Fatalf("cover opened mid-job: %v", err)
	}
	sim.Set(printersim.State{})
	if err := p.Print(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	if !sim.WaitJobs(1, 5*time.Second) || !bytes.Equal(sim.Jobs()[0], job) || sim.Spoiled() != 1 {
		t.Fatalf("after the cover closed: %d jobs, %d spoiled", len(sim.Jobs()), sim.Spoiled())
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

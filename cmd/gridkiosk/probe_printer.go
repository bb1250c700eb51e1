package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
)

func probePrinter(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("probe printer", flag.ContinueOnError)
	port := fs.String("port", "", "serial port of the printer")
	baud := fs.Int("baud", 115200, "baud rate of a serial printer")
	usb := fs.String("usb", "", "USB printer device, e.g. /dev/usb/lp0")
	tcp := fs.String("tcp", "", "network printer, host:port (usually port 9100)")
	paper := fs.String("paper", "58mm", "paper width: 58mm or 80mm")
	confirm := fs.String("confirm", "gs-r", "how the printer confirms a job printed: gs-r, esc-v, process-id or none")
	testReceipt := fs.Bool("test-receipt", false, "print a test receipt with Chinese text and a QR code")
	fs.Bool("status", true, "ask the printer its state (always done)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The same choice of line and profile the station makes from its config.
	dev := config.Printer{Port: *port, USB: *usb, TCP: *tcp, Baud: *baud, Paper: *paper, Confirm: *confirm}
	if !dev.Present() {
		return usageError{"probe printer: give --port, --usb or --tcp"}
	}
	if _, err := printer.ParseConfirm(*confirm); err != nil {
		return usageError{"probe printer: --confirm: " + err.Error()}
	}
	conn, err := appliance.OpenPrinter(dev)
	if err != nil {
		return fmt.Errorf("probe printer: %w", err)
	}
	prof := appliance.PrinterProfile(dev)
	p := printer.New(conn, prof)
	defer p.Close()
	t := time.Now()
	st, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("probe printer: %w", err)
	}
	fmt.Fprintf(stdout, "status (%.1f ms): online=%v cover_open=%v paper_near_end=%v paper_out=%v cutter_error=%v\n",
		float64(time.Since(t).Microseconds())/1000, st.Online, st.CoverOpen, st.PaperNearEnd, st.PaperOut, st.CutterError)
	if err := st.Ready(); err != nil {
		var nr *printer.NotReadyError
		if errors.As(err, &nr) {
			return fmt.Errorf("probe printer: not ready: %s", nr.Msg)
		}
		return fmt.Errorf("probe printer: not ready: %w", err)
	}
	if !*testReceipt {
		fmt.Fprintln(stdout, "ready")
		return nil
	}
	job, err := printer.Encode(printer.TestPage(prof, time.Now()), prof)
	if err != nil {
		return fmt.Errorf("probe printer: %w", err)
	}
	t = time.Now()
	if err := p.Print(ctx, job); err != nil {
		var ue *printer.UnconfirmedError
		if errors.As(err, &ue) && ue.NoWay {
			fmt.Fprintf(stdout, "test receipt sent: %d bytes; with --confirm none the printer cannot say it printed: look at the paper\n", len(job))
			return nil
		}
		if errors.As(err, &ue) {
			return fmt.Errorf("probe printer: test receipt: %w; if it printed whole, this printer does not answer --confirm %s: try another (esc-v, process-id) and set devices.printer.confirm to the one that works", err, *confirm)
		}
		return fmt.Errorf("probe printer: test receipt: %w", err)
	}
	fmt.Fprintf(stdout, "test receipt printed (confirmed by the printer, %s): %d bytes in %.0f ms\n", *confirm, len(job), float64(time.Since(t).Milliseconds()))
	return nil
}

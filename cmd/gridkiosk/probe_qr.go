package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/qrscan"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
)

// probeQR prints each code a scanner reads, with its symbology, until
// count codes were read or the timeout passes.
func probeQR(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("probe qr", flag.ContinueOnError)
	port := fs.String("port", "", "serial port of the scanner")
	baud := fs.Int("baud", 9600, "baud rate (scanners default to 9600 or 115200)")
	count := fs.Int("count", 1, "exit after this many codes")
	asJSON := fs.Bool("json", false, "print each code as a JSON line")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	trigger := fs.String("trigger", "", "command set of a scanner that reads only when told: honeywell or gm65")
	suffix := fs.String("suffix", "", "what the scanner ends a code with: cr, lf, crlf or none (default: learn it)")
	reveal := fs.Bool("reveal", false, "print each code as read, personal data and all (default: masked)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *port == "" {
		return usageError{"probe qr: --port is required (see gridkiosk probe idcard --list for serial ports)"}
	}
	ending, err := qrscan.ParseEnding(*suffix)
	if err != nil {
		return usageError{"probe " + err.Error()}
	}
	// Open once here so a wrong port is reported at once, not retried.
	p, err := serialport.Open(*port, *baud)
	if err != nil {
		return fmt.Errorf("probe qr: %w", err)
	}
	p.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	sc := qrscan.NewScanner(func() (qrscan.Port, error) { return serialport.Open(*port, *baud) }, qrscan.Options{Trigger: *trigger, Ending: ending})
	if *trigger != "" {
		if err := sc.Trigger(); err != nil {
			return usageError{"probe " + err.Error()}
		}
	}
	events := make(chan qrscan.Event, 8)
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx, events) }()
	defer func() { cancel(); <-done }()
	read := 0
	for read < *count {
		select {
		case <-ctx.Done():
			return fmt.Errorf("probe qr: %d of %d codes read within %v; is the scanner in serial (not keyboard) mode, at %d baud?", read, *count, *timeout, *baud)
		case ev := <-events:
			switch ev.Kind {
			case qrscan.CodeRead:
				read++
				printCode(stdout, ev.Code, *asJSON, *reveal)
				if *trigger != "" && read < *count {
					sc.Trigger()
				}
			case qrscan.ReadTimeout:
				fmt.Fprintf(stdout, "# %v; triggering again\n", ev.Err)
				sc.Trigger()
			case qrscan.CodeTooLong, qrscan.ScannerLost:
				fmt.Fprintf(stdout, "# %v\n", ev.Err)
			}
		}
	}
	return nil
}

func printCode(w io.Writer, c qrscan.Code, asJSON, reveal bool) {
	data, signed := c.Data, map[string]any(nil)
	if !reveal {
		data, signed = maskCode(c.Data)
	}
	if asJSON {
		m := map[string]any{"data": data, "symbology": c.Symbology, "aim": c.AIM, "charset": c.Charset}
		if signed != nil {
			m["signed"] = signed
		}
		json.NewEncoder(w).Encode(m)
		return
	}
	sym := c.Symbology
	if sym == "" {
		sym = "unknown symbology (no AIM prefix)"
	}
	fmt.Fprintf(w, "%s\t[%s, %s, %d bytes]\n", data, sym, c.Charset, len(c.Raw))
}

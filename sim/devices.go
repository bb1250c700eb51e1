package sim

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/panel/panelsim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
)

// DeviceOptions say which emulators a simulated station gets.
type DeviceOptions struct {
	// Readers adds the ID card reader and the QR code scanner to the
	// printer and the panel every simulated station has.
	Readers bool
	// PrinterSpeed is how many bytes a second the printer prints; 0
	// prints them as fast as they arrive.
	PrinterSpeed int
	Log          *slog.Logger
}

// Devices are the emulators on a simulated station's device lines: the
// printer (and, with DeviceOptions.Readers, the card reader and the
// scanner) on ptys as on USB serial adapters, and a GPIO panel of test pins.
type Devices struct {
	cfg     *config.Config // what the printer's paper is
	Printer *printersim.Printer
	Panel   *panelsim.Panel
	Reader  *idcardsim.Reader  // nil without DeviceOptions.Readers
	Scanner *qrscansim.Scanner // nil without DeviceOptions.Readers
}

// StartDevices starts the emulators with their lines in dir and points
// cfg's devices at them. Close stops them.
func StartDevices(dir string, cfg *config.Config, opts DeviceOptions) (*Devices, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Devices{cfg: cfg, Printer: printersim.New(), Panel: panelsim.New()}
	d.Printer.SetSpeed(opts.PrinterSpeed)
	line, err := d.Printer.ServePTY(dir, "printer", 115200)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("printer: %w", err)
	}
	cfg.Devices.Printer.Port, cfg.Devices.Printer.Baud = line.Path(), 115200
	log.Info("simulate: receipt printer emulated", "port", line.Path())
	if !opts.Readers {
		return d, nil
	}
	if d.Reader, err = idcardsim.New(dir, "idcard", 115200); err != nil {
		d.Close()
		return nil, fmt.Errorf("card reader: %w", err)
	}
	cfg.Devices.IDCard.Port = d.Reader.Path()
	log.Info("simulate: ID card reader emulated", "port", d.Reader.Path())
	if d.Scanner, err = qrscansim.New(dir, "scanner", 9600); err != nil {
		d.Close()
		return nil, fmt.Errorf("scanner: %w", err)
	}
	// The emulator ends its codes with CR, as the scanners sold for
	// kiosks are set to.
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Baud, cfg.Devices.Scanner.Suffix = d.Scanner.Path(), 9600, "cr"
	log.Info("simulate: QR scanner emulated", "port", d.Scanner.Path())
	return d, nil
}

// OpenPanel opens the station's panel driver on the emulated panel's pins.
func (d *Devices) OpenPanel(log *slog.Logger) (*panel.Panel, error) {
	return panel.Open(panel.Options{Pins: d.Panel.Pins(), ByName: d.Panel.ByName, Log: log})
}

// Close stops the emulators.
func (d *Devices) Close() error {
	var errs []error
	if d.Reader != nil {
		errs = append(errs, d.Reader.Close())
	}
	if d.Scanner != nil {
		errs = append(errs, d.Scanner.Close())
	}
	errs = append(errs, d.Printer.Close())
	return errors.Join(errs...)
}

// errNoReaders is the answer of a station simulated without
// DeviceOptions.Readers to a card laid or a code scanned.
var errNoReaders = errors.New("this simulation has no card reader and no scanner")

// LayCard lays one of the emulator's demo cards on the simulated reader.
func (d *Devices) LayCard(key string) error {
	if d.Reader == nil {
		return errNoReaders
	}
	c, ok := idcardsim.Card(key)
	if !ok {
		var keys []string
		for _, f := range idcardsim.Cards() {
			keys = append(keys, f.Key)
		}
		return fmt.Errorf("no demo card %q (have %s)", key, strings.Join(keys, ", "))
	}
	d.Reader.Lay(c)
	return nil
}

// LiftCard lifts the card off the simulated reader.
func (d *Devices) LiftCard() {
	if d.Reader != nil {
		d.Reader.Lift()
	}
}

// ScanCode has the emulated scanner read a code, as a QR with its AIM
// prefix when aim is given.
func (d *Devices) ScanCode(data, aim string) error {
	if d.Scanner == nil {
		return errNoReaders
	}
	return d.Scanner.Scan(data, qrscansim.How{AIM: aim})
}

// SetPrinter changes the emulated printer's sensors.
func (d *Devices) SetPrinter(paperOut, nearEnd, coverOpen, offline bool) {
	d.Printer.Set(printersim.State{PaperOut: paperOut, PaperNearEnd: nearEnd, CoverOpen: coverOpen, Offline: offline})
}

// PrinterRunOutAfter runs the emulated printer out of paper after n more
// printed bytes.
func (d *Devices) PrinterRunOutAfter(n int) { d.Printer.RunOutAfter(n) }

// PressButton presses a simulated panel button ("help" or "tech") for
// hold; it returns when the button is released.
func (d *Devices) PressButton(button string, hold time.Duration) error {
	if button != "help" && button != "tech" {
		return fmt.Errorf("no button %q (have help, tech)", button)
	}
	d.Panel.Press(button, hold)
	return nil
}

// SetPresence has the simulated presence sensor see someone or no one.
func (d *Devices) SetPresence(on bool) { d.Panel.Presence(on) }

// PanelOutputs reports the simulated lamps, buzzer and relay.
func (d *Devices) PanelOutputs() map[string]any {
	p := d.Panel
	return map[string]any{"leds": p.LEDs(), "buzzer": p.Buzzer(), "beeps": p.Beeps(), "relay": p.Relay()}
}

// PanelChanged returns a channel closed at the next change of the
// simulated lamps, buzzer or relay.
func (d *Devices) PanelChanged() <-chan struct{} { return d.Panel.Changed() }

// LastJob is the last job the emulated printer printed, nil before the
// first: the staff screen's preview of what came out.
func (d *Devices) LastJob() []byte {
	jobs := d.Printer.Jobs()
	if len(jobs) == 0 {
		return nil
	}
	return jobs[len(jobs)-1]
}

// LastPrint renders the emulated printer's last job.
func (d *Devices) LastPrint(out io.Writer, format string) (bool, error) {
	job := d.LastJob()
	if job == nil {
		return false, nil
	}
	dots := 384
	if d.cfg.Devices.Printer.Paper == "80mm" {
		dots = 576
	}
	r, err := escposview.Parse(job, escposview.Options{Dots: dots})
	if err != nil {
		return true, err
	}
	if format == "txt" {
		_, err = io.WriteString(out, r.Text)
		return true, err
	}
	return true, r.PNG(out)
}

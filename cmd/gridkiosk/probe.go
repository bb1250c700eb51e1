package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
)

func cmdProbe(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "printer" {
		return probePrinter(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "qr" {
		return probeQR(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "gpio" {
		return probeGPIO(ctx, args[1:], stdout)
	}
	if len(args) == 0 || args[0] != "idcard" {
		return usageError{"probe: want a device: idcard, printer, qr or gpio"}
	}
	fs := flag.NewFlagSet("probe idcard", flag.ContinueOnError)
	port := fs.String("port", "", "serial port of the reader, e.g. /dev/serial/by-id/usb-…")
	baud := fs.Int("baud", 115200, "baud rate")
	asJSON := fs.Bool("json", false, "print JSON")
	reveal := fs.Bool("reveal", false, "show the full ID number (only with the resident's agreement)")
	list := fs.Bool("list", false, "list candidate serial ports and exit")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for a card")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *list {
		return listPorts(stdout, *asJSON)
	}
	if *port == "" {
		return usageError{"probe idcard: --port is required (see gridkiosk probe idcard --list)"}
	}
	res, err := probeCard(ctx, *port, *baud, *timeout)
	if err != nil {
		return err
	}
	if !*reveal {
		res.Card.IDNumber = citizenid.Mask(res.Card.IDNumber)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	printProbe(stdout, res)
	return nil
}

// probeResult is what the probe learned; the photo is summarised, not
// printed.
type probeResult struct {
	Port       string     `json:"port"`
	Baud       int        `json:"baud"`
	SAMID      string     `json:"sam_id"`
	CardType   string     `json:"card_type"`
	Card       probedCard `json:"card"`
	PhotoBytes int        `json:"photo_bytes"`
	Timing     probeTime  `json:"timing_ms"`
}

// probedCard is the card as read, in the keys of every JSON the project
// emits (snake_case); the ID number is masked unless --reveal.
type probedCard struct {
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	Gender      string `json:"gender"`
	Nation      string `json:"nation"`
	Birth       string `json:"birth"`
	Address     string `json:"address"`
	IDNumber    string `json:"id_number"`
	Issuer      string `json:"issuer"`
	ValidFrom   string `json:"valid_from"`
	ValidTo     string `json:"valid_to"`
	PassNumber  string `json:"pass_number,omitempty"`
	Nationality string `json:"nationality,omitempty"`
}

type probeTime struct {
	SAMStatus float64 `json:"sam_status"`
	SAMID     float64 `json:"sam_id"`
	Find      float64 `json:"find"`
	Select    float64 `json:"select"`
	Read      float64 `json:"read"`
	Wire      float64 `json:"wire_floor"` // the read reply's bytes at this baud
}

func probeCard(ctx context.Context, port string, baud int, timeout time.Duration) (probeResult, error) {
	res := probeResult{Port: port, Baud: baud}
	rd := idcard.NewReader(func() (idcard.Port, error) { return serialport.Open(port, baud) }, idcard.Options{})
	defer rd.Close()
	if err := rd.Connect(); err != nil {
		return res, fmt.Errorf("probe idcard: %w\n(is the reader plugged in? list ports with: gridkiosk probe idcard --list)", err)
	}
	t := time.Now()
	if err := rd.SAMStatus(ctx); err != nil {
		if errors.Is(err, idcard.ErrNoReply) {
			return res, fmt.Errorf("probe idcard: no reader answered on %s at %d baud; check the cable, the port and the baud rate (readers default to 115200)", port, baud)
		}
		return res, fmt.Errorf("probe idcard: SAM status: %w", err)
	}
	res.Timing.SAMStatus = ms(time.Since(t))
	t = time.Now()
	id, err := rd.SAMID(ctx)
	if err != nil {
		return res, fmt.Errorf("probe idcard: SAM ID: %w", err)
	}
	res.Timing.SAMID, res.SAMID = ms(time.Since(t)), id.String()

	fmt.Fprintf(os.Stderr, "reader ready (SAM %s); lay a card on it…\n", res.SAMID)
	deadline := time.Now().Add(timeout)
	for {
		t = time.Now()
		found, err := rd.Find(ctx)
		if err != nil {
			return res, fmt.Errorf("probe idcard: find card: %w", err)
		}
		if found {
			res.Timing.Find = ms(time.Since(t))
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("probe idcard: no card laid within %v", timeout)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
	t = time.Now()
	if ok, err := rd.Select(ctx); err != nil || !ok {
		return res, fmt.Errorf("probe idcard: select card failed (%v); lay the card flat and try again", err)
	}
	res.Timing.Select = ms(time.Since(t))
	t = time.Now()
	c, err := rd.ReadCard(ctx)
	if err != nil {
		return res, fmt.Errorf("probe idcard: read card: %w; lay the card flat and try again", err)
	}
	res.Timing.Read = ms(time.Since(t))
	res.Timing.Wire = ms(serialport.WireTime(1295+10, baud))
	res.CardType = c.Type.String()
	res.PhotoBytes = len(c.Photo)
	res.Card = probedCard{Name: c.Name, NameEN: c.NameEN, Gender: c.Gender, Nation: c.Nation, Birth: c.Birth,
		Address: c.Address, IDNumber: c.IDNumber, Issuer: c.Issuer, ValidFrom: c.ValidFrom, ValidTo: c.ValidTo,
		PassNumber: c.PassNumber, Nationality: c.Nationality}
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printProbe(w io.Writer, r probeResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	c := r.Card
	for _, kv := range [][2]string{
		{"port", fmt.Sprintf("%s @ %d", r.Port, r.Baud)}, {"SAM ID", r.SAMID}, {"card type", r.CardType},
		{"name", strings.TrimSpace(c.Name + " " + c.NameEN)}, {"gender", c.Gender}, {"nation", c.Nation},
		{"birth", c.Birth}, {"address", c.Address}, {"ID number", c.IDNumber}, {"issuer", c.Issuer},
		{"valid", c.ValidFrom + " – " + c.ValidTo}, {"pass number", c.PassNumber}, {"nationality", c.Nationality},
		{"photo", fmt.Sprintf("%d bytes (WLT, encrypted)", r.PhotoBytes)},
		{"timing", fmt.Sprintf("SAM status %.1f ms, SAM ID %.1f ms, find %.1f ms, select %.1f ms, read %.1f ms (wire floor %.1f ms)",
			r.Timing.SAMStatus, r.Timing.SAMID, r.Timing.Find, r.Timing.Select, r.Timing.Read, r.Timing.Wire)},
	} {
		if kv[1] != "" {
			fmt.Fprintf(tw, "%s\t%s\n", kv[0], kv[1])
		}
	}
	tw.Flush()
}

func listPorts(w io.Writer, asJSON bool) error {
	ports, err := serialport.List("/dev")
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(ports)
	}
	if len(ports) == 0 {
		fmt.Fprintln(w, "no serial ports found; plug the reader in and try again")
		return nil
	}
	for _, p := range ports {
		fmt.Fprintf(w, "%s\t%s\n", p.Path, strings.Join(p.ByID, " "))
	}
	return nil
}

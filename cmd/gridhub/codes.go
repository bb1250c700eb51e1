package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
)

// chinaTime is the zone appointment dates are counted in.
var chinaTime = time.FixedZone("CST", 8*3600)

// keygen makes the hub's code-signing key.
func keygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "file to write the private key to (required; never overwritten)")
	id := fs.String("id", "hub-"+time.Now().In(chinaTime).Format("2006-01"), "key ID the codes name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("keygen: --out is required")
	}
	s, err := signedcode.NewSignerFile(*out, *id)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	fmt.Fprintf(stdout, "key %q written to %s (mode 0600): keep it on the hub only.\n", s.KeyID, *out)
	fmt.Fprintf(stdout, "serve it to stations with: gridhub serve --code-key %s ...\n", *out)
	return nil
}

// issue signs an appointment or a staff code and prints it; with --png it
// also writes the QR code as an image to hand out. An appointment code
// carries the name masked and the ID number as a keyed hash only (see
// signedcode): no phone or nation, which the resident gives at the station.
func issue(args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "appointment" && args[0] != "staff") {
		return errors.New("issue: want appointment or staff")
	}
	kind := args[0]
	fs := flag.NewFlagSet("issue "+kind, flag.ContinueOnError)
	key := fs.String("key", "", "the hub's signing key (from gridhub keygen; required)")
	station := fs.String("station", "", "station ID the code is for, e.g. 141029-xfw-01 (required)")
	name := fs.String("name", "", "the person's or staff member's name (required)")
	png := fs.String("png", "", "also write the code as a QR image to this file")
	// appointment
	date := fs.String("date", time.Now().In(chinaTime).Format(time.DateOnly), "appointment: day it is valid (YYYY-MM-DD, China time)")
	idNumber := fs.String("id-number", "", "appointment: the resident's ID number (required; the code carries only a keyed hash of it)")
	purpose := fs.String("purpose", "", "appointment: matter category code, e.g. certificate")
	cardType := fs.String("card-type", "", "appointment: resident, hmt_permit, foreign_2017 or foreign_2023 (default resident)")
	// staff
	staffID := fs.String("staff", "", "staff: staff ID from the reference data, e.g. s-0007 (required)")
	role := fs.String("role", "", "staff: role, e.g. community_grid_leader (required)")
	days := fs.Int("days", 365, "staff: days the badge is valid from now")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *key == "" || *station == "" || *name == "" {
		return fmt.Errorf("issue %s: --key, --station and --name are required", kind)
	}
	signer, err := signedcode.LoadSigner(*key)
	if err != nil {
		return fmt.Errorf("issue %s: %w", kind, err)
	}
	var code string
	switch kind {
	case "appointment":
		if *idNumber == "" {
			return errors.New("issue appointment: --id-number is required")
		}
		code, err = signer.Appointment(signedcode.Appointment{Station: *station, Date: *date, Purpose: *purpose,
			Person: signedcode.Person{Name: *name, IDNumber: strings.ToUpper(strings.TrimSpace(*idNumber)), CardType: *cardType}})
	case "staff":
		if *staffID == "" || *role == "" {
			return errors.New("issue staff: --staff and --role are required")
		}
		if *days < 1 {
			return errors.New("issue staff: --days must be at least 1")
		}
		now := time.Now()
		code, err = signer.Staff(signedcode.Staff{Station: *station, StaffID: *staffID, Name: *name, Role: *role,
			NotBefore: now.Add(-5 * time.Minute).Unix(), Expires: now.AddDate(0, 0, *days).Unix()})
	}
	if err != nil {
		return fmt.Errorf("issue %s: %w", kind, err)
	}
	if *png != "" {
		q, err := qr.Encode(code, qr.M)
		if err != nil {
			return fmt.Errorf("issue %s: QR: %w", kind, err)
		}
		if err := os.WriteFile(*png, q.PNG(), 0o600); err != nil {
			return fmt.Errorf("issue %s: %w", kind, err)
		}
	}
	fmt.Fprintln(stdout, code)
	return nil
}

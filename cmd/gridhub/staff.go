package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance/staffpin"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// maxPINFile bounds what --pin-file reads: a PIN is a few digits.
const maxPINFile = 64

// staffCmd is "gridhub staff pin set|reset": a staff member's PIN, as an
// argon2id hash in the reference data the hub keeps. The hub never keeps
// the PIN itself.
func staffCmd(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "pin" || (args[1] != "set" && args[1] != "reset") {
		return errors.New("staff: want pin set or pin reset")
	}
	set := args[1] == "set"
	name := "staff pin " + args[1]
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	sf := addStoreFlags(fs)
	staffID := fs.String("staff", "", "the staff member's ID, as in the reference data's staff list, e.g. s-0007 (required)")
	stationID := fs.String("station", "", "the station whose reference data lists them; without it, the copy for every station without its own")
	var pinFile *string
	if set {
		pinFile = fs.String("pin-file", "", "read the PIN from FILE (its first line) instead of asking on the terminal or reading stdin")
	}
	if err := noArgs(fs, args[2:]); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if *staffID == "" {
		return fmt.Errorf("%s: --staff is required", name)
	}
	if *stationID != "" {
		if err := hub.CheckStationID(*stationID); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	hash := ""
	if set {
		pin, err := readPIN(*pinFile, stdin, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if hash, err = staffpin.Hash(pin); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	store, err := sf.open(ctx, existing)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer store.Close()
	data, ok, err := store.RefData(*stationID)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	where := "every station without its own"
	if *stationID != "" {
		where = "station " + *stationID
	}
	if !ok {
		return fmt.Errorf("%s: the hub keeps no reference data for %s; load it first (gridhub refdata load)", name, where)
	}
	data, err = setPINHash(data, *staffID, hash)
	if err != nil {
		return fmt.Errorf("%s: reference data for %s: %w", name, where, err)
	}
	if err := store.PutRefData(*stationID, data); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if set {
		fmt.Fprintf(stdout, "PIN of %s set in the reference data for %s; stations take it at their next refresh\n", *staffID, where)
	} else {
		fmt.Fprintf(stdout, "PIN of %s cleared in the reference data for %s: no PIN log-in for them until it is set again\n", *staffID, where)
	}
	return nil
}

// readPIN reads the PIN from file, else from a terminal without echo
// (twice, to catch a slip), else the first line of stdin.
func readPIN(file string, stdin *os.File, stderr io.Writer) (string, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return firstLine(io.LimitReader(f, maxPINFile+1), "--pin-file "+file)
	}
	pin, tty, err := askTwice(stdin, stderr, "PIN", "New PIN (4 to 8 digits): ", staffpin.CheckPIN)
	if !tty {
		// Not a terminal: a pipe or a file.
		return firstLine(io.LimitReader(stdin, maxPINFile+1), "stdin")
	}
	return pin, err
}

func firstLine(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("read the PIN from %s: %w", what, err)
	}
	if len(b) > maxPINFile {
		return "", fmt.Errorf("%s holds more than a PIN (over %d bytes)", what, maxPINFile)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	pin := strings.TrimRight(string(line), "\r")
	if err := staffpin.CheckPIN(pin); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return pin, nil
}

// setPINHash sets (or, with hash "", removes) pin_hash of one staff
// member, leaving everything else in the document as it was.
func setPINHash(data []byte, staffID, hash string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	var staff []map[string]json.RawMessage
	if raw, ok := top["staff"]; !ok || json.Unmarshal(raw, &staff) != nil {
		return nil, errors.New(`no "staff" list; add the staff member to the file and load it (gridhub refdata load)`)
	}
	found := false
	for _, st := range staff {
		var id string
		if json.Unmarshal(st["id"], &id) == nil && id == staffID {
			found = true
			if hash == "" {
				delete(st, "pin_hash")
			} else {
				st["pin_hash"], _ = json.Marshal(hash)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("no staff member %s in its staff list; add them to the file and load it (gridhub refdata load)", staffID)
	}
	var err error
	if top["staff"], err = json.Marshal(staff); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

// keepPINHashes carries the PIN hashes of the stored copy over to a new
// file for the staff members it still lists without one: a file edited
// for a new category must not undo the PINs set with gridhub staff pin.
func keepPINHashes(stored, data []byte) ([]byte, int) {
	var old struct {
		Staff []struct {
			ID      string `json:"id"`
			PINHash string `json:"pin_hash"`
		} `json:"staff"`
	}
	if json.Unmarshal(stored, &old) != nil {
		return data, 0
	}
	kept := 0
	for _, st := range old.Staff {
		if st.PINHash == "" {
			continue
		}
		next, err := setPINHashIfNone(data, st.ID, st.PINHash)
		if err == nil && next != nil {
			data, kept = next, kept+1
		}
	}
	return data, kept
}

// setPINHashIfNone is setPINHash for a staff member listed without a
// hash; nil when there is nothing to do.
func setPINHashIfNone(data []byte, staffID, hash string) ([]byte, error) {
	var doc struct {
		Staff []struct {
			ID      string `json:"id"`
			PINHash string `json:"pin_hash"`
		} `json:"staff"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	for _, st := range doc.Staff {
		if st.ID == staffID && st.PINHash == "" {
			return setPINHash(data, staffID, hash)
		}
	}
	return nil, nil
}

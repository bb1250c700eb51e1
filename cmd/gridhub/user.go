package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/console"
)

// userCmd is "gridhub user add|reset|disable|list": the county
// console's accounts. A password is read from a terminal without echo,
// or from stdin or a file, never from the command line, where ps and the
// shell's history would show it.
func userCmd(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want add, reset, disable or list")
	}
	sub, name := args[0], "user "+args[0]
	uf, err := parseUserFlags(sub, args[1:], stderr)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var u hub.User
	if sub == "add" {
		u = hub.User{Name: *uf.user, Role: *uf.role, Community: *uf.community, PassHash: "-"}
		// Checked before the password is asked for, not after.
		if err := hub.CheckUser(u); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	hash := ""
	if uf.pwFile != nil {
		pw, err := readPassword(*uf.pwFile, stdin, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if hash, err = console.HashPassword(pw); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	mode := existing
	if sub == "add" {
		mode = adding
	}
	store, err := uf.store.open(ctx, mode)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer store.Close()
	if sub == "list" {
		return listUsers(store, stdout)
	}
	if err := changeUser(store, sub, u, *uf.user, hash); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", *uf.user, map[string]string{"add": "added", "reset": "password set, sessions ended", "disable": "disabled, sessions ended"}[sub])
	return nil
}

type userFlags struct {
	store                         storeFlags
	user, role, community, pwFile *string
}

func parseUserFlags(sub string, args []string, stderr io.Writer) (userFlags, error) {
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	uf := userFlags{store: addStoreFlags(fs)}
	if sub != "list" {
		uf.user = fs.String("name", "", "the account's name: lower-case letters, digits, '-', '_', '.' (required)")
	}
	switch sub {
	case "add":
		uf.role = fs.String("role", "", "admin (county admin), staff (community staff: needs --community) or viewer (required)")
		uf.community = fs.String("community", "", "community staff's 12-digit community code: they see only its records")
		fallthrough
	case "reset":
		uf.pwFile = fs.String("password-file", "", "read the password from FILE (its first line) instead of the terminal or stdin")
	case "disable", "list":
	default:
		return uf, fmt.Errorf("unknown subcommand %q: want add, reset, disable or list", sub)
	}
	if err := noArgs(fs, args); err != nil {
		return uf, err
	}
	if uf.user != nil && *uf.user == "" {
		return uf, errors.New("--name is required")
	}
	return uf, nil
}

// changeUser adds u (sub "add"), or sets the password hash of or
// disables the account name, and ends the sessions it had.
func changeUser(store hub.Store, sub string, u hub.User, name, hash string) error {
	old, ok, err := store.User(name)
	if err != nil {
		return err
	}
	switch {
	case sub == "add" && ok:
		return fmt.Errorf("account %s exists; gridhub user reset sets its password", name)
	case sub != "add" && !ok:
		return fmt.Errorf("no account %s (gridhub user list shows them)", name)
	case sub == "reset":
		u, u.PassHash, u.Disabled = old, hash, false
	case sub == "disable":
		u, u.Disabled = old, true
	default:
		u.PassHash = hash
	}
	u.UpdatedAt = time.Now().UTC()
	if err := store.PutUser(u); err != nil {
		return err
	}
	// A new password or a disabled account ends the sessions it had.
	return store.DeleteUserSessions(u.Name)
}

func listUsers(store hub.Store, stdout io.Writer) error {
	users, err := store.Users()
	if err != nil {
		return fmt.Errorf("user list: %w", err)
	}
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", u.Name, u.Role, cmpOr(u.Community, "-"), state)
	}
	return nil
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// readPassword reads a password from file, else from a terminal without
// echo (twice, to catch a slip), else the first line of stdin.
func readPassword(file string, stdin *os.File, stderr io.Writer) (string, error) {
	const limit = console.MaxPasswordBytes + 2
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return passwordLine(io.LimitReader(f, limit+1), "--password-file "+file)
	}
	pw, tty, err := askTwice(stdin, stderr, "password", fmt.Sprintf("New password (at least %d characters): ", console.MinPassword), console.CheckPassword)
	if !tty {
		return passwordLine(io.LimitReader(stdin, limit+1), "stdin")
	}
	return pw, err
}

func passwordLine(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("read the password from %s: %w", what, err)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if len(line) > console.MaxPasswordBytes+1 {
		return "", fmt.Errorf("%s: the first line is longer than a password (%d bytes at most)", what, console.MaxPasswordBytes)
	}
	pw := strings.TrimRight(string(line), "\r")
	if err := console.CheckPassword(pw); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return pw, nil
}

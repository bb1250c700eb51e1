package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
)

func cmdConfig(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"config: want check or example"}
	}
	switch args[0] {
	case "example":
		fmt.Fprint(stdout, config.Example())
		return nil
	case "check":
		path, err := checkPath(args[1:])
		if err != nil {
			return err
		}
		c, err := config.Check(path, time.Now())
		if err != nil {
			return fmt.Errorf("%s is not valid:\n%w", path, err)
		}
		note, err := checkVoice(c, path)
		if err != nil {
			return fmt.Errorf("%s is not valid:\n%w", path, err)
		}
		fmt.Fprintf(stdout, "%s: ok\n%s", path, note)
		return nil
	}
	return usageError{fmt.Sprintf("config: unknown subcommand %q (want check or example)", args[0])}
}

// checkPath is the file config check is to check: FILE, --config FILE,
// or the default path. The first-boot unit names the file it installs,
// so a file named and then not checked would pass a bad file as good.
func checkPath(args []string) (string, error) {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	flagged := fs.String("config", "", "configuration file to check (default "+config.DefaultPath+")")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	rest := fs.Args()
	// flag stops at the first operand: FILE --config X leaves both here.
	if len(rest) > 1 {
		return "", usageError{fmt.Sprintf("config check: want one file, got %q (use: gridkiosk config check FILE)", rest)}
	}
	switch {
	case len(rest) == 1 && *flagged != "" && rest[0] != *flagged:
		return "", usageError{fmt.Sprintf("config check: two files named, %s and --config %s; name one", rest[0], *flagged)}
	case len(rest) == 1:
		return rest[0], nil
	case *flagged != "":
		return *flagged, nil
	}
	return config.DefaultPath, nil
}

// checkVoice checks the voice pack the config names. A pack not there is
// a note, not an error: the image is provisioned before a pack of
// recordings may be, and the kiosk then runs silent and says so. A pack
// that is there and damaged is an error.
func checkVoice(c *config.Config, path string) (note string, err error) {
	v := c.Voice
	if !v.Enabled {
		return "", nil
	}
	if _, err := os.Stat(v.PackDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("note: %v; until then the kiosk runs silent\n", config.KeyError(path, "voice.pack_dir", v.PackDir+" does not exist")), nil
	}
	if _, err := loadVoicePack(path, v.PackDir); err != nil {
		return "", err
	}
	return "", nil
}

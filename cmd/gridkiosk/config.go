package main

import (
	"flag"
	"fmt"
	"io"
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
		if _, err := config.Check(path, time.Now()); err != nil {
			return fmt.Errorf("%s is not valid:\n%w", path, err)
		}
		fmt.Fprintf(stdout, "%s: ok\n", path)
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

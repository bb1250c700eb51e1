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
		fs := flag.NewFlagSet("config check", flag.ContinueOnError)
		path := fs.String("config", config.DefaultPath, "configuration file to check")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if _, err := config.Check(*path, time.Now()); err != nil {
			return fmt.Errorf("%s is not valid:\n%w", *path, err)
		}
		fmt.Fprintf(stdout, "%s: ok\n", *path)
		return nil
	}
	return usageError{fmt.Sprintf("config: unknown subcommand %q (want check or example)", args[0])}
}

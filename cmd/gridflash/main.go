// Command gridflash is the technician's tool for appliance images. This
// version lists the drives an image could be written to and why any is
// excluded; writing, verifying and signing images follow the image recipe.
//
// Usage:
//
//	gridflash list [--json]
//	gridflash version
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/gridkiosk/gridkiosk/images/drives"
)

var version = "dev"

const usage = `gridflash — 网格服务站镜像工具 / appliance image tool for technicians

Usage:
  gridflash list [--json]   drives an image could be written to, and why any is excluded
  gridflash version
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr, drives.Linux))
}

func realMain(args []string, stdout, stderr io.Writer, sys drives.System) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		asJSON := fs.Bool("json", false, "print JSON")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		ds, err := drives.List(sys)
		if err != nil {
			fmt.Fprintln(stderr, "gridflash:", err)
			return 1
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(ds)
			return 0
		}
		printDrives(stdout, ds)
		return 0
	case "version":
		fmt.Fprintln(stdout, "gridflash", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "gridflash: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func printDrives(w io.Writer, ds []drives.Drive) {
	if len(ds) == 0 {
		fmt.Fprintln(w, "no drives found; insert the SD card or USB drive and try again")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tSIZE\tBUS\tMODEL\tSTATUS")
	for _, d := range ds {
		status := "ok to write"
		if d.Excluded != "" {
			status = "excluded: " + d.Excluded
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Path, humanSize(d.Size), d.Bus, d.Model, status)
	}
	tw.Flush()
}

func humanSize(n int64) string {
	const unit = 1000 // drives are sold in decimal units
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

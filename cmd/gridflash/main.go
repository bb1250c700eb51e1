// Command gridflash is the technician's tool for appliance images: it
// lists the drives an image could be written to, writes a signed image to
// an SD card or disk (or an image file) with the station's provisioning
// file, verifies a written card, and, for the release side, makes signing
// keys and signs images.
//
// Usage:
//
//	gridflash list [--json]
//	gridflash write --image I --manifest M --pubkey P --device D [--provision station.toml] [--yes] [--force-non-removable]
//	gridflash verify --device D --manifest M --pubkey P
//	gridflash keygen --out PREFIX
//	gridflash sign --key K --image I [--version V] [--arch A] [--out M]
//	gridflash version
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridkiosk/gridkiosk/images/drives"
)

var version = "dev"

const usage = `gridflash — 网格服务站镜像工具 / appliance image tool for technicians

Usage:
  gridflash list [--json]   drives an image could be written to, and why any is excluded
  gridflash write --image I --manifest M --pubkey P --device D [--provision station.toml] [--yes] [--force-non-removable]
                            write a signed image (.img, .img.xz, .img.zst) to a card or an image file, and check it
  gridflash verify --device D --manifest M --pubkey P
                            check a written card or image file against the signed manifest
  gridflash keygen --out PREFIX
                            make a signing key pair: PREFIX.key (secret) and PREFIX.pub
  gridflash sign --key K --image I [--version V] [--arch A] [--out M]
                            write the signed manifest of a raw image (default I.manifest.json)
  gridflash version
`

// env is what a run of gridflash sees of the world, so tests can fake it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	sys            drives.System
	sysErr         error // why drives cannot be listed on this OS
	tty            bool  // stderr is a terminal: redraw progress in place
	now            func() time.Time
}

func main() {
	sys, sysErr := drives.Host()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, sys: sys, sysErr: sysErr, tty: isTerminal(os.Stderr), now: time.Now}
	os.Exit(e.run(os.Args[1:]))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (e *env) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	cmds := map[string]func([]string) int{
		"list": e.list, "write": e.write, "verify": e.verify, "keygen": e.keygen, "sign": e.sign,
	}
	if cmd, ok := cmds[args[0]]; ok {
		return cmd(args[1:])
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(e.stdout, "gridflash", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return 0
	}
	fmt.Fprintf(e.stderr, "gridflash: 未知命令 / unknown command %q\n\n%s", args[0], usage)
	return 2
}

// flags parses a command's flags; required names the ones it needs.
func (e *env) flags(fs *flag.FlagSet, args []string, required ...string) bool {
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "gridflash %s: 多余的参数 / unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return false
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			fmt.Fprintf(e.stderr, "gridflash %s: 缺少 --%s / --%s is required\n", fs.Name(), name, name)
			return false
		}
	}
	return true
}

func (e *env) list(args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if !e.flags(fs, args) {
		return 2
	}
	if e.sysErr != nil {
		return e.fail("无法列出磁盘", e.sysErr)
	}
	ds, err := drives.List(e.sys)
	if err != nil {
		return e.fail("无法列出磁盘", err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ds); err != nil {
			return e.fail("输出失败", err)
		}
		return 0
	}
	printDrives(e.stdout, ds)
	return 0
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

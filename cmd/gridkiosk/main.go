// Command gridkiosk is the station appliance: the kiosk with its screen
// (run), the same without a screen (serve), and the technician's helpers.
//
// Usage:
//
//	gridkiosk run     [--config FILE] [--simulate] [--data DIR]
//	gridkiosk serve   [--config FILE] [--simulate] [--data DIR]
//	gridkiosk config check [FILE | --config FILE]
//	gridkiosk config example
//	gridkiosk update status|install FILE
//	gridkiosk version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	// Before Fyne's init: no "Fyne error … locale C" on a C.UTF-8 machine.
	_ "github.com/gridkiosk/gridkiosk/internal/fynelocale"
	"github.com/gridkiosk/gridkiosk/internal/logring"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `gridkiosk — 网格服务站自助终端 / community grid service station kiosk

Usage:
  gridkiosk run    [--config FILE] [--simulate] [--data DIR]   the kiosk with its screen
                   [--lang zh-CN|en] [--size WxH] [--tour DIR]  (--tour: a PNG of every screen, then quit)
                   [--no-control-panel]  (--simulate without its control window, as make bench measures it)
  gridkiosk serve  [--config FILE] [--simulate] [--data DIR]   the kiosk without a screen
  gridkiosk config check [FILE | --config FILE]                check a configuration file (default /etc/gridkiosk/gridkiosk.toml)
  gridkiosk config example                                     print a commented example
  gridkiosk probe idcard --port P [--baud N] [--json] [--reveal] [--timeout D]
                                                               wait for one card and show what the reader read
  gridkiosk probe idcard --list                                list candidate serial ports
  gridkiosk probe printer (--port P [--baud N] | --usb DEV | --tcp HOST:PORT) [--status] [--test-receipt] [--paper 58mm|80mm]
                                                               ask a printer its state, print a test receipt
  gridkiosk probe qr --port P [--baud N] [--count N] [--trigger honeywell|gm65] [--suffix cr|lf|crlf|none] [--json]
                                                               print each code a scanner reads
  gridkiosk probe gpio [--config FILE] [--watch] [--blink NAME] [--beep] [--json]
                                                               list the panel's pins, print presses, blink, beep
  gridkiosk update status  [--config FILE] [--json]           the system update: slot, version, pending, last result
  gridkiosk update install FILE [--force] [--allow-older]      install a RAUC bundle (through the running station,
                                                               when the kiosk is idle; --force: now)
  gridkiosk version

--simulate starts a local county hub and demo data for 幸福湾社区 (Xingfuwan
Community, 乡宁县 141029), so the whole loop runs with no hardware and no server.
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	started := time.Now()
	// The technician's screen shows the last lines; nothing logged holds
	// a full ID number or name.
	ring := logring.New(200)
	log := slog.New(logring.NewHandler(slog.NewTextHandler(stderr, nil), ring))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, args[1:], log, ring, started)
	case "serve":
		err = cmdServe(ctx, args[1:], log)
	case "config":
		err = cmdConfig(args[1:], stdout)
	case "probe":
		err = cmdProbe(ctx, args[1:], stdout)
	case "update":
		err = cmdUpdate(ctx, args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "gridkiosk", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "gridkiosk: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "gridkiosk:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "gridkiosk:", err)
		return 1
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

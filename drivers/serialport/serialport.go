// Package serialport is the serial line every gridkiosk peripheral driver
// shares: a raw 8N1 port over github.com/tarm/serial with read timeouts that are told apart from an
// unplugged device, and a list of the ports a technician can choose from
// by their stable /dev/serial/by-id names.
//
// A port waits for bytes in Go's network poller (epoll), not in a read
// system call that blocks a thread: a kiosk's idle readers then cost no
// thread wake-ups, and none of the Go scheduler's, which a blocking read
// ten times a second on each of three lines kept busy.
package serialport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tarm/serial"
	"golang.org/x/sys/unix"
)

// pollInterval is how long one Read waits for data before it returns with
// nothing, so that a driver times its commands and notices an unplugged
// device. The wait is a deadline in the poller; Close ends it at once.
const pollInterval = 100 * time.Millisecond

// GoneError means the device went away: unplugged, or its path now names
// another device. The port must be closed and opened again.
type GoneError struct {
	Path  string
	Cause error // what the system said, if anything
}

func (e *GoneError) Error() string {
	s := "serialport: " + e.Path + ": device is gone (unplugged?)"
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *GoneError) Unwrap() error { return e.Cause }

// Gone is always true; drivers test for it through a one-method interface
// so they need not import this package.
func (e *GoneError) Gone() bool { return true }

// Gone reports whether err means the device went away and the port must be
// reopened.
func Gone(err error) bool {
	var ge *GoneError
	return errors.As(err, &ge)
}

// Port is an open serial line. Read returns (0, nil) when no byte arrived
// within the poll interval, and an error for which Gone is true when the
// device is no longer there. It is safe to Close a Port from another
// goroutine while a Read is in progress.
type Port struct {
	path string
	baud int
	dev  uint64 // device number at open, to notice a different device at the same path
	// line is the port as tarm/serial opened and set it up (speed, 8N1,
	// raw); it stays open while the port is, so the settings hold. Bytes
	// go through f, a second descriptor of the same line that waits in
	// Go's poller: tarm/serial's own reads block a thread in VTIME.
	line *serial.Port
	f    *os.File // non-blocking, in the poller
	// woken is set by Wake for a ReadWait that set its deadline after
	// Wake had set one in the past.
	woken atomic.Bool
}

// Open opens path (a device node or a link to one, such as
// /dev/serial/by-id/…) at baud, 8N1, in raw mode.
func Open(path string, baud int) (*Port, error) {
	dev, err := devNumber(path)
	if err != nil {
		return nil, fmt.Errorf("serialport: %s: %w", path, err)
	}
	line, err := serial.OpenPort(&serial.Config{Name: path, Baud: baud, ReadTimeout: pollInterval})
	if err != nil {
		return nil, fmt.Errorf("serialport: open %s at %d baud: %w", path, baud, err)
	}
	// O_NONBLOCK puts the file in Go's poller. The termios settings belong
	// to the line, not to a descriptor, so this one reads and writes at
	// what tarm/serial set; O_NONBLOCK also makes its reads ignore the
	// VMIN/VTIME that tarm/serial's own descriptor waits by.
	f, err := os.OpenFile(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		line.Close()
		return nil, fmt.Errorf("serialport: open %s at %d baud: %w", path, baud, err)
	}
	return &Port{path: path, baud: baud, dev: dev, line: line, f: f}, nil
}

// Path is the path the port was opened by.
func (p *Port) Path() string { return p.path }

// Baud is the line's speed.
func (p *Port) Baud() int { return p.baud }

// Read reads what has arrived, waiting at most the poll interval.
func (p *Port) Read(b []byte) (int, error) { return p.ReadWait(b, pollInterval) }

// ReadWait is Read waiting at most d: for a driver that has nothing to
// time while no byte comes, such as a scanner between codes, so that an
// idle line wakes the kiosk once in d rather than ten times a second. An
// unplugged adapter hangs up and ends the wait at once; a different
// device at the same path is noticed when it ends. Wake ends it early.
func (p *Port) ReadWait(b []byte, d time.Duration) (int, error) {
	if err := p.f.SetReadDeadline(time.Now().Add(d)); err != nil {
		return 0, p.classify("read", err)
	}
	if p.woken.Swap(false) {
		return 0, nil
	}
	n, err := p.f.Read(b)
	if n > 0 {
		return n, nil
	}
	// A hung-up line reads as end of file, as nothing arriving does on
	// some adapters: only the device node tells them from a timeout.
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded) {
		if p.gone() {
			return 0, &GoneError{Path: p.path}
		}
		return 0, nil
	}
	return 0, p.classify("read", err)
}

// Wake makes a Read or ReadWait in progress return at once with nothing
// read, or, when none is, the next one: a driver's other goroutine has
// something for its reading loop (ctx ended, a command to send). It is
// safe to call from any goroutine.
func (p *Port) Wake() {
	p.woken.Store(true)
	// A deadline in the past ends a read waiting in the poller.
	p.f.SetReadDeadline(time.Unix(1, 0))
}

// classify turns a failed system call into a *GoneError when the device
// went away, and into a plain wrapped error otherwise.
func (p *Port) classify(op string, err error) error {
	if errors.Is(err, syscall.EIO) || errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.ENXIO) || p.gone() {
		return &GoneError{Path: p.path, Cause: err}
	}
	return fmt.Errorf("serialport: %s %s: %w", op, p.path, err)
}

// Write writes b.
func (p *Port) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	if err != nil {
		return n, p.classify("write", err)
	}
	return n, nil
}

// Discard drops bytes received but not yet read (and any not yet sent),
// so a reply is not mistaken for the answer to a later command.
func (p *Port) Discard() error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return p.classify("flush", err)
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = unix.IoctlSetInt(int(fd), unix.TCFLSH, unix.TCIOFLUSH) }); err != nil {
		return p.classify("flush", err)
	}
	if ferr != nil {
		return p.classify("flush", ferr)
	}
	return nil
}

// Close closes the port; a Read in progress returns at once.
func (p *Port) Close() error {
	err := p.f.Close()
	if lerr := p.line.Close(); err == nil {
		err = lerr
	}
	return err
}

// WireTime is how long n bytes take on the line at this baud rate, 8N1:
// ten bit times a byte.
func (p *Port) WireTime(n int) time.Duration { return WireTime(n, p.baud) }

// WireTime is how long n bytes take at baud, 8N1.
func WireTime(n, baud int) time.Duration {
	return time.Duration(n) * 10 * time.Second / time.Duration(baud)
}

func (p *Port) gone() bool {
	dev, err := devNumber(p.path)
	return err != nil || dev != p.dev
}

func devNumber(path string) (uint64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || fi.Mode()&os.ModeCharDevice == 0 {
		return 0, errors.New("not a character device")
	}
	return st.Rdev, nil
}

// Candidate is a serial port a device may be on.
type Candidate struct {
	Path string   `json:"path"`            // /dev/ttyUSB0
	ByID []string `json:"by_id,omitempty"` // stable names under /dev/serial/by-id
}

// List returns the serial ports a peripheral is likely on: USB serial
// adapters, USB CDC devices and the boards' own UARTs, with their by-id
// names (which survive replugging into another USB socket).
func List(dev string) ([]Candidate, error) {
	byID := map[string][]string{}
	links, _ := filepath.Glob(filepath.Join(dev, "serial", "by-id", "*"))
	for _, l := range links {
		target, err := filepath.EvalSymlinks(l)
		if err == nil {
			byID[target] = append(byID[target], l)
		}
	}
	var out []Candidate
	for _, pat := range []string{"ttyUSB*", "ttyACM*", "ttyAMA*", "ttyS[0-3]", "ttyCH343USB*"} {
		ms, err := filepath.Glob(filepath.Join(dev, pat))
		if err != nil {
			return nil, fmt.Errorf("serialport: list: %w", err)
		}
		for _, m := range ms {
			out = append(out, Candidate{Path: m, ByID: byID[m]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		// By-id ports first: they are the USB devices a reader usually is.
		if (len(out[i].ByID) > 0) != (len(out[j].ByID) > 0) {
			return len(out[i].ByID) > 0
		}
		return strings.Compare(out[i].Path, out[j].Path) < 0
	})
	return out, nil
}

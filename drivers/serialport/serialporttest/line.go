// Package serialporttest gives device emulators a real serial line: a
// pseudo-terminal whose far end a driver opens exactly as it would open a
// USB serial adapter, through a stable path that an emulated unplug makes
// disappear and a replug brings back (on a new pty, as a real replug does).
package serialporttest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ErrUnplugged is returned by Read and Write while the line is unplugged.
var ErrUnplugged = errors.New("serialporttest: line unplugged")

// Line is the device's end of an emulated serial line.
type Line struct {
	path string
	baud int

	mu      sync.Mutex
	master  *os.File
	slave   *os.File // held open so the line stays up between driver opens
	plugged chan struct{}
	gen     int
	closed  bool
}

// NewLine creates a pty and a link to its far end at dir/name. baud paces
// writes at the line's real speed; 0 writes as fast as the pty takes them.
func NewLine(dir, name string, baud int) (*Line, error) {
	l := &Line{path: filepath.Join(dir, name), baud: baud}
	if err := l.plug(); err != nil {
		return nil, err
	}
	return l, nil
}

// Path is what a driver opens.
func (l *Line) Path() string { return l.path }

// Baud is the line's pace.
func (l *Line) Baud() int { return l.baud }

func (l *Line) plug() error {
	master, slave, err := openPTY()
	if err != nil {
		return err
	}
	os.Remove(l.path)
	if err := os.Symlink(slave.Name(), l.path); err != nil {
		master.Close()
		slave.Close()
		return fmt.Errorf("serialporttest: link %s: %w", l.path, err)
	}
	l.mu.Lock()
	l.master, l.slave = master, slave
	l.gen++
	if l.plugged != nil {
		close(l.plugged)
		l.plugged = nil
	}
	l.mu.Unlock()
	return nil
}

// Unplug makes the line vanish: the link is removed and the pty closed,
// so the driver's reads and writes fail as with a USB adapter pulled out.
func (l *Line) Unplug() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.master == nil {
		return nil
	}
	os.Remove(l.path)
	l.master.Close()
	l.slave.Close()
	l.master, l.slave = nil, nil
	l.plugged = make(chan struct{})
	return nil
}

// Replug brings the line back on a new pty at the same path.
func (l *Line) Replug() error {
	l.mu.Lock()
	up := l.master != nil || l.closed
	l.mu.Unlock()
	if up {
		return nil
	}
	return l.plug()
}

// Close unplugs the line for good.
func (l *Line) Close() error {
	l.Unplug()
	l.mu.Lock()
	l.closed = true
	if l.plugged != nil {
		close(l.plugged)
		l.plugged = nil
	}
	l.mu.Unlock()
	return nil
}

func (l *Line) current() (*os.File, int, chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.master, l.gen, l.plugged
}

// Read reads what the driver wrote. While unplugged it returns
// ErrUnplugged at once.
func (l *Line) Read(p []byte) (int, error) {
	m, _, _ := l.current()
	if m == nil {
		return 0, ErrUnplugged
	}
	n, err := m.Read(p)
	if err != nil {
		if m2, _, _ := l.current(); m2 != m {
			return n, ErrUnplugged
		}
		return n, fmt.Errorf("serialporttest: read: %w", err)
	}
	return n, nil
}

// Closed reports whether Close was called.
func (l *Line) Closed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// WaitPlugged blocks until the line is plugged in or closed.
func (l *Line) WaitPlugged() {
	_, _, ch := l.current()
	if ch != nil {
		<-ch
	}
}

// Write sends p to the driver, taking the bytes' wire time at the line's
// baud rate (ten bit times a byte), in small chunks so the driver sees
// frames arrive piecemeal as on a real line.
func (l *Line) Write(p []byte) (int, error) {
	const chunk = 32
	written := 0
	start := time.Now()
	for written < len(p) {
		m, _, _ := l.current()
		if m == nil {
			return written, ErrUnplugged
		}
		end := min(written+chunk, len(p))
		n, err := m.Write(p[written:end])
		written += n
		if err != nil {
			return written, fmt.Errorf("serialporttest: write: %w", err)
		}
		if l.baud > 0 {
			due := start.Add(time.Duration(written) * 10 * time.Second / time.Duration(l.baud))
			time.Sleep(time.Until(due))
		}
	}
	return written, nil
}

// openPTY opens a pseudo-terminal pair with the far end in raw mode, so
// bytes pass unchanged even before a driver sets the line up.
func openPTY() (master, slave *os.File, err error) {
	// Non-blocking, so the runtime's poller owns the master and Unplug's
	// Close interrupts a Read in progress.
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("serialporttest: open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(mfd)
		return nil, nil, fmt.Errorf("serialporttest: unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(mfd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(mfd)
		return nil, nil, fmt.Errorf("serialporttest: pty number: %w", err)
	}
	name := fmt.Sprintf("/dev/pts/%d", n)
	sfd, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(mfd)
		return nil, nil, fmt.Errorf("serialporttest: open %s: %w", name, err)
	}
	t, err := unix.IoctlGetTermios(sfd, unix.TCGETS)
	if err == nil {
		// cfmakeraw
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		err = unix.IoctlSetTermios(sfd, unix.TCSETS, t)
	}
	if err != nil {
		unix.Close(mfd)
		unix.Close(sfd)
		return nil, nil, fmt.Errorf("serialporttest: raw mode: %w", err)
	}
	return os.NewFile(uintptr(mfd), "/dev/ptmx"), os.NewFile(uintptr(sfd), name), nil
}

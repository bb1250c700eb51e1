package raucsim

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// Bus is a private D-Bus message bus: a dbus-daemon of its own, so tests
// never touch the machine's system or session bus.
type Bus struct {
	// Address is the bus's D-Bus address, for rauc.Dial and Start.
	Address string
	cmd     *exec.Cmd
	once    sync.Once
}

// StartBus starts dbus-daemon with the session bus's configuration
// (anyone may own any name) and returns once it listens.
func StartBus() (*Bus, error) {
	path, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, errors.New("raucsim: no dbus-daemon to run a private bus with (Debian package dbus-daemon; .ci/deps.sh test installs it)")
	}
	cmd := exec.Command(path, "--session", "--nofork", "--nopidfile", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("raucsim: dbus-daemon: %w", err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("raucsim: start dbus-daemon: %w", err)
	}
	// The daemon prints its address once it listens.
	line, err := bufio.NewReader(out).ReadString('\n')
	addr := strings.TrimSpace(line)
	if err != nil || addr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("raucsim: dbus-daemon printed no address (%v): %s", err, strings.TrimSpace(stderr.String()))
	}
	return &Bus{Address: addr, cmd: cmd}, nil
}

// Close stops the daemon.
func (b *Bus) Close() error {
	b.once.Do(func() {
		b.cmd.Process.Kill()
		b.cmd.Wait()
	})
	return nil
}

package main

// A minimal sd_notify client, so the appliance image can run gridkiosk as
// a Type=notify unit with WatchdogSec=: systemd learns when the station is
// really up, and restarts it when it stops answering. No dependency: the
// protocol is one datagram per message on the unix socket systemd names in
// $NOTIFY_SOCKET.

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// notifyReady tells systemd that the station is up (READY=1) and, when the
// unit has WatchdogSec=, pings the watchdog every half period until stop
// is called. stop tells systemd the station is stopping. Without
// $NOTIFY_SOCKET (not started by systemd, or not Type=notify) it does
// nothing and stop is a no-op.
func notifyReady(log *slog.Logger) (stop func()) {
	n := newSDNotifier(os.Getenv, lineage())
	if n == nil {
		return func() {}
	}
	return n.ready(log, "station running")
}

// sdNotifier sends to one notify socket.
type sdNotifier struct {
	addr     *net.UnixAddr
	watchdog time.Duration // ping period (half of WatchdogSec=); 0 without a watchdog
}

// newSDNotifier reads the environment systemd gives a service: the socket
// in NOTIFY_SOCKET ("@name" is in the abstract namespace, which Go's
// socket address already understands), and WATCHDOG_USEC and WATCHDOG_PID
// for the watchdog. It returns nil when NOTIFY_SOCKET is unset.
//
// WATCHDOG_PID names the unit's main process. The watchdog is ours when
// that is in lineage, our own pid and our ancestors': in the kiosk session
// the main process is gridkiosk-session, which runs cage, which runs
// gridkiosk run through the session's wrapper, all passing the environment
// on, and the unit's NotifyAccess=all lets our pings count. Another
// program that inherited the environment and is not of that line stays
// quiet.
func newSDNotifier(getenv func(string) string, lineage []int) *sdNotifier {
	sock := getenv("NOTIFY_SOCKET")
	if sock == "" || (sock[0] != '/' && sock[0] != '@') {
		return nil
	}
	n := &sdNotifier{addr: &net.UnixAddr{Name: sock, Net: "unixgram"}}
	usec, err := strconv.ParseInt(getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return n
	}
	if p := getenv("WATCHDOG_PID"); p != "" {
		wp, err := strconv.Atoi(p)
		if err != nil || !slices.Contains(lineage, wp) {
			return n
		}
	}
	n.watchdog = time.Duration(usec) * time.Microsecond / 2
	return n
}

// lineage is our pid and our ancestors', nearest first, read from /proc;
// where /proc cannot tell, our pid and our parent's.
func lineage() []int {
	pids := []int{os.Getpid()}
	for p := pids[0]; p > 1 && len(pids) < 64; {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			break
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if i < 0 || len(f) < 2 {
			break
		}
		if p, err = strconv.Atoi(f[1]); err != nil || p < 1 {
			break
		}
		pids = append(pids, p)
	}
	if len(pids) == 1 {
		pids = append(pids, os.Getppid())
	}
	return pids
}

// send writes one notification. Each is a datagram of its own, so a
// message cannot be split or merged with another.
func (n *sdNotifier) send(state string) error {
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify: connect %s: %w", n.addr.Name, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: send to %s: %w", n.addr.Name, err)
	}
	return nil
}

// ready sends READY=1 with a status line and starts the watchdog pings.
// Failures are logged, not returned: a station that cannot reach systemd
// still serves residents, and systemd's own timeout reports the rest.
func (n *sdNotifier) ready(log *slog.Logger, status string) (stop func()) {
	if err := n.send("READY=1\nSTATUS=" + status); err != nil {
		log.Warn("gridkiosk: cannot tell systemd the station is ready", "err", err)
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	if n.watchdog > 0 {
		log.Info("gridkiosk: systemd watchdog on", "ping", n.watchdog.String())
		wg.Go(func() { n.pingLoop(log, quit) })
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			wg.Wait()
			if err := n.send("STOPPING=1"); err != nil {
				log.Warn("gridkiosk: cannot tell systemd the station is stopping", "err", err)
			}
		})
	}
}

// pingLoop sends WATCHDOG=1 every period until quit closes. A failed ping
// is logged once per run of failures, not every period.
func (n *sdNotifier) pingLoop(log *slog.Logger, quit <-chan struct{}) {
	t := time.NewTicker(n.watchdog)
	defer t.Stop()
	var failing error
	for {
		select {
		case <-quit:
			return
		case <-t.C:
			err := n.send("WATCHDOG=1")
			switch {
			case err != nil && failing == nil:
				log.Warn("gridkiosk: systemd watchdog ping failed", "err", err)
			case err == nil && failing != nil:
				log.Info("gridkiosk: systemd watchdog ping works again")
			}
			failing = err
		}
	}
}

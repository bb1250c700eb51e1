// Package sdnotify is a minimal sd_notify client, so the appliance image
// can run gridkiosk as a Type=notify unit with WatchdogSec=: systemd
// learns when the station is really up, and restarts it when it stops
// answering. No dependency: the protocol is one datagram per message on
// the unix socket systemd names in $NOTIFY_SOCKET.
//
// The watchdog is fed by health, not by a clock: each ping is earned by a
// liveness check of the station's own loops (the outbox's committer, the
// forwarder, the screen's event loop). A process whose pinging goroutine
// still runs while the loop that stores records is deadlocked is not
// alive, and systemd should restart it.
package sdnotify

import (
	"bytes"
	"context"
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

// Check reports whether the station's loops answer, naming what is wedged
// when one does not. It must return by ctx's deadline.
type Check func(ctx context.Context) error

// Ready tells systemd that the station is up (READY=1) with a status line
// and, when the unit has WatchdogSec=, pings the watchdog every half
// period while alive passes, until stop is called. stop tells systemd the
// station is stopping. Without $NOTIFY_SOCKET (not started by systemd, or
// not Type=notify) it does nothing and stop is a no-op.
func Ready(log *slog.Logger, status string, alive Check) (stop func()) {
	n := New(os.Getenv, Lineage())
	if n == nil {
		return func() {}
	}
	return n.Ready(log, status, alive)
}

// Notifier sends to one notify socket.
type Notifier struct {
	addr     *net.UnixAddr
	watchdog time.Duration // ping period (half of WatchdogSec=); 0 without a watchdog
}

// New reads the environment systemd gives a service: the socket in
// NOTIFY_SOCKET ("@name" is in the abstract namespace, which Go's socket
// address already understands), and WATCHDOG_USEC and WATCHDOG_PID for
// the watchdog. It returns nil when NOTIFY_SOCKET is unset.
//
// WATCHDOG_PID names the unit's main process. The watchdog is ours when
// that is in lineage, our own pid and our ancestors': in the kiosk session
// the main process is gridkiosk-session, which runs cage, which runs
// gridkiosk run through the session's wrapper, all passing the environment
// on, and the unit's NotifyAccess=all lets our pings count. Another
// program that inherited the environment and is not of that line stays
// quiet.
func New(getenv func(string) string, lineage []int) *Notifier {
	sock := getenv("NOTIFY_SOCKET")
	if sock == "" || (sock[0] != '/' && sock[0] != '@') {
		return nil
	}
	n := &Notifier{addr: &net.UnixAddr{Name: sock, Net: "unixgram"}}
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

// Period is how often the watchdog is pinged (half of WatchdogSec=), or 0
// when the watchdog is off or not ours.
func (n *Notifier) Period() time.Duration { return n.watchdog }

// CheckTimeout is how long one liveness check may take: well inside a
// period, so that a check that passes at its deadline still pings before
// systemd's own deadline.
func (n *Notifier) CheckTimeout() time.Duration { return n.watchdog * 2 / 3 }

// Lineage is our pid and our ancestors', nearest first, read from /proc;
// where /proc cannot tell, our pid and our parent's.
func Lineage() []int {
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

// Send writes one notification. Each is a datagram of its own, so a
// message cannot be split or merged with another.
func (n *Notifier) Send(state string) error {
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

// Ready sends READY=1 with a status line and starts the watchdog pings,
// each earned by alive passing. Failures to reach systemd are logged, not
// returned: a station that cannot reach systemd still serves residents,
// and systemd's own timeout reports the rest.
func (n *Notifier) Ready(log *slog.Logger, status string, alive Check) (stop func()) {
	if err := n.Send("READY=1\nSTATUS=" + status); err != nil {
		log.Warn("gridkiosk: cannot tell systemd the station is ready", "err", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if n.watchdog > 0 {
		log.Info("gridkiosk: systemd watchdog on, fed by the liveness checks", "ping", n.watchdog.String(),
			"check_timeout", n.CheckTimeout().String())
		wg.Go(func() { n.pingLoop(ctx, log, alive) })
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			if err := n.Send("STOPPING=1"); err != nil {
				log.Warn("gridkiosk: cannot tell systemd the station is stopping", "err", err)
			}
		})
	}
}

// pingLoop runs the liveness checks every period and pings only when they
// pass, until ctx ends. A wedged loop is logged when the checks start
// failing and again when they pass, not every period; while they fail no
// ping goes out, so systemd restarts the station after WatchdogSec.
func (n *Notifier) pingLoop(ctx context.Context, log *slog.Logger, alive Check) {
	t := time.NewTicker(n.watchdog)
	defer t.Stop()
	var wedged, failing error
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := n.check(ctx, alive)
		if ctx.Err() != nil {
			return // stopping: a check cut short says nothing
		}
		switch {
		case err != nil && wedged == nil:
			log.Error("gridkiosk: liveness check failed; watchdog pings stop so that systemd restarts the station", "err", err)
		case err == nil && wedged != nil:
			log.Info("gridkiosk: liveness checks pass again; watchdog pings resume")
		}
		if wedged = err; err != nil {
			continue
		}
		err = n.Send("WATCHDOG=1")
		switch {
		case err != nil && failing == nil:
			log.Warn("gridkiosk: systemd watchdog ping failed", "err", err)
		case err == nil && failing != nil:
			log.Info("gridkiosk: systemd watchdog ping works again")
		}
		failing = err
	}
}

// check runs alive with the check deadline. A check that does not return
// soon after it (half the rest of the period) fails here all the same, so
// one that ignores its context still stops the pings, and the log says
// which deadline passed.
func (n *Notifier) check(ctx context.Context, alive Check) error {
	cctx, cancel := context.WithTimeout(ctx, n.CheckTimeout())
	defer cancel()
	res := make(chan error, 1)
	go func() { res <- alive(cctx) }()
	late := time.NewTimer(n.CheckTimeout() + (n.watchdog-n.CheckTimeout())/2)
	defer late.Stop()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-late.C:
		return fmt.Errorf("liveness check did not return within %s of its %s deadline", (n.watchdog-n.CheckTimeout())/2, n.CheckTimeout())
	}
}

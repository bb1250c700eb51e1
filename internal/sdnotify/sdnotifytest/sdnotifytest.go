// Package sdnotifytest is systemd's side of the watchdog for tests: a real
// unixgram socket as $NOTIFY_SOCKET, a station's pinger started on it with
// the liveness check under test, and a record of every check run and the
// pings that followed it, so a test can wait for the pings to stop, or to
// go on, as events rather than after a sleep.
package sdnotifytest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/sdnotify"
)

// Wait is how long a test waits for what it expects before failing: far
// past what a loaded machine needs, since a passing test never waits it.
const Wait = 60 * time.Second

// Watchdog is a notify socket with a pinger sending to it.
type Watchdog struct {
	sock   *net.UnixConn
	period time.Duration
	Log    *Recorder // what the pinger logged

	mu   sync.Mutex
	runs []run // one per check run, in order
}

// run is one check run: its result once it returned, and the pings sent
// after it, counted when the next run starts (the pinger sends a run's
// ping before it starts the next, and a datagram is queued on the socket
// by the time its write returns).
type run struct {
	done  bool
	err   error
	pings int
	other []string // anything else that came meanwhile
}

// Start listens on a fresh socket and starts a pinger for a unit with
// WatchdogSec= of twice period, fed by alive. The pinger is stopped when
// the test ends.
func Start(t testing.TB, period time.Duration, alive sdnotify.Check) *Watchdog {
	t.Helper()
	// Socket paths are limited to 108 bytes; a subtest's TempDir may not be.
	dir, err := os.MkdirTemp("", "sdnotify")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", path, err)
	}
	t.Cleanup(func() { c.Close() })
	w := &Watchdog{sock: c, period: period, Log: &Recorder{}}
	env := map[string]string{"NOTIFY_SOCKET": path, "WATCHDOG_USEC": strconv.FormatInt(2*period.Microseconds(), 10)}
	n := sdnotify.New(func(k string) string { return env[k] }, nil)
	if n == nil || n.Period() != period {
		t.Fatalf("notifier %+v from %v, want one pinging every %v", n, env, period)
	}
	stop := n.Ready(slog.New(w.Log), "test", w.counted(alive))
	t.Cleanup(stop)
	c.SetReadDeadline(time.Now().Add(Wait))
	buf := make([]byte, 4096)
	k, err := c.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:k]), "READY=1\n") {
		t.Fatalf("first notification %q (%v), want READY=1", buf[:k], err)
	}
	return w
}

// counted wraps alive to record each run and, as it starts, the pings
// sent after the run before.
func (w *Watchdog) counted(alive sdnotify.Check) sdnotify.Check {
	return func(ctx context.Context) error {
		msgs := w.drain()
		w.mu.Lock()
		i := len(w.runs)
		if i > 0 {
			for _, m := range msgs {
				if m == "WATCHDOG=1" {
					w.runs[i-1].pings++
				} else {
					w.runs[i-1].other = append(w.runs[i-1].other, m)
				}
			}
		}
		w.runs = append(w.runs, run{})
		w.mu.Unlock()
		err := alive(ctx)
		w.mu.Lock()
		w.runs[i].done, w.runs[i].err = true, err
		w.mu.Unlock()
		return err
	}
}

// drain reads every datagram already queued, without waiting.
func (w *Watchdog) drain() []string {
	rc, err := w.sock.SyscallConn()
	if err != nil {
		return nil
	}
	var out []string
	buf := make([]byte, 4096)
	for {
		var n int
		var rerr error
		if err := rc.Read(func(fd uintptr) bool {
			n, _, rerr = syscall.Recvfrom(int(fd), buf, syscall.MSG_DONTWAIT)
			return true
		}); err != nil || rerr != nil {
			return out
		}
		out = append(out, string(buf[:n]))
	}
}

// Runs is how many checks have started.
func (w *Watchdog) Runs() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.runs)
}

// WaitPings waits until n checks from now on have passed, each followed
// by its ping.
func (w *Watchdog) WaitPings(t testing.TB, n int) {
	t.Helper()
	from := w.Runs()
	w.poll(t, fmt.Sprintf("%d pings", n), func() (bool, error) {
		got := 0
		for i := from; i+1 < len(w.runs); i++ {
			if r := w.runs[i]; r.done && r.err == nil && r.pings == 1 {
				got++
			}
		}
		return got >= n, nil
	})
}

// WaitStopped waits until three checks in a row from now on have failed
// and returns their errors. A failed check followed by a ping fails the
// test at once: that is a watchdog fed while the station is wedged.
func (w *Watchdog) WaitStopped(t testing.TB) []error {
	t.Helper()
	from := w.Runs()
	var errs []error
	w.poll(t, "the pings to stop (three failed checks in a row, no ping after any)", func() (bool, error) {
		errs = errs[:0]
		// Only runs with a successor: their pings are counted. One that
		// has not returned by then is one the pinger gave up on.
		for i := from; i+1 < len(w.runs); i++ {
			r := w.runs[i]
			err := r.err
			if !r.done {
				err = errors.New("the check has not returned")
			}
			if err != nil && r.pings > 0 {
				return false, fmt.Errorf("check run %d failed (%v) and yet %d ping(s) followed it", i, err, r.pings)
			}
			if err == nil {
				errs = errs[:0]
				continue
			}
			if errs = append(errs, err); len(errs) == 3 {
				return true, nil
			}
		}
		return false, nil
	})
	return errs
}

// poll checks cond under the lock until it holds, fails, or Wait passes.
func (w *Watchdog) poll(t testing.TB, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	for {
		w.mu.Lock()
		ok, err := cond()
		summary := w.summary()
		w.mu.Unlock()
		if err != nil {
			t.Fatalf("watchdog: %v\nruns: %s", err, summary)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("watchdog: no %s within %v\nruns: %s\nlog:\n%s", what, Wait, summary, w.Log)
		}
		time.Sleep(w.period / 10)
	}
}

// summary lists the last runs, for a failure message.
func (w *Watchdog) summary() string {
	var b strings.Builder
	for i := max(0, len(w.runs)-8); i < len(w.runs); i++ {
		r := w.runs[i]
		switch {
		case !r.done:
			fmt.Fprintf(&b, "\n  %d: running", i)
		case r.err != nil:
			fmt.Fprintf(&b, "\n  %d: failed (%v), pings %d", i, r.err, r.pings)
		default:
			fmt.Fprintf(&b, "\n  %d: passed, pings %d", i, r.pings)
		}
	}
	return b.String()
}

// Recorder is a slog handler that keeps every record, for tests to look
// at what was logged and how often.
type Recorder struct {
	mu    sync.Mutex
	lines []Line
}

// Line is one logged record.
type Line struct {
	Level slog.Level
	Msg   string
	Err   string // the "err" attribute, if any
}

// Enabled implements slog.Handler.
func (*Recorder) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (r *Recorder) Handle(_ context.Context, rec slog.Record) error {
	l := Line{Level: rec.Level, Msg: rec.Message}
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			l.Err = a.Value.String()
		}
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, l)
	r.mu.Unlock()
	return nil
}

// WithAttrs implements slog.Handler; the attributes are dropped.
func (r *Recorder) WithAttrs([]slog.Attr) slog.Handler { return r }

// WithGroup implements slog.Handler; the group is dropped.
func (r *Recorder) WithGroup(string) slog.Handler { return r }

// At returns the records logged at level.
func (r *Recorder) At(level slog.Level) []Line {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Line
	for _, l := range r.lines {
		if l.Level == level {
			out = append(out, l)
		}
	}
	return out
}

func (r *Recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, l := range r.lines {
		fmt.Fprintf(&b, "  %s %s err=%q\n", l.Level, l.Msg, l.Err)
	}
	return b.String()
}

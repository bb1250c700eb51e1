package sdnotify

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// notifySocket listens on a real unixgram socket, as systemd does, and
// returns its address and the datagrams it receives.
func notifySocket(t *testing.T, name string) (string, <-chan string) {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	got := make(chan string, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			got <- string(buf[:n])
		}
	}()
	return name, got
}

func receive(t *testing.T, got <-chan string) string {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no notification within 5s")
		return ""
	}
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// pass is a liveness check that always passes.
func pass(context.Context) error { return nil }

func TestNotifyReadyAndWatchdog(t *testing.T) {
	sock, got := notifySocket(t, filepath.Join(t.TempDir(), "notify"))
	n := New(env(map[string]string{
		"NOTIFY_SOCKET": sock,
		"WATCHDOG_USEC": "40000", // 40ms: pings every 20ms
		"WATCHDOG_PID":  "4242",
	}), []int{4242, 1})
	if n == nil || n.watchdog != 20*time.Millisecond {
		t.Fatalf("notifier %+v, want one with a 20ms watchdog", n)
	}
	stop := n.Ready(quiet, "station running", pass)
	if m := receive(t, got); m != "READY=1\nSTATUS=station running" {
		t.Fatalf("first message %q, want READY=1 with the status", m)
	}
	for i := range 3 {
		if m := receive(t, got); m != "WATCHDOG=1" {
			t.Fatalf("ping %d: %q, want WATCHDOG=1", i, m)
		}
	}
	stop()
	stop() // a second stop is harmless
	// Pings sent before stop may still be queued; STOPPING=1 comes last.
	for {
		m := receive(t, got)
		if m == "STOPPING=1" {
			break
		}
		if m != "WATCHDOG=1" {
			t.Fatalf("after stop: %q, want STOPPING=1", m)
		}
	}
	select {
	case m := <-got:
		t.Fatalf("message after STOPPING=1: %q", m)
	case <-time.After(60 * time.Millisecond):
	}
}

func TestNotifyAbstractSocket(t *testing.T) {
	name := "@gridkiosk-test-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	sock, got := notifySocket(t, name)
	n := New(env(map[string]string{"NOTIFY_SOCKET": sock}), []int{1})
	if n == nil {
		t.Fatal("no notifier for an abstract socket")
	}
	if err := n.Send("STATUS=hello"); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, got); m != "STATUS=hello" {
		t.Fatalf("got %q", m)
	}
}

func TestNotifyWatchdogOwner(t *testing.T) {
	for _, tt := range []struct {
		name string
		pid  string
		want time.Duration
	}{
		{"no WATCHDOG_PID", "", 5 * time.Second},
		{"our pid", "100", 5 * time.Second},
		{"our parent (the session's wrapper)", "99", 5 * time.Second},
		{"an ancestor (gridkiosk-session, the unit's main process)", "97", 5 * time.Second},
		{"another process", "7", 0},
		{"garbage", "x", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := New(env(map[string]string{
				"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": tt.pid,
			}), []int{100, 99, 98, 97, 1})
			if n.watchdog != tt.want {
				t.Fatalf("watchdog %v, want %v", n.watchdog, tt.want)
			}
		})
	}
}

// Lineage reads the real process tree: a child started by this test
// finds the test in its own.
func TestLineage(t *testing.T) {
	l := Lineage()
	if len(l) < 2 || l[0] != os.Getpid() || l[1] != os.Getppid() {
		t.Fatalf("lineage %v; pid %d, parent %d", l, os.Getpid(), os.Getppid())
	}
	if last := l[len(l)-1]; last != 1 && len(l) < 64 {
		t.Logf("lineage ends at %d, not init (in a pid namespace?): %v", last, l)
	}
}

func TestNotifyOffWithoutSocket(t *testing.T) {
	for _, sock := range []string{"", "relative/path"} {
		if n := New(env(map[string]string{"NOTIFY_SOCKET": sock, "WATCHDOG_USEC": "1000"}), []int{1}); n != nil {
			t.Errorf("NOTIFY_SOCKET=%q: got a notifier, want none", sock)
		}
	}
	t.Setenv("NOTIFY_SOCKET", "")
	Ready(quiet, "x", pass)() // must neither block nor panic
}

func TestNotifyReadyUsesEnvironment(t *testing.T) {
	sock, got := notifySocket(t, filepath.Join(t.TempDir(), "notify"))
	t.Setenv("NOTIFY_SOCKET", sock)
	t.Setenv("WATCHDOG_USEC", "")
	stop := Ready(quiet, "station running", pass)
	if m := receive(t, got); !strings.HasPrefix(m, "READY=1\n") {
		t.Fatalf("got %q, want READY=1", m)
	}
	stop()
	if m := receive(t, got); m != "STOPPING=1" {
		t.Fatalf("got %q, want STOPPING=1", m)
	}
}

func TestNotifySendError(t *testing.T) {
	n := &Notifier{addr: &net.UnixAddr{Name: filepath.Join(t.TempDir(), "absent"), Net: "unixgram"}}
	err := n.Send("READY=1")
	if err == nil || !strings.Contains(err.Error(), "absent") {
		t.Fatalf("err %v, want one naming the socket", err)
	}
	n.Ready(quiet, "x", pass)() // logs, does not fail
}

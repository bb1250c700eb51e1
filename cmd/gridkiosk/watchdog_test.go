package main

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// gridkiosk serve under a Type=notify unit with WatchdogSec=1s: it says
// READY=1, its liveness checks pass and earn a ping every half second,
// and it says STOPPING=1 on SIGTERM.
func TestServeFeedsWatchdog(t *testing.T) {
	dir, err := os.MkdirTemp("", "sdnotify") // a short path: sockets allow 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	next := func(want string) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				t.Fatalf("waiting for %q: %v", want, err)
			}
			m := string(buf[:n])
			if m == want || (want == "READY=1" && len(m) > 8 && m[:8] == "READY=1\n") {
				return
			}
			if m != "WATCHDOG=1" {
				t.Fatalf("got %q while waiting for %q", m, want)
			}
		}
	}

	h := newTestHub(t)
	s := newStation(t, h.addr)
	s.env = []string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=1000000", "WATCHDOG_PID="}
	s.start()
	next("READY=1")
	for range 3 {
		next("WATCHDOG=1")
	}
	s.submit("watchdog")
	next("WATCHDOG=1")
	s.stop(syscall.SIGTERM)
	next("STOPPING=1")
}

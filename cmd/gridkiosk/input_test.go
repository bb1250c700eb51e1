package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Without a display, run says so and what to use instead, rather than
// panicking in GLFW after the station started.
func TestRunWithoutDisplay(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "run", "--simulate", "--data", t.TempDir())
	cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\n%s", err, out.String())
	}
	want := "gridkiosk run: no display (DISPLAY/WAYLAND_DISPLAY not set); use gridkiosk serve for a station without a screen"
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "panic") || strings.Contains(out.String(), "goroutine ") {
		t.Fatalf("output:\n%s", out.String())
	}
}

// The start-up log names the hub without the password its URL may
// carry (net/http's own errors show it as ***).
func TestStartupLogHidesURLPassword(t *testing.T) {
	s := newStationUpstream(t, `url = "http://gk:s3cret-pw@127.0.0.1:9/"`)
	s.start()
	s.waitFor("the start-up log line", func() bool { return strings.Contains(s.log.String(), "station running") })
	s.stop(syscall.SIGTERM)
	log := s.log.String()
	if strings.Contains(log, "s3cret") || !strings.Contains(log, "http://127.0.0.1:9/") {
		t.Fatalf("log:\n%s", log)
	}
}

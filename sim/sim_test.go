package sim

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// The world starts on real ptys and a real hub, its controls refuse what
// it does not have with what it has, and a second start in the same
// directory keeps the hub's code key.
func TestWorld(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := Start(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.Config()
	for what, port := range map[string]string{"idcard": cfg.Devices.IDCard.Port, "scanner": cfg.Devices.Scanner.Port, "printer": cfg.Devices.Printer.Port} {
		if fi, err := os.Stat(port); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Errorf("%s line %q: %v, %v; want the emulator's pty", what, port, fi, err)
		}
	}
	if !strings.HasPrefix(cfg.Upstream.URL, "http://127.0.0.1:") || cfg.Devices.Scanner.Suffix != "cr" {
		t.Errorf("upstream %q, scanner suffix %q", cfg.Upstream.URL, cfg.Devices.Scanner.Suffix)
	}
	if err := w.LayCard("nobody"); err == nil || !strings.Contains(err.Error(), "resident") {
		t.Errorf("an unknown card: %v, want the demo cards named", err)
	}
	if err := w.PressButton("reset", time.Millisecond); err == nil || !strings.Contains(err.Error(), "help, tech") {
		t.Errorf("an unknown button: %v", err)
	}
	if _, err := w.IssueCode("gift"); err == nil || !strings.Contains(err.Error(), "appointment, appointment-expired, staff") {
		t.Errorf("an unknown code: %v", err)
	}
	if ok, err := w.LastPrint(io.Discard, "txt"); ok || err != nil {
		t.Errorf("last print before any: %v, %v", ok, err)
	}
	if err := w.SetClockSkew(-72 * time.Hour); err != nil || w.ClockSkew() != -72*time.Hour {
		t.Errorf("skew -3d: %v, now %v", err, w.ClockSkew())
	}
	if d := time.Until(w.Now()) + 72*time.Hour; d.Abs() > time.Minute {
		t.Errorf("the board's clock is %v off the host's, want -72h", time.Until(w.Now()))
	}
	if err := w.SetClockSkew(MaxClockSkew + time.Hour); err == nil || w.ClockSkew() != -72*time.Hour {
		t.Errorf("a skew beyond the bound: %v, now %v", err, w.ClockSkew())
	}
	code, err := w.IssueCode("staff")
	if err != nil || !strings.HasPrefix(code, "GK1:") {
		t.Fatalf("staff code %q, %v", code, err)
	}
	key, err := os.ReadFile(dir + "/hub/code.key")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	w, err = Start(dir, log)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer w.Close()
	again, err := os.ReadFile(dir + "/hub/code.key")
	if err != nil || !bytes.Equal(again, key) {
		t.Errorf("the hub's code key changed between starts (%v)", err)
	}
}

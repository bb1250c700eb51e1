package qrscan_test

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/qrscan"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
)

type rig struct {
	t      *testing.T
	sim    *qrscansim.Scanner
	sc     *qrscan.Scanner
	events chan qrscan.Event
}

func newRig(t *testing.T, opt qrscan.Options) *rig {
	t.Helper()
	sim, err := qrscansim.New(t.TempDir(), "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	opt.ReopenMin, opt.ReopenMax = 20*time.Millisecond, 100*time.Millisecond
	sc := qrscan.NewScanner(func() (qrscan.Port, error) { return serialport.Open(sim.Path(), 9600) }, opt)
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{t: t, sim: sim, sc: sc, events: make(chan qrscan.Event, 16)}
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx, r.events) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Run = %v", err)
		}
	})
	r.expect(qrscan.ScannerBack)
	return r
}

func (r *rig) expect(kind qrscan.EventKind) qrscan.Event {
	r.t.Helper()
	select {
	case ev := <-r.events:
		if ev.Kind != kind {
			r.t.Fatalf("event %v (code %q, err %v), want %v", ev.Kind, ev.Code.Data, ev.Err, kind)
		}
		return ev
	case <-time.After(10 * time.Second):
		r.t.Fatalf("no event %v", kind)
	}
	return qrscan.Event{}
}

func TestScanFaults(t *testing.T) {
	const receipt = "GK1:R:0190f5e6-0000-7000-8000-000000000001"
	tests := []struct {
		name, data string
		how        qrscansim.How
		sym        string
	}{
		{"CR", receipt, qrscansim.How{}, ""},
		{"CR LF with AIM", receipt, qrscansim.How{Suffix: "\r\n", AIM: "]Q1"}, "QR"},
		{"split writes with pauses", receipt, qrscansim.How{Pieces: 4, Pause: 20 * time.Millisecond}, ""},
		{"GB18030 Chinese", "幸福湾社区 预约 2026-11-27 09:30", qrscansim.How{GB18030: true, AIM: "]Q1"}, "QR"},
		{"EAN-13", "6901234567892", qrscansim.How{AIM: "]E0"}, "EAN-13"},
		// Last: once a code came without a suffix, the short idle gap ends
		// codes, and a loaded machine's pause inside a later one would cut it.
		{"no suffix", receipt, qrscansim.How{NoSuffix: true}, ""},
	}
	r := newRig(t, qrscan.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.sim.Scan(tc.data, tc.how); err != nil {
				t.Fatal(err)
			}
			ev := r.expect(qrscan.CodeRead)
			if ev.Code.Data != tc.data || ev.Code.Symbology != tc.sym {
				t.Fatalf("read %q (%s), want %q (%s)", ev.Code.Data, ev.Code.Symbology, tc.data, tc.sym)
			}
		})
	}
}

// A scanner whose suffix is known is never cut by a pause inside a code,
// however long: the emulator's line pauses 4× the idle gap between the
// pieces of a signed code's length, as a USB bridge or a loaded machine
// may. The pause is a floor (a sleep), so a loaded machine only makes it
// longer, never the test's outcome different.
func TestPauseInsideACodeWithASuffix(t *testing.T) {
	long := "GK1:A:" + strings.Repeat("eyJ2IjoxLCJzdGF0aW9uIjoiMTQxMDI5LXhmdy0wMSJ9", 8)
	paused := qrscansim.How{AIM: "]Q1", Pieces: 5, Pause: 320 * time.Millisecond}
	t.Run("configured", func(t *testing.T) {
		r := newRig(t, qrscan.Options{Ending: qrscan.EndSuffix})
		r.sim.Scan(long, paused)
		if ev := r.expect(qrscan.CodeRead); ev.Code.Data != long {
			t.Fatalf("read %d bytes %.30q…, want the whole %d", len(ev.Code.Data), ev.Code.Data, len(long))
		}
	})
	t.Run("learned", func(t *testing.T) {
		r := newRig(t, qrscan.Options{})
		r.sim.Scan("GK1:R:first", qrscansim.How{Suffix: "\r\n"})
		if ev := r.expect(qrscan.CodeRead); ev.Code.Data != "GK1:R:first" {
			t.Fatalf("first code %q", ev.Code.Data)
		}
		r.sim.Scan(long, paused)
		if ev := r.expect(qrscan.CodeRead); ev.Code.Data != long {
			t.Fatalf("read %d bytes %.30q…, want the whole %d", len(ev.Code.Data), ev.Code.Data, len(long))
		}
		r.sim.Scan("GK1:R:third", qrscansim.How{Suffix: "\r\n"})
		if ev := r.expect(qrscan.CodeRead); ev.Code.Data != "GK1:R:third" {
			t.Fatalf("code after the long one %q", ev.Code.Data)
		}
	})
}

// A scanner without a suffix whose code held a CR teaches the framer a
// suffix it does not send; the stale gap ends the code that waits for
// it and the idle gap ends codes again, so no code is held back or
// merged with the next.
func TestWrongLessonIsUnlearned(t *testing.T) {
	r := newRig(t, qrscan.Options{StaleGap: 300 * time.Millisecond})
	r.sim.Scan("ab\rcd", qrscansim.How{NoSuffix: true})
	for _, want := range []string{"ab", "cd"} {
		if ev := r.expect(qrscan.CodeRead); ev.Code.Data != want {
			t.Fatalf("code %q, want %q", ev.Code.Data, want)
		}
	}
	r.sim.Scan("next", qrscansim.How{NoSuffix: true})
	if ev := r.expect(qrscan.CodeRead); ev.Code.Data != "next" {
		t.Fatalf("code after unlearning %q", ev.Code.Data)
	}
}

func TestNoiseDoesNotSpoilTheNextCode(t *testing.T) {
	r := newRig(t, qrscan.Options{})
	r.sim.Send([]byte{0x00, 0xFF, 0x13, 0x88}) // line noise, no terminator
	noise := r.expect(qrscan.CodeRead)         // ended by the idle gap
	if strings.Contains(noise.Code.Data, "GK1") {
		t.Fatalf("noise = %q", noise.Code.Data)
	}
	r.sim.Scan("GK1:R:abc", qrscansim.How{})
	if ev := r.expect(qrscan.CodeRead); ev.Code.Data != "GK1:R:abc" {
		t.Fatalf("code after noise = %q", ev.Code.Data)
	}
}

func TestStuckScannerIsBounded(t *testing.T) {
	r := newRig(t, qrscan.Options{MaxLen: 512})
	r.sim.Send([]byte(strings.Repeat("7", 4000) + "\r"))
	r.expect(qrscan.CodeTooLong)
	r.sim.Scan("after", qrscansim.How{})
	if ev := r.expect(qrscan.CodeRead); ev.Code.Data != "after" {
		t.Fatalf("code after a stuck burst = %q", ev.Code.Data)
	}
}

func TestUnplugReplug(t *testing.T) {
	r := newRig(t, qrscan.Options{})
	r.sim.Unplug()
	if ev := r.expect(qrscan.ScannerLost); ev.Err == nil {
		t.Fatal("lost without a reason")
	}
	r.sim.Replug()
	r.expect(qrscan.ScannerBack)
	r.sim.Scan("back", qrscansim.How{})
	if ev := r.expect(qrscan.CodeRead); ev.Code.Data != "back" {
		t.Fatalf("after replug: %q", ev.Code.Data)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 3 {
		func() {
			sim, _ := qrscansim.New(t.TempDir(), "scanner", 0)
			defer sim.Close()
			sc := qrscan.NewScanner(func() (qrscan.Port, error) { return serialport.Open(sim.Path(), 9600) }, qrscan.Options{})
			ctx, cancel := context.WithCancel(context.Background())
			events := make(chan qrscan.Event, 8)
			done := make(chan error)
			go func() { done <- sc.Run(ctx, events) }()
			sim.Scan("x", qrscansim.How{})
			for ev := range events {
				if ev.Kind == qrscan.CodeRead {
					break
				}
			}
			cancel()
			<-done
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after, %d before", n, before)
	}
}

// A command-triggered scanner reads only after the trigger; a window with
// nothing to read ends with the stop command and a ReadTimeout.
func TestTrigger(t *testing.T) {
	for _, family := range []string{"honeywell", "gm65"} {
		t.Run(family, func(t *testing.T) {
			r := newRig(t, qrscan.Options{Trigger: family, ReadWindow: 300 * time.Millisecond})
			r.sim.Arm("GK1:R:0190f5e6-0000-7000-8000-000000000001", qrscansim.How{AIM: "]Q1"})
			select {
			case ev := <-r.events:
				t.Fatalf("event %v before any trigger", ev.Kind)
			case <-time.After(300 * time.Millisecond):
			}
			if err := r.sc.Trigger(); err != nil {
				t.Fatal(err)
			}
			if ev := r.expect(qrscan.CodeRead); ev.Code.Symbology != "QR" {
				t.Fatalf("triggered read: %+v", ev.Code)
			}
			if !bytes.Equal(r.sim.Received(), qrscan.TriggerCommand(family, true)) {
				t.Fatalf("scanner received % x", r.sim.Received())
			}
			// Nothing in front of the scanner: the window closes.
			r.sc.Trigger()
			ev := r.expect(qrscan.ReadTimeout)
			if ev.Err == nil || !strings.Contains(ev.Err.Error(), "no code within 300ms") {
				t.Fatalf("timeout: %v", ev.Err)
			}
			want := append(bytes.Repeat(qrscan.TriggerCommand(family, true), 2), qrscan.TriggerCommand(family, false)...)
			waitUntil(t, func() bool { return bytes.Equal(r.sim.Received(), want) })
			if r.sim.Triggers() != 2 {
				t.Fatalf("emulator saw %d triggers", r.sim.Triggers())
			}
		})
	}
	sc := qrscan.NewScanner(nil, qrscan.Options{})
	if err := sc.Trigger(); err == nil || !strings.Contains(err.Error(), "want honeywell or gm65") {
		t.Fatalf("trigger without a command set: %v", err)
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// countingPort counts the reads a scanner makes of its port.
type countingPort struct {
	*serialport.Port
	reads atomic.Int32
}

func (c *countingPort) Read(b []byte) (int, error) {
	c.reads.Add(1)
	return c.Port.Read(b)
}

func (c *countingPort) ReadWait(b []byte, d time.Duration) (int, error) {
	c.reads.Add(1)
	return c.Port.ReadWait(b, d)
}

// An idle scanner's line waits IdleWait, not the port's poll interval,
// between reads; a code, a trigger and the end of Run still come at once
// (here IdleWait is an hour).
func TestIdleWait(t *testing.T) {
	sim, err := qrscansim.New(t.TempDir(), "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	var port atomic.Pointer[countingPort]
	sc := qrscan.NewScanner(func() (qrscan.Port, error) {
		p, err := serialport.Open(sim.Path(), 9600)
		if err != nil {
			return nil, err
		}
		c := &countingPort{Port: p}
		port.Store(c)
		return c, nil
	}, qrscan.Options{Trigger: "honeywell", IdleWait: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan qrscan.Event, 8)
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx, events) }()
	r := &rig{t: t, sim: sim, sc: sc, events: events}
	r.expect(qrscan.ScannerBack)

	// However long the scanner is watched, it read a few times at most
	// (the port's poll interval would be a read each 100ms).
	watched := time.Now()
	time.Sleep(500 * time.Millisecond)
	if n, d := port.Load().reads.Load(), time.Since(watched); n > 2 {
		t.Errorf("%d reads of an idle line in %v", n, d)
	}

	sim.Arm("GK1:R:0190f5e6-0000-7000-8000-000000000001", qrscansim.How{})
	if err := sc.Trigger(); err != nil {
		t.Fatal(err)
	}
	if ev := r.expect(qrscan.CodeRead); !strings.HasPrefix(ev.Code.Data, "GK1:R:") {
		t.Fatalf("triggered read: %+v", ev.Code)
	}

	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still waiting on its idle line 10s after ctx ended")
	}
}

package rauc_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
)

const compat = "gridkiosk-amd64"

// setup starts a private bus, a fake RAUC on it and a client.
func setup(t *testing.T, cfg raucsim.Config) (*rauc.Client, *raucsim.Sim, *raucsim.Bus) {
	t.Helper()
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	if cfg.Compatible == "" {
		cfg.Compatible = compat
	}
	sim, err := raucsim.Start(bus.Address, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	c, err := rauc.Dial(t.Context(), bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, sim, bus
}

func bundle(t *testing.T, b raucsim.Bundle) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "update.raucb")
	if err := raucsim.WriteBundle(p, b); err != nil {
		t.Fatal(err)
	}
	return p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestInstallWritesTheOtherSlot(t *testing.T) {
	c, sim, _ := setup(t, raucsim.Config{BootedVersion: "2026.12.1.100000"})
	ctx := ctxT(t)
	src := bundle(t, raucsim.Bundle{Compatible: compat, Version: "2026.12.7.140500+g61892aa"})
	var mu sync.Mutex
	var seen []int
	err := c.Install(ctx, src, rauc.InstallOptions{}, func(p rauc.Progress) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, p.Percent)
	})
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	mu.Lock()
	if !slices.Contains(seen, 100) || !slices.IsSorted(seen) {
		t.Errorf("progress seen %v, want rising to 100", seen)
	}
	mu.Unlock()
	if got := sim.Installs(); len(got) != 1 || got[0] != src {
		t.Errorf("sim installed %v, want [%s]", got, src)
	}
	slots, err := c.SlotStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 2 {
		t.Fatalf("slots %+v, want 2", slots)
	}
	a, b := slots[0], slots[1]
	if a.Name != "rootfs.0" || a.Bootname != "A" || !a.Booted() || a.BundleVersion != "2026.12.1.100000" || a.BootStatus != "good" {
		t.Errorf("slot A = %+v", a)
	}
	if b.Name != "rootfs.1" || b.Bootname != "B" || b.State != "active" || b.BundleVersion != "2026.12.7.140500+g61892aa" ||
		b.BundleCompatible != compat || b.Status != "ok" || b.InstalledAt == "" {
		t.Errorf("slot B = %+v", b)
	}
	if p, err := c.Primary(ctx); err != nil || p != "rootfs.1" {
		t.Errorf("Primary = %q, %v; want rootfs.1", p, err)
	}
	if le, err := c.LastError(ctx); err != nil || le != "" {
		t.Errorf("LastError = %q, %v; want empty", le, err)
	}
	if op, err := c.Operation(ctx); err != nil || op != "idle" {
		t.Errorf("Operation = %q, %v; want idle", op, err)
	}
}

func TestInstallRefusalsCarryRAUCsMessage(t *testing.T) {
	c, _, _ := setup(t, raucsim.Config{})
	ctx := ctxT(t)
	for _, tt := range []struct {
		name string
		b    raucsim.Bundle
		want string
	}{
		{"tampered", raucsim.Bundle{Compatible: compat, Version: "2", Signature: raucsim.SigBad}, "signature verification failed"},
		{"other key", raucsim.Bundle{Compatible: compat, Version: "2", Signature: raucsim.SigUntrusted}, "unable to get local issuer certificate"},
		{"unsigned", raucsim.Bundle{Compatible: compat, Version: "2", Signature: raucsim.SigNone}, "Signature size"},
		{"wrong arch", raucsim.Bundle{Compatible: "gridkiosk-arm64", Version: "2"},
			"Compatible mismatch: Expected 'gridkiosk-amd64' but bundle manifest has 'gridkiosk-arm64'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := bundle(t, tt.b)
			err := c.Install(ctx, src, rauc.InstallOptions{}, nil)
			var ie *rauc.InstallError
			if !errors.As(err, &ie) || ie.Result == 0 || !strings.Contains(ie.Message, tt.want) {
				t.Fatalf("Install = %v, want an InstallError with %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "rauc: install "+src+": ") {
				t.Errorf("error %q does not say what failed", err)
			}
			if le, _ := c.LastError(ctx); !strings.Contains(le, tt.want) {
				t.Errorf("LastError = %q, want %q", le, tt.want)
			}
		})
	}
	t.Run("ignore compatible is sent", func(t *testing.T) {
		src := bundle(t, raucsim.Bundle{Compatible: "gridkiosk-arm64", Version: "2"})
		if err := c.Install(ctx, src, rauc.InstallOptions{IgnoreCompatible: true}, nil); err != nil {
			t.Fatalf("Install with ignore-compatible: %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		err := c.Install(ctx, filepath.Join(t.TempDir(), "none.raucb"), rauc.InstallOptions{}, nil)
		if err == nil || !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("Install = %v, want no such file", err)
		}
	})
}

func TestSecondInstallWhileBusyIsRefused(t *testing.T) {
	c, sim, _ := setup(t, raucsim.Config{})
	ctx := ctxT(t)
	held := sim.Hold()
	src := bundle(t, raucsim.Bundle{Compatible: compat, Version: "2"})
	first := make(chan error, 1)
	go func() { first <- c.Install(ctx, src, rauc.InstallOptions{}, nil) }()
	<-held
	if op, err := c.Operation(ctx); err != nil || op != "installing" {
		t.Errorf("Operation while held = %q, %v", op, err)
	}
	err := c.InstallBundle(ctx, src, rauc.InstallOptions{})
	var re *rauc.RAUCError
	if !errors.As(err, &re) || !strings.Contains(re.Message, "Already processing") {
		t.Errorf("second InstallBundle = %v, want RAUC's Already processing", err)
	}
	sim.Release()
	if err := <-first; err != nil {
		t.Errorf("first install: %v", err)
	}
}

func TestInstallReturnsWhenContextEnds(t *testing.T) {
	c, sim, _ := setup(t, raucsim.Config{})
	held := sim.Hold()
	ctx, cancel := context.WithCancel(t.Context())
	src := bundle(t, raucsim.Bundle{Compatible: compat, Version: "2"})
	done := make(chan error, 1)
	go func() { done <- c.Install(ctx, src, rauc.InstallOptions{}, nil) }()
	<-held
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Install after cancel = %v, want context.Canceled", err)
	}
	sim.Release()
}

func TestCompletedChannel(t *testing.T) {
	c, sim, _ := setup(t, raucsim.Config{})
	ctx, cancel := context.WithCancel(ctxT(t))
	ch, err := c.Completed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sim.FailNext("Failed writing slot rootfs.1: No space left on device")
	if err := c.InstallBundle(ctx, bundle(t, raucsim.Bundle{Compatible: compat, Version: "2"}), rauc.InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := <-ch; r == 0 {
		t.Errorf("Completed = 0 for a failed install")
	}
	if le, _ := c.LastError(ctx); !strings.Contains(le, "No space left") {
		t.Errorf("LastError = %q", le)
	}
	cancel()
	for range ch {
	}
}

func TestInfoMarkAndProperties(t *testing.T) {
	c, sim, _ := setup(t, raucsim.Config{Booted: "B", BootStatus: "bad", BootedVersion: "1.0"})
	ctx := ctxT(t)
	comp, ver, err := c.Info(ctx, bundle(t, raucsim.Bundle{Compatible: compat, Version: "2026.12.7.1"}))
	if err != nil || comp != compat || ver != "2026.12.7.1" {
		t.Errorf("Info = %q %q %v", comp, ver, err)
	}
	if _, _, err := c.Info(ctx, bundle(t, raucsim.Bundle{Compatible: compat, Version: "2", Signature: raucsim.SigBad})); err == nil ||
		!strings.Contains(err.Error(), "signature verification failed") || !strings.HasPrefix(err.Error(), "rauc: info ") {
		t.Errorf("Info of a tampered bundle = %v", err)
	}
	if bs, err := c.BootSlot(ctx); err != nil || bs != "B" {
		t.Errorf("BootSlot = %q, %v", bs, err)
	}
	if cp, err := c.Compatible(ctx); err != nil || cp != compat {
		t.Errorf("Compatible = %q, %v", cp, err)
	}
	if p, err := c.Progress(ctx); err != nil || p.Percent != 0 {
		t.Errorf("Progress = %+v, %v", p, err)
	}
	slots, _ := c.SlotStatus(ctx)
	if slots[1].BootStatus != "bad" || !slots[1].Booted() {
		t.Fatalf("booted slot B = %+v, want booted and bad", slots[1])
	}
	name, msg, err := c.Mark(ctx, "good", "booted")
	if err != nil || name != "rootfs.1" || !strings.Contains(msg, "marked slot rootfs.1 as good") {
		t.Errorf("Mark good booted = %q %q %v", name, msg, err)
	}
	slots, _ = c.SlotStatus(ctx)
	if slots[1].BootStatus != "good" {
		t.Errorf("after mark-good, slot B = %+v", slots[1])
	}
	if _, _, err := c.Mark(ctx, "bad", "rootfs.7"); err == nil || !strings.Contains(err.Error(), "rootfs.7") {
		t.Errorf("Mark of an unknown slot = %v", err)
	}
	if got := sim.Marks(); !slices.Equal(got, []string{"good rootfs.1"}) {
		t.Errorf("marks = %v", got)
	}
}

func TestNoRAUCOnTheBus(t *testing.T) {
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	c, err := rauc.Dial(t.Context(), bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.BootSlot(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "not on the bus") {
		t.Errorf("BootSlot without RAUC = %v, want it to say RAUC is not on the bus", err)
	}
}

// The client outlives the context it was dialled with: the station dials
// under a 5 s timeout and installs hours later.
func TestClientOutlivesTheDialContext(t *testing.T) {
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	sim, err := raucsim.Start(bus.Address, raucsim.Config{Compatible: compat})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	c, err := rauc.Dial(dctx, bus.Address)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// godbus closed a connection tied to a context in a goroutine of its
	// own; a round trip after the cancel would race it, so each call is
	// tried after the one before has come back.
	for i := range 3 {
		if _, err := c.BootSlot(ctxT(t)); err != nil {
			t.Fatalf("call %d after the dial's context ended: %v", i, err)
		}
	}
	p := bundle(t, raucsim.Bundle{Compatible: compat, Version: "2026.12.7.1"})
	if err := c.Install(ctxT(t), p, rauc.InstallOptions{}, nil); err != nil {
		t.Errorf("install after the dial's context ended: %v", err)
	}
}

func TestDialGivesUpWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	// A bus address nobody listens on: the dial may fail by itself or
	// with the context; either way it says it is the connect that failed.
	_, err := rauc.Dial(ctx, "unix:path="+filepath.Join(t.TempDir(), "none"))
	if err == nil || !strings.Contains(err.Error(), "rauc: connect to D-Bus") {
		t.Errorf("Dial = %v", err)
	}
}

package appliance_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The station's update manager: its slot and state in the health report,
// and a technician's bundle held while a resident's registration is open,
// installed and rebooted into once it is not.
func TestUpdateWaitsForTheResident(t *testing.T) {
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	const running, newer = "2026.12.1.100000+gaaaaaaa", "2026.12.7.140500+g61892aa"
	sim, err := raucsim.Start(bus.Address, raucsim.Config{Compatible: "gridkiosk-" + runtime.GOARCH, Booted: "B", BootedVersion: running})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	client, err := rauc.Dial(t.Context(), bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent) // no release assigned; nothing else is asked here
	}))
	t.Cleanup(hub.Close)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), hub.URL, tokenFile)
	cfg.Update.VersionFile = filepath.Join(dir, "system-version")
	os.WriteFile(cfg.Update.VersionFile, []byte(running+"\n"), 0o644)
	cfg.Update.USBRoot = ""
	rebooted := make(chan struct{}, 1)
	st := runStation(t, appliance.Options{Config: cfg, RAUC: client, Reboot: func(context.Context) error {
		rebooted <- struct{}{}
		return nil
	}})
	waitUntil(t, "the booted slot", func() bool { return st.Update().Slot == "B" })
	if u := st.HealthReport().Update; u == nil || u.Slot != "B" || u.State != wire.UpdateIdle || u.Check() != nil {
		t.Fatalf("health report's update part: %+v", u)
	}
	if h := st.Health(); h.Update == nil || h.Update.Version != running {
		t.Errorf("/healthz update: %+v", h.Update)
	}
	if !st.Idle() {
		t.Fatal("a station nobody uses is not idle")
	}
	if err := st.StartManual("王秀兰", "14102919520317122X"); err != nil {
		t.Fatal(err)
	}
	if st.Idle() {
		t.Fatal("idle while a resident registers")
	}
	bundle := filepath.Join(dir, "new.raucb")
	if err := raucsim.WriteBundle(bundle, raucsim.Bundle{Compatible: "gridkiosk-" + runtime.GOARCH, Version: newer}); err != nil {
		t.Fatal(err)
	}
	if err := st.InstallUpdate(t.Context(), station.UpdateInstall{Path: bundle}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the held install", func() bool { u := st.Update(); return u.State == wire.UpdateWaiting && u.Busy })
	if got := sim.Installs(); len(got) != 0 {
		t.Fatalf("installed %v during a registration", got)
	}
	st.CancelSession()
	select {
	case <-rebooted:
	case <-time.After(time.Minute):
		t.Fatalf("no reboot; update %+v", st.Update())
	}
	if got := sim.Installs(); len(got) != 1 || got[0] != bundle {
		t.Errorf("installs %v", got)
	}
	err = st.InstallUpdate(t.Context(), station.UpdateInstall{Path: bundle})
	if _, ok := err.(*station.UpdateRefused); !ok {
		t.Errorf("a second install before the reboot: %v", err)
	}
}

// The whole way against the county's real hub: a release assigned to the
// station is offered, downloaded with the hub's ranges and ETag, checked,
// installed by RAUC over D-Bus inside the window and rebooted into; the
// hub hears each state in the health reports.
func TestUpdateFromTheRealHub(t *testing.T) {
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	const running, newer = "2026.12.1.100000+gaaaaaaa", "2026.12.7.140500+g61892aa"
	compat := "gridkiosk-" + runtime.GOARCH
	sim, err := raucsim.Start(bus.Address, raucsim.Config{Compatible: compat, BootedVersion: running})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	client, err := rauc.Dial(t.Context(), bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })

	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bundle := raucsim.Bundle{Compatible: compat, Version: newer, Pad: 700 << 10}.Encode()
	path, err := hub.ReleasePath(filepath.Join(dir, "releases"), newer, runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bundle)
	if err := store.PutRelease(hub.Release{Version: newer, Arch: runtime.GOARCH, Size: int64(len(bundle)),
		SHA256: hex.EncodeToString(sum[:]), Path: path, AddedAt: time.Now(), AddedBy: "test"}, false); err != nil {
		t.Fatal(err)
	}
	if err := store.Assign(hub.Assignment{Target: hub.Target{Station: demo.StationID}, Version: newer, By: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok-0123456789abcdef": demo.StationID}, Log: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(h.Handler())
	t.Cleanup(ts.Close)

	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)
	cfg.Update.VersionFile = filepath.Join(dir, "system-version")
	os.WriteFile(cfg.Update.VersionFile, []byte(running+"\n"), 0o644)
	cfg.Update.USBRoot = ""
	// A window around now, so the release goes now.
	now := time.Now()
	cfg.Update.Window = now.Add(-time.Hour).Format("15:04") + "-" + now.Add(time.Hour).Format("15:04")
	rebooted := make(chan struct{}, 1)
	st := runStation(t, appliance.Options{Config: cfg, RAUC: client, Version: "9.9.9",
		Reboot: func(context.Context) error { rebooted <- struct{}{}; return nil },
		HealthTiming: func(r *upstream.Reporter) {
			r.StartJitter = time.Millisecond
		}})
	select {
	case <-rebooted:
	case <-time.After(2 * time.Minute):
		t.Fatalf("no reboot; update %+v", st.Update())
	}
	if got := sim.Installs(); len(got) != 1 || filepath.Base(got[0]) != newer+"-"+runtime.GOARCH+".raucb" {
		t.Errorf("RAUC installed %v", got)
	}
	if u := st.Update(); u.State != wire.UpdateRebooting || u.Pending != newer || u.Reason != "ok" {
		t.Errorf("station's update state %+v", u)
	}
	// Told before the reboot, not at the reporter's next interval (5 min).
	waitUntil(t, "the hub to hear the reboot is coming", func() bool {
		all, err := store.HealthHistory(demo.StationID, 0)
		return err == nil && len(all) > 0 && all[0].Report.Update != nil && all[0].Report.Update.State == wire.UpdateRebooting
	})
}

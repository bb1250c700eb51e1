package update_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func osWriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func nextNight() time.Time { return time.Date(2026, 12, 8, 2, 0, 0, 0, shanghai) }

// The whole way: the hub offers a newer release, the station downloads
// it, waits for the window, has RAUC install it over the private bus and
// reboots; the health report says each step.
func TestHappyPathHubToReboot(t *testing.T) {
	r := newRig(t, rigOptions{preStart: func(r *rig) {
		r.hub.release(newer, bundleBytes(newer, raucsim.SigGood, 300<<10))
	}})
	st := r.waitState(wire.UpdateWaiting)
	if st.Pending != newer || st.Source != update.SourceHub || st.Slot != "A" || st.Version != running {
		t.Errorf("waiting status %+v", st)
	}
	if got := r.sim.Installs(); len(got) != 0 {
		t.Fatalf("installed %v outside the window", got)
	}
	// Nothing until the window opens at 02:00.
	r.settle(nextNight())
	r.clock.AdvanceTo(nextNight())
	r.waitReboot()
	st = r.m.Status()
	if st.State != wire.UpdateRebooting || st.Pending != newer || st.Reason != update.ReasonOK {
		t.Errorf("after install: %+v", st)
	}
	want := []string{wire.UpdateIdle, wire.UpdateDownloading, wire.UpdateWaiting, wire.UpdateInstalling, wire.UpdateRebooting}
	if got := r.seen(); !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	installs := r.sim.Installs()
	if len(installs) != 1 || filepath.Base(installs[0]) != newer+"-amd64.raucb" {
		t.Errorf("RAUC installed %v", installs)
	}
	h := st.Health()
	if err := h.Check(); err != nil || h.Slot != "A" || h.State != wire.UpdateRebooting || h.Pending != newer {
		t.Errorf("health %+v: %v", h, err)
	}
	// The bundle is gone from the data partition once in the slot.
	if left, _ := filepath.Glob(filepath.Join(r.dir, "update", "*.raucb*")); len(left) != 0 {
		t.Errorf("left on the data partition: %v", left)
	}
}

// A resident's session holds the install; once the kiosk is idle it
// goes. A technician's bundle reboots without waiting for the window.
func TestIdleGating(t *testing.T) {
	for _, tt := range []struct {
		name string
		tell bool // the session's end is told (else found by the recheck)
	}{{"session ends", true}, {"session times out", false}} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{noHub: true, busy: true})
			path := filepath.Join(t.TempDir(), "b.raucb")
			writeFile(t, path, bundleBytes(newer, raucsim.SigGood, 0))
			if err := r.m.Install(t.Context(), update.InstallRequest{Path: path}); err != nil {
				t.Fatal(err)
			}
			st := r.waitState(wire.UpdateWaiting)
			if !st.Busy || st.Source != update.SourceConsole {
				t.Errorf("status %+v, want busy, from the console", st)
			}
			r.settle(afternoon.Add(30 * time.Second))
			if got := r.sim.Installs(); len(got) != 0 {
				t.Fatalf("installed %v while a resident used the kiosk", got)
			}
			r.kiosk.set(false, tt.tell)
			if !tt.tell {
				r.clock.Advance(30 * time.Second)
			}
			r.waitReboot()
			if got := r.sim.Installs(); !slices.Equal(got, []string{path}) {
				t.Errorf("installs %v", got)
			}
			// 14:00: outside the window, and still rebooted.
			if !r.clock.Now().Before(afternoon.Add(time.Minute)) {
				t.Errorf("rebooted at %s", r.clock.Now())
			}
		})
	}
	t.Run("forced", func(t *testing.T) {
		r := newRig(t, rigOptions{noHub: true, busy: true})
		path := filepath.Join(t.TempDir(), "b.raucb")
		writeFile(t, path, bundleBytes(newer, raucsim.SigGood, 0))
		if err := r.m.Install(t.Context(), update.InstallRequest{Path: path, Force: true}); err != nil {
			t.Fatal(err)
		}
		r.waitReboot()
	})
}

// A hub update installed in the window still waits for an idle kiosk,
// and its download stops while a resident is there.
func TestHubUpdateWaitsForIdleInTheWindow(t *testing.T) {
	r := newRig(t, rigOptions{busy: true, preStart: func(r *rig) {
		r.hub.release(newer, bundleBytes(newer, raucsim.SigGood, 0))
	}})
	r.waitState(wire.UpdateDownloading)
	r.settle(afternoon.Add(30 * time.Second))
	if got := r.hub.bundleRanges(); len(got) != 0 {
		t.Fatalf("downloaded while busy: %v", got)
	}
	r.kiosk.set(false, true)
	r.waitState(wire.UpdateWaiting)
	r.kiosk.set(true, true)
	r.clock.AdvanceTo(nextNight())
	r.settle(nextNight().Add(30 * time.Second))
	if got := r.sim.Installs(); len(got) != 0 {
		t.Fatalf("installed while busy: %v", got)
	}
	r.kiosk.set(false, true)
	r.waitReboot()
}

// The window closes before the kiosk is idle: the installed update
// waits for the next night.
func TestRebootOnlyInTheWindow(t *testing.T) {
	r := newRig(t, rigOptions{preStart: func(r *rig) {
		r.hub.release(newer, bundleBytes(newer, raucsim.SigGood, 0))
	}})
	r.waitState(wire.UpdateWaiting)
	// Installed at 04:59, the window ends before the reboot is allowed:
	// a resident is there.
	r.settle(nextNight())
	r.sim.Hold()
	r.clock.AdvanceTo(nextNight().Add(2*time.Hour + 59*time.Minute))
	r.waitState(wire.UpdateInstalling)
	r.kiosk.set(true, false)
	r.sim.Release()
	r.waitState(wire.UpdateRebooting)
	r.clock.Advance(2 * time.Minute) // 05:01
	r.kiosk.set(false, true)
	next := time.Date(2026, 12, 9, 2, 0, 0, 0, shanghai)
	r.settle(next)
	if n := r.reboots.Load(); n != 0 {
		t.Fatalf("rebooted at %s, outside the window", r.clock.Now())
	}
	r.clock.AdvanceTo(next)
	r.waitReboot()
}

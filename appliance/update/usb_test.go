package update_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// A stick with gridkiosk/update/*.raucb is found within a poll; the
// newest newer bundle on it is installed as a technician's, an older one
// is refused and said so.
func TestUSBStick(t *testing.T) {
	root := t.TempDir()
	r := newRig(t, rigOptions{noHub: true, usbRoot: root})
	r.settle(afternoon.Add(3 * time.Second))
	stick := filepath.Join(root, "KINGSTON", "gridkiosk", "update")
	writeFile(t, filepath.Join(stick, "old.raucb"), bundleBytes(older, raucsim.SigGood, 0))
	r.clock.Advance(3 * time.Second)
	st := r.wait("the old bundle's refusal", func(s update.Status) bool { return s.Reason == update.ReasonOlder })
	if !strings.Contains(st.Last, "old.raucb") {
		t.Errorf("status %+v", st)
	}
	// Looked at once: the next polls do not say it again.
	r.settle(afternoon.Add(6 * time.Second))
	at := st.LastAt
	r.clock.Advance(3 * time.Second)
	r.settle(afternoon.Add(9 * time.Second))
	if st := r.m.Status(); !st.LastAt.Equal(*at) {
		t.Errorf("the old bundle was refused again: %+v", st)
	}
	r.kiosk.set(true, true)
	mid := filepath.Join(stick, "mid.raucb")
	writeFile(t, mid, bundleBytes("2026.12.5.1", raucsim.SigGood, 0))
	newest := filepath.Join(stick, "new.raucb")
	writeFile(t, newest, bundleBytes(newer, raucsim.SigGood, 0))
	r.clock.Advance(3 * time.Second)
	st = r.waitState(wire.UpdateWaiting)
	if st.Pending != newer || st.Source != update.SourceUSB {
		t.Errorf("status %+v", st)
	}
	r.kiosk.set(false, true)
	r.waitReboot()
	if got := r.sim.Installs(); !slices.Equal(got, []string{newest}) {
		t.Errorf("installed %v", got)
	}
	// The bundle stays on the stick: it is the technician's.
	if _, err := os.Stat(newest); err != nil {
		t.Error(err)
	}
}

// After the reboot: the new version runs on trial until the image's
// trial unit marks its slot good; a station back on the old version says
// it rolled back.
func TestAfterTheReboot(t *testing.T) {
	t.Run("trial then good", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "update", "state.json"), []byte(`{"installed":"`+newer+`","from":"`+running+`","rebooted":true}`))
		r := newRig(t, rigOptions{dir: dir, noHub: true, sim: raucsim.Config{Booted: "B", BootedVersion: newer, BootStatus: "bad"}})
		st := r.waitState(wire.UpdateTrial)
		if st.Slot != "B" || st.Version != newer || st.Pending != newer {
			t.Errorf("trial status %+v", st)
		}
		if h := st.Health(); h.State != wire.UpdateTrial || h.Check() != nil {
			t.Errorf("health %+v", h)
		}
		r.settle(afternoon.Add(30 * time.Second))
		// What gridkiosk-trial.service does once the station is healthy.
		r.markGood()
		r.clock.Advance(30 * time.Second)
		// Wait for the trial's end as the station tells it, not for the
		// state alone: idle can be seen before its reason (a clean
		// clone's make test did).
		st = r.wait("the trial's end", func(s update.Status) bool {
			return s.State == wire.UpdateIdle && s.Reason == update.ReasonOK
		})
		if !strings.Contains(st.Last, "ok "+newer) {
			t.Errorf("after mark-good: %+v", st)
		}
	})
	t.Run("rolled back", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "update", "state.json"), []byte(`{"installed":"`+newer+`","from":"`+running+`","rebooted":true}`))
		r := newRig(t, rigOptions{dir: dir, noHub: true})
		st := r.wait("the rollback", func(s update.Status) bool { return s.Reason == update.ReasonRolledBack })
		if st.State != wire.UpdateFailed || !strings.Contains(st.Last, newer+" did not come up healthy; back on "+running) {
			t.Errorf("status %+v", st)
		}
		// Said once: the next start does not say it again.
		r.stop()
		r2 := newRig(t, rigOptions{dir: dir, noHub: true})
		r2.settle(afternoon.Add(time.Hour))
		if st := r2.m.Status(); st.State != wire.UpdateIdle || st.Reason != update.ReasonRolledBack {
			t.Errorf("after a restart: %+v", st)
		}
	})
}

// A station restarted after the install but before its reboot still
// reboots into the update in the window.
func TestRestartBeforeTheReboot(t *testing.T) {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatalf("no boot ID: %v", err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "update", "state.json"),
		[]byte(`{"installed":"`+newer+`","from":"`+running+`","boot":"`+strings.TrimSpace(string(boot))+`"}`))
	r := newRig(t, rigOptions{dir: dir, noHub: true})
	st := r.waitState(wire.UpdateRebooting)
	if st.Pending != newer {
		t.Errorf("status %+v", st)
	}
	r.settle(nextNight())
	r.clock.AdvanceTo(nextNight())
	r.waitReboot()
}

// A hub release that rolled back is not installed again while the hub
// still offers it (the same bundle): otherwise the station would install,
// reboot and roll back at every check. A new bundle is fetched.
func TestRolledBackNotOfferedAgain(t *testing.T) {
	bad := bundleBytes(newer, raucsim.SigGood, 1000)
	sum := sha256.Sum256(bad)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "update", "state.json"), []byte(`{"installed":"`+newer+`","from":"`+running+
		`","rebooted":true,"installed_sha256":"`+hex.EncodeToString(sum[:])+`"}`))
	r := newRig(t, rigOptions{dir: dir, preStart: func(r *rig) { r.hub.release(newer, bad) }})
	st := r.wait("the rollback", func(s update.Status) bool { return s.Reason == update.ReasonRolledBack })
	if !strings.Contains(st.Last, "not fetched again") {
		t.Errorf("status %+v", st)
	}
	for i := 1; i <= 3; i++ {
		r.settle(afternoon.Add(time.Duration(i) * time.Hour))
		r.clock.Advance(time.Hour)
	}
	r.settle(afternoon.Add(4 * time.Hour))
	if got := r.hub.bundleRanges(); len(got) != 0 {
		t.Errorf("the rolled-back bundle was fetched again: %v", got)
	}
	if st := r.m.Status(); st.Reason != update.ReasonRolledBack || st.Pending != "" {
		t.Errorf("after three checks: %+v", st)
	}
	// The county fixes the release: a new bundle of it is taken.
	r.hub.release(newer, bundleBytes(newer, raucsim.SigGood, 2000))
	r.clock.Advance(time.Hour)
	r.waitState(wire.UpdateWaiting)
}

// CheckNow asks the hub at once, not at the next check_interval.
func TestCheckNow(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.settle(afternoon.Add(time.Hour)) // asked at start: nothing then
	r.hub.release(newer, bundleBytes(newer, raucsim.SigGood, 1000))
	r.m.CheckNow()
	st := r.waitState(wire.UpdateWaiting)
	if st.Pending != newer || !r.clock.Now().Equal(afternoon) {
		t.Errorf("status %+v at %v", st, r.clock.Now())
	}
}

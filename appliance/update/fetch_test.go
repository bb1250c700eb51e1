package update_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// A download broken mid-body resumes with a Range where it stopped; from
// a hub that ignores ranges it starts over. Either way the file is the
// hub's, byte for byte.
func TestDownloadResumes(t *testing.T) {
	const size = 600 << 10
	const cut = 200 << 10
	for _, tt := range []struct {
		name        string
		ignoreRange bool
		wantRange   string
	}{
		{"range honoured", false, "bytes=" + itoa(cut) + "-"},
		{"range ignored", true, "bytes=" + itoa(cut) + "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := bundleBytes(newer, raucsim.SigGood, size)
			r := newRig(t, rigOptions{preStart: func(r *rig) {
				r.hub.release(newer, b)
				r.hub.cutAfter, r.hub.ignoreRange = cut, tt.ignoreRange
			}})
			st := r.wait("the broken download", func(s update.Status) bool { return s.Reason == update.ReasonDownload })
			if st.State != wire.UpdateDownloading || st.Percent < 30 || st.Percent > 40 {
				t.Errorf("after the cut: %+v", st)
			}
			part := filepath.Join(r.dir, "update", newer+"-amd64.raucb.part")
			if fi, err := os.Stat(part); err != nil || fi.Size() != cut {
				t.Fatalf("partial file: %v, %v; want %d bytes", fi, err, cut)
			}
			r.settle(afternoon.Add(30 * time.Second))
			r.clock.Advance(30 * time.Second)
			r.waitState(wire.UpdateWaiting)
			ranges := r.hub.bundleRanges()
			if len(ranges) != 2 || ranges[0] != "" || ranges[1] != tt.wantRange {
				t.Errorf("bundle requests' ranges %q, want [\"\" %q]", ranges, tt.wantRange)
			}
			got, err := os.ReadFile(filepath.Join(r.dir, "update", newer+"-amd64.raucb"))
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("downloaded %d bytes (%v), not the hub's %d", len(got), err, len(b))
			}
			if _, err := os.Stat(part); !os.IsNotExist(err) {
				t.Errorf("the .part file is still there: %v", err)
			}
		})
	}
}

// A download survives a restart of the station: the partial file is
// resumed by the next process from what the last one synced, which a
// power cut can leave shorter than the file (a tail of zeros, ext4's
// unwritten blocks); a partial file with no record of a sync starts over.
func TestDownloadResumesAfterRestart(t *testing.T) {
	b := bundleBytes(newer, raucsim.SigGood, 400<<10)
	for _, tt := range []struct {
		name      string
		part      []byte
		synced    string // the .synced file's text, or none
		wantRange string
	}{
		{"synced", b[:100<<10], "102400\n", "bytes=" + itoa(100<<10) + "-"},
		{"a torn tail", append(slices.Clone(b[:100<<10]), make([]byte, 60<<10)...), "102400\n", "bytes=" + itoa(100<<10) + "-"},
		{"no sync known", b[:100<<10], "", ""},
		{"a garbled record", b[:100<<10], "lots\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			part := filepath.Join(dir, "update", newer+"-amd64.raucb.part")
			writeFile(t, part, tt.part)
			if tt.synced != "" {
				writeFile(t, part+".synced", []byte(tt.synced))
			}
			r := newRig(t, rigOptions{dir: dir, preStart: func(r *rig) { r.hub.release(newer, b) }})
			r.waitState(wire.UpdateWaiting)
			if got := r.hub.bundleRanges(); len(got) != 1 || got[0] != tt.wantRange {
				t.Errorf("ranges %q, want [%q]", got, tt.wantRange)
			}
			got, err := os.ReadFile(filepath.Join(dir, "update", newer+"-amd64.raucb"))
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("downloaded %d bytes (%v), not the hub's %d", len(got), err, len(b))
			}
			for _, f := range []string{part, part + ".synced"} {
				if _, err := os.Stat(f); !os.IsNotExist(err) {
					t.Errorf("%s is still there: %v", filepath.Base(f), err)
				}
			}
		})
	}
}

// A long download is synced as it goes, and what was synced recorded
// beside it: a power cut, which no error path sees, takes back only what
// came after the last sync.
func TestDownloadSyncsAsItGoes(t *testing.T) {
	const size, holdAt = 20 << 20, 17 << 20
	b := bundleBytes(newer, raucsim.SigGood, size)
	held, hold := make(chan struct{}), make(chan struct{})
	r := newRig(t, rigOptions{preStart: func(r *rig) {
		r.hub.release(newer, b)
		r.hub.holdAfter, r.hub.held, r.hub.hold = holdAt, held, hold
	}})
	// Registered after the rig's, so run before them: a failing test
	// lets the hub go on rather than hang its cleanup.
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release)
	<-held
	part := filepath.Join(r.dir, "update", newer+"-amd64.raucb.part")
	var n int64
	deadline := time.Now().Add(time.Minute)
	for n = 0; n < 16<<20; n = syncedOf(t, part) {
		// The station reads what the hub flushed at its own pace.
		if time.Now().After(deadline) {
			t.Fatalf("after %d MiB sent, %d bytes recorded synced", holdAt>>20, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, err := os.ReadFile(part)
	if err != nil || n > int64(len(got)) || n > holdAt || !bytes.Equal(got[:n], b[:n]) {
		t.Fatalf("%d bytes recorded synced; the .part has %d (%v), not the bundle's", n, len(got), err)
	}
	release()
	r.waitState(wire.UpdateWaiting)
	if _, err := os.Stat(part + ".synced"); !os.IsNotExist(err) {
		t.Errorf(".synced is still there: %v", err)
	}
}

// syncedOf reads a .synced record, 0 when there is none yet.
func syncedOf(t *testing.T, part string) int64 {
	t.Helper()
	b, err := os.ReadFile(part + ".synced")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf(".synced holds %q", b)
	}
	return n
}

// Each reason a hub's release is not installed, said in the status.
func TestHubRefusals(t *testing.T) {
	good := bundleBytes(newer, raucsim.SigGood, 1000)
	for _, tt := range []struct {
		name   string
		setup  func(h *hub)
		reason string
		state  string
		says   string
	}{
		{"older", func(h *hub) { h.release(older, bundleBytes(older, raucsim.SigGood, 0)) },
			update.ReasonOlder, wire.UpdateIdle, "older than the running"},
		{"wrong arch", func(h *hub) { h.release(newer, good); h.offer.Arch = "arm64" },
			update.ReasonArch, wire.UpdateFailed, "for arm64"},
		{"size", func(h *hub) { h.release(newer, good); h.offer.Size++ },
			update.ReasonSize, wire.UpdateFailed, "offer said"},
		{"sha256", func(h *hub) { h.release(newer, good); h.offer.SHA256 = strings.Repeat("0", 64) },
			update.ReasonSHA256, wire.UpdateFailed, "SHA-256 mismatch"},
		{"bad signature at install", func(h *hub) { h.release(newer, bundleBytes(newer, raucsim.SigBad, 0)) },
			update.ReasonSignature, wire.UpdateFailed, "signature verification failed"},
		{"other compatible at install", func(h *hub) {
			h.release(newer, raucsim.Bundle{Compatible: "gridkiosk-arm64", Version: newer}.Encode())
		}, update.ReasonArch, wire.UpdateFailed, "Compatible mismatch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{preStart: func(r *rig) { tt.setup(r.hub) }})
			if tt.state == wire.UpdateFailed {
				r.settle(afternoon.Add(time.Hour))
				r.clock.AdvanceTo(nextNight())
			}
			st := r.wait("the refusal", func(s update.Status) bool { return s.Reason == tt.reason })
			if st.State != tt.state || !strings.Contains(st.Last, tt.says) || st.LastAt == nil {
				t.Errorf("status %+v, want state %s saying %q", st, tt.state, tt.says)
			}
			if err := st.Health().Check(); err != nil {
				t.Errorf("health: %v", err)
			}
			if r.reboots.Load() != 0 {
				t.Errorf("rebooted")
			}
			if left, _ := filepath.Glob(filepath.Join(r.dir, "update", "*.raucb*")); len(left) != 0 {
				t.Errorf("refused bundle left on disk: %v", left)
			}
		})
	}
	t.Run("same", func(t *testing.T) {
		r := newRig(t, rigOptions{preStart: func(r *rig) { r.hub.release(running, bundleBytes(running, raucsim.SigGood, 0)) }})
		r.settle(afternoon.Add(time.Hour))
		if st := r.m.Status(); st.State != wire.UpdateIdle || st.Last != "" || len(r.hub.bundleRanges()) != 0 {
			t.Errorf("the running release offered: %+v, bundle asked %v", st, r.hub.bundleRanges())
		}
	})
	t.Run("refused bundle not fetched again", func(t *testing.T) {
		r := newRig(t, rigOptions{preStart: func(r *rig) { r.hub.release(newer, bundleBytes(newer, raucsim.SigBad, 0)) }})
		r.settle(afternoon.Add(time.Hour))
		r.clock.AdvanceTo(nextNight())
		r.wait("the refusal", func(s update.Status) bool { return s.Reason == update.ReasonSignature })
		r.settle(nextNight().Add(time.Hour))
		r.clock.Advance(time.Hour)
		r.settle(nextNight().Add(2 * time.Hour))
		if got := r.hub.bundleRanges(); len(got) != 1 {
			t.Errorf("bundle fetched %d times, want once", len(got))
		}
	})
	t.Run("hub without releases", func(t *testing.T) {
		r := newRig(t, rigOptions{preStart: func(r *rig) { r.hub.status = 404 }})
		r.settle(afternoon.Add(6 * time.Hour))
	})
}

// A full disk is said plainly, the partial file is removed, and the next
// check tries again.
func TestDiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("no /dev/full to fill the disk with: %v", err)
	}
	dir := t.TempDir()
	part := filepath.Join(dir, "update", newer+"-amd64.raucb.part")
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		t.Fatal(err)
	}
	// Every write to the partial file fails with ENOSPC, as on a full
	// data partition.
	if err := os.Symlink("/dev/full", part); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{dir: dir, preStart: func(r *rig) { r.hub.release(newer, bundleBytes(newer, raucsim.SigGood, 1000)) }})
	st := r.wait("disk full", func(s update.Status) bool { return s.Reason == update.ReasonDiskFull })
	if st.State != wire.UpdateFailed || !strings.Contains(st.Last, "disk full") {
		t.Errorf("status %+v", st)
	}
	if _, err := os.Lstat(part); !os.IsNotExist(err) {
		t.Errorf("partial file not removed: %v", err)
	}
	r.settle(afternoon.Add(time.Hour))
	r.clock.Advance(time.Hour)
	r.waitState(wire.UpdateWaiting)
}

// A technician's bundle is refused with RAUC's reason or the version's.
func TestTechnicianRefusals(t *testing.T) {
	r := newRig(t, rigOptions{noHub: true})
	for _, tt := range []struct {
		name   string
		b      raucsim.Bundle
		allow  bool
		reason string
		says   string
	}{
		{"older", raucsim.Bundle{Compatible: compat, Version: older}, false, update.ReasonOlder, "older than the running"},
		{"same", raucsim.Bundle{Compatible: compat, Version: running}, false, update.ReasonSame, "is the running version"},
		{"tampered", raucsim.Bundle{Compatible: compat, Version: newer, Signature: raucsim.SigBad}, false, update.ReasonSignature, "signature verification failed"},
		{"other key", raucsim.Bundle{Compatible: compat, Version: newer, Signature: raucsim.SigUntrusted}, false, update.ReasonSignature, "local issuer"},
		{"unsigned", raucsim.Bundle{Compatible: compat, Version: newer, Signature: raucsim.SigNone}, false, update.ReasonSignature, "Signature size"},
		{"other arch", raucsim.Bundle{Compatible: "gridkiosk-arm64", Version: newer}, false, update.ReasonArch, `"gridkiosk-arm64"`},
		{"older allowed still not another arch", raucsim.Bundle{Compatible: "gridkiosk-arm64", Version: older}, true, update.ReasonArch, "gridkiosk-amd64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "b.raucb")
			writeFile(t, path, tt.b.Encode())
			err := r.m.Install(t.Context(), update.InstallRequest{Path: path, AllowOlder: tt.allow})
			ref, ok := err.(*update.Refusal)
			if !ok || ref.Reason != tt.reason || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("Install = %v, want refusal %s saying %q", err, tt.reason, tt.says)
			}
			if st := r.m.Status(); st.Reason != tt.reason || st.Last != ref.Msg {
				t.Errorf("status %+v", st)
			}
		})
	}
	t.Run("downgrade on purpose", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "b.raucb")
		writeFile(t, path, raucsim.Bundle{Compatible: compat, Version: older}.Encode())
		if err := r.m.Install(t.Context(), update.InstallRequest{Path: path, AllowOlder: true}); err != nil {
			t.Fatal(err)
		}
		r.waitReboot()
	})
	if got := r.sim.Installs(); len(got) != 1 {
		t.Errorf("RAUC was asked to install %v; only the downgrade should have gone", got)
	}
}

// Without RAUC (a developer's machine) installs are refused and say why.
func TestNoRAUC(t *testing.T) {
	r := newRig(t, rigOptions{noHub: true, noRAUC: true})
	path := filepath.Join(t.TempDir(), "b.raucb")
	writeFile(t, path, bundleBytes(newer, raucsim.SigGood, 0))
	err := r.m.Install(t.Context(), update.InstallRequest{Path: path})
	if err == nil || !strings.Contains(err.Error(), "no system bus here") {
		t.Fatalf("Install = %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

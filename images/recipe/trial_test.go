package recipe

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// trialRig runs gridkiosk-trial with a fake rauc and systemctl on PATH
// (their answers are files in fake/, their calls logged to fake/calls), a
// fake /healthz, and a monotonic clock (GK_UPTIME) the test moves.
type trialRig struct {
	t       *testing.T
	fake    string
	dir     string // GK_TRIAL_DIR, on the "data partition"
	health  atomic.Int32
	server  *httptest.Server
	env     []string
	cmd     *exec.Cmd
	out     *lockedBuffer
	done    chan error
	limit   string
	booted  string
	version string
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const fakeRauc = `#!/bin/sh
# rauc, as far as gridkiosk-trial uses it.
case "$*" in
"status --output-format=shell") cat "$FAKE/status" ;;
"status mark-good booted" | "status mark-bad booted") echo "rauc $2" >>"$FAKE/calls" ;;
*) echo "fake rauc: unexpected: $*" >&2; exit 2 ;;
esac
`

const fakeSystemctl = `#!/bin/sh
# systemctl, as far as gridkiosk-trial uses it.
case "$*" in
"is-active gridkiosk.service") printf . >>"$FAKE/polls"; s=$(cat "$FAKE/active"); echo "$s"; [ "$s" = active ] ;;
"show -p ConditionResult --value gridkiosk.service") cat "$FAKE/condition" ;;
"show -p ConditionTimestampMonotonic --value gridkiosk.service") cat "$FAKE/condition-time" ;;
reboot) echo "systemctl reboot" >>"$FAKE/calls" ;;
*) echo "fake systemctl: unexpected: $*" >&2; exit 2 ;;
esac
`

func newTrialRig(t *testing.T, booted, status string) *trialRig {
	t.Helper()
	r := &trialRig{t: t, fake: t.TempDir(), dir: filepath.Join(t.TempDir(), "trial"), booted: booted,
		version: "2026.12.07.053220+gabc"}
	r.health.Store(http.StatusServiceUnavailable)
	r.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(r.health.Load()))
	}))
	t.Cleanup(r.server.Close)
	bin := filepath.Join(r.fake, "bin")
	writeExec(t, filepath.Join(bin, "rauc"), fakeRauc)
	writeExec(t, filepath.Join(bin, "systemctl"), fakeSystemctl)
	other := map[string]string{"A": "B", "B": "A"}[booted]
	r.set("status", fmt.Sprintf("RAUC_SYSTEM_COMPATIBLE='gridkiosk-amd64'\nRAUC_SYSTEM_BOOTED_BOOTNAME='%s'\n"+
		"RAUC_BOOT_PRIMARY='rootfs.1'\nRAUC_SLOTS='1 2'\nRAUC_SLOT_BOOTNAME_1='%s'\nRAUC_SLOT_BOOT_STATUS_1='good'\n"+
		"RAUC_SLOT_BOOTNAME_2='%s'\nRAUC_SLOT_BOOT_STATUS_2='%s'\n", booted, other, booted, status))
	r.set("active", "inactive")
	r.set("condition", "yes")
	r.set("condition-time", "0")
	r.set("calls", "")
	r.clock(10)
	writeFile(t, filepath.Join(r.fake, "system-version"), r.version+"\n")
	r.limit = "60"
	r.env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE=" + r.fake, "LC_ALL=C",
		"GK_TRIAL_DIR=" + r.dir, "GK_HEALTHZ_URL=" + r.server.URL + "/healthz", "GK_TRIAL_POLL=0.05",
		"GK_UPTIME=" + filepath.Join(r.fake, "uptime"), "GK_VERSION_FILE=" + filepath.Join(r.fake, "system-version"),
		"GK_CONFIG=" + filepath.Join(r.fake, "gridkiosk.toml")}
	return r
}

func writeExec(t *testing.T, path, content string) {
	t.Helper()
	writeFile(t, path, content)
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func (r *trialRig) set(name, value string) {
	r.t.Helper()
	// Whole files at once: the script may read them at any moment.
	tmp := filepath.Join(r.fake, name+".tmp")
	writeFile(r.t, tmp, value)
	if err := os.Rename(tmp, filepath.Join(r.fake, name)); err != nil {
		r.t.Fatal(err)
	}
}

// clock sets the seconds since boot that /proc/uptime would show.
func (r *trialRig) clock(sec int) { r.set("uptime", fmt.Sprintf("%d.42 %d.00\n", sec, sec)) }

func (r *trialRig) start() {
	r.t.Helper()
	r.cmd = exec.Command("rootfs/usr/lib/gridkiosk/gridkiosk-trial")
	r.cmd.Env = append(os.Environ(), r.env...)
	if r.limit != "" {
		r.cmd.Env = append(r.cmd.Env, "GK_TRIAL_SECONDS="+r.limit)
	}
	r.out = &lockedBuffer{}
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.done = make(chan error, 1)
	go func() { r.done <- r.cmd.Wait() }()
	r.t.Cleanup(func() { r.cmd.Process.Kill() })
}

// wait waits for the script to end by itself and returns its error.
func (r *trialRig) wait() error {
	r.t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(60 * time.Second):
		r.t.Fatalf("gridkiosk-trial still running after 60s:\n%s", r.out.String())
		return nil
	}
}

// waitFor waits until the output shows s (the script has got that far).
func (r *trialRig) waitFor(s string) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(r.out.String(), s) {
		if time.Now().After(deadline) {
			r.t.Fatalf("gridkiosk-trial never printed %q:\n%s", s, r.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// polls waits until the script has looked at the world n more times:
// it asks systemctl is-active once per poll, and the fake counts.
func (r *trialRig) polls(n int) {
	r.t.Helper()
	start := r.isActiveCount()
	deadline := time.Now().Add(60 * time.Second)
	for r.isActiveCount() < start+n {
		if time.Now().After(deadline) {
			r.t.Fatalf("gridkiosk-trial stopped polling:\n%s", r.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *trialRig) isActiveCount() int {
	b, _ := os.ReadFile(filepath.Join(r.fake, "polls"))
	return len(b)
}

func (r *trialRig) calls() string {
	b, _ := os.ReadFile(filepath.Join(r.fake, "calls"))
	return string(b)
}

func (r *trialRig) trialFile(name string) string {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		return ""
	}
	return string(b)
}

func TestTrial(t *testing.T) {
	t.Run("confirmed slot: nothing to do", func(t *testing.T) {
		r := newTrialRig(t, "A", "good")
		r.start()
		if err := r.wait(); err != nil {
			t.Fatalf("%v\n%s", err, r.out.String())
		}
		if c := r.calls(); c != "" {
			t.Errorf("calls %q on a confirmed slot, want none", c)
		}
		if _, err := os.Stat(r.dir); err == nil {
			t.Error("the trial directory was written on a confirmed slot")
		}
	})
	t.Run("healthy gridkiosk: mark good", func(t *testing.T) {
		r := newTrialRig(t, "B", "bad")
		r.start()
		r.waitFor("is on trial")
		if cur := r.trialFile("current"); !strings.Contains(cur, "slot=B\n") || !strings.Contains(cur, "version="+r.version+"\n") {
			t.Errorf("current trial file %q, want slot=B and version=%s", cur, r.version)
		}
		r.set("active", "activating")
		r.polls(3)
		r.set("active", "active") // READY=1
		r.polls(3)
		if c := r.calls(); c != "" {
			t.Fatalf("calls %q while /healthz fails, want none", c)
		}
		r.health.Store(http.StatusOK)
		if err := r.wait(); err != nil {
			t.Fatalf("%v\n%s", err, r.out.String())
		}
		if c := r.calls(); c != "rauc mark-good\n" {
			t.Errorf("calls %q, want only rauc status mark-good booted", c)
		}
		if last := r.trialFile("last"); !strings.HasPrefix(last, "good ") || !strings.Contains(last, "slot=B version="+r.version) {
			t.Errorf("last trial %q, want good for slot B", last)
		}
		if r.trialFile("current") != "" || r.trialFile("failed") != "" {
			t.Error("a good trial left a current or failed file")
		}
	})
	t.Run("never healthy in its chance: mark bad, reboot", func(t *testing.T) {
		r := newTrialRig(t, "B", "bad")
		r.start()
		r.waitFor("is on trial")
		r.clock(20)
		r.set("active", "activating")
		r.polls(2) // the chance starts at 20 s
		r.set("active", "active")
		r.clock(79)
		r.polls(3)
		if c := r.calls(); c != "" {
			t.Fatalf("calls %q 59 s into a 60 s chance, want none", c)
		}
		r.clock(80)
		if err := r.wait(); err != nil {
			t.Fatalf("%v\n%s", err, r.out.String())
		}
		if c := r.calls(); c != "rauc mark-bad\nsystemctl reboot\n" {
			t.Errorf("calls %q, want rauc status mark-bad booted, then systemctl reboot", c)
		}
		failed := r.trialFile("failed")
		if strings.Count(failed, "\n") != 1 || !strings.HasPrefix(failed, "failed ") || !strings.Contains(failed, "slot=B") {
			t.Errorf("failed trials %q, want one line for slot B", failed)
		}
		if r.trialFile("last") != failed {
			t.Errorf("last %q, want the failed line %q", r.trialFile("last"), failed)
		}
	})
	t.Run("restarting counts as its chance", func(t *testing.T) {
		r := newTrialRig(t, "B", "bad")
		r.start()
		r.waitFor("is on trial")
		r.set("active", "activating") // crash-looping: auto-restart
		r.polls(2)
		r.set("active", "failed")
		r.clock(71)
		if err := r.wait(); err != nil {
			t.Fatalf("%v\n%s", err, r.out.String())
		}
		if c := r.calls(); c != "rauc mark-bad\nsystemctl reboot\n" {
			t.Errorf("calls %q, want mark-bad and reboot", c)
		}
	})
	t.Run("power cuts before its chance count nothing", func(t *testing.T) {
		r := newTrialRig(t, "B", "bad")
		// Boot 1: gridkiosk has not even started when the power goes,
		// however long the kernel and units took.
		r.start()
		r.waitFor("is on trial")
		r.clock(500)
		r.polls(3)
		r.cmd.Process.Kill()
		<-r.done
		// Boot 2: gridkiosk runs for 50 of its 60 s, then the power goes.
		r.clock(5)
		r.start()
		r.waitFor("is on trial")
		r.set("active", "activating")
		r.polls(2)
		r.clock(55)
		r.polls(3)
		r.cmd.Process.Kill()
		<-r.done
		if c := r.calls(); c != "" {
			t.Fatalf("calls %q after two power cuts, want none", c)
		}
		if f := r.trialFile("failed"); f != "" {
			t.Fatalf("failed trials %q after power cuts before the chance ended, want none", f)
		}
		// Boot 3: gridkiosk comes up healthy: the slot is kept.
		r.clock(5)
		r.set("active", "active")
		r.health.Store(http.StatusOK)
		r.start()
		if err := r.wait(); err != nil {
			t.Fatalf("%v\n%s", err, r.out.String())
		}
		if c := r.calls(); c != "rauc mark-good\n" {
			t.Errorf("calls %q, want mark-good", c)
		}
	})
	t.Run("not provisioned: booting is all there is", func(t *testing.T) {
		r := newTrialRig(t, "B", "bad")
		r.set("condition", "no")
		r.set("condition-time", "1234567")
		r.start()
		if err := r.wait(); err != nil {
			t.Fatalf("%v\n%s", err, r.out.String())
		}
		if c := r.calls(); c != "rauc mark-good\n" {
			t.Errorf("calls %q, want mark-good", c)
		}
		if last := r.trialFile("last"); !strings.Contains(last, "not provisioned") {
			t.Errorf("last %q does not say why", last)
		}
	})
	t.Run("trial_minutes from the station's configuration", func(t *testing.T) {
		for _, c := range []struct{ toml, want string }{
			{"[update]\ntrial_minutes = 2\n", "has 120s"},
			{"[update]\nenabled = true\n  trial_minutes=7 # longer\n[voice]\ntrial_minutes = 1\n", "has 420s"},
			{"[voice]\ntrial_minutes = 1\n", "has 300s"},
			{"[update]\ntrial_minutes = \"soon\"\n", "has 300s"},
		} {
			r := newTrialRig(t, "B", "bad")
			r.limit = ""
			writeFile(t, filepath.Join(r.fake, "gridkiosk.toml"), c.toml)
			r.start()
			r.waitFor(c.want)
			r.cmd.Process.Kill()
			<-r.done
		}
	})
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/ui/kiosk"
)

// trialWait is the generous deadline of each step of a trial on a loaded
// machine: a screen to come up, a receipt to print, a record to reach
// the hub.
const trialWait = 90 * time.Second

// trialKiosk is `gridkiosk run --simulate` on its own Xvfb, driven as a
// person would drive it.
type trialKiosk struct {
	t       *testing.T
	dir     string // the test's
	out     string // where the screenshots go
	display string
	admin   string // the admin API's address
	token   string
	window  string // the kiosk window's X id
	plays   func() int
	log     *syncBuffer
	shots   *int // numbers the screenshots in order, across the trials
}

// with is k for a subtest, which fails on its own.
func (k *trialKiosk) with(t *testing.T) *trialKiosk {
	c := *k
	c.t = t
	return &c
}

// needTrialTools fails (when GRIDKIOSK_XVFB=required, as in make test)
// or skips the trials when a program they drive is missing.
func needTrialTools(t *testing.T) {
	t.Helper()
	for _, prog := range []string{"Xvfb", "xdotool", "import", "zbarimg", "aplay", "chromium"} {
		if _, err := exec.LookPath(prog); err != nil {
			if os.Getenv("GRIDKIOSK_XVFB") == "required" {
				t.Fatalf("%s not found: .ci/deps.sh test xvfb installs it", prog)
			}
			t.Skipf("%s not found (.ci/deps.sh test xvfb installs it)", prog)
		}
	}
}

// startTrialKiosk starts the kiosk's window on a new Xvfb, with a voice
// pack of tones and ALSA's default device writing what is played to a
// file, one line in plays.log per aplay run (a prompt request, a beep).
func startTrialKiosk(t *testing.T) *trialKiosk {
	needTrialTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	dir := t.TempDir()
	out := os.Getenv("GRIDKIOSK_TRIAL_DIR")
	if out == "" {
		out = filepath.Join(dir, "trial")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	writePack(t, filepath.Join(dir, demo.DemoVoicePack), -1)
	played, plays := filepath.Join(dir, "played.raw"), filepath.Join(dir, "plays.log")
	asound := filepath.Join(dir, "asound.conf")
	// A file name starting with | is a command ALSA pipes the samples
	// to: each aplay appends its samples and then a line.
	conf := fmt.Sprintf("</usr/share/alsa/alsa.conf>\npcm.!default { type file slave.pcm \"null\" file \"|cat >>%s; echo >>%s\" format \"raw\" }\n", played, plays)
	if err := os.WriteFile(asound, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	display := startXvfb(t, ctx)
	data := filepath.Join(dir, "data")
	k := &trialKiosk{t: t, dir: dir, out: out, display: display, admin: freeAddr(t), log: &syncBuffer{}, shots: new(int)}
	k.plays = func() int {
		b, _ := os.ReadFile(plays)
		return bytes.Count(b, []byte("\n"))
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "run", "--simulate", "--no-control-panel", "--data", data, "--admin", k.admin)
	cmd.Dir = dir
	cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8",
		"DISPLAY=" + display, "ALSA_CONFIG_PATH=" + asound}
	cmd.Stdout, cmd.Stderr = k.log, k.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Stopped as systemd stops it: cleanly, whatever screen is up.
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil || strings.Contains(k.log.String(), "panic:") {
			t.Errorf("the kiosk did not stop cleanly on SIGTERM: %v", err)
		}
		if t.Failed() {
			t.Logf("the kiosk's log:\n%s", k.log.String())
		}
	})
	k.waitFor("the admin token", func() bool {
		b, err := os.ReadFile(filepath.Join(data, "station", "admin.token"))
		k.token = strings.TrimSpace(string(b))
		return err == nil && k.token != ""
	})
	v := k.waitScreen("attract", nil)
	k.waitFor("the kiosk's window on the display", func() bool {
		out, err := k.x("xdotool", "search", "--name", "^"+regexp.QuoteMeta(v.Window)+"$")
		if f := strings.Fields(out); err == nil && len(f) > 0 {
			k.window = f[0]
		}
		return k.window != ""
	})
	return k
}

// x runs an X client on the kiosk's display.
func (k *trialKiosk) x(prog string, args ...string) (string, error) {
	cmd := exec.Command(prog, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+k.display)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			err = fmt.Errorf("%s: %w: %s", prog, err, ee.Stderr)
		}
	}
	return string(out), err
}

// waitFor polls cond until it holds, failing after trialWait.
func (k *trialKiosk) waitFor(what string, cond func() bool) {
	k.t.Helper()
	deadline := time.Now().Add(trialWait)
	for !cond() {
		if time.Now().After(deadline) {
			k.t.Fatalf("waited %s for %s", trialWait, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// trialView is GET /v1/sim/screen's answer.
type trialView struct{ kiosk.View }

// has says a target with the label is on show.
func (v trialView) has(label string) bool {
	return slices.ContainsFunc(v.Targets, func(x kiosk.Target) bool { return x.Label == label })
}

// shows says a text on show holds s.
func (v trialView) shows(s string) bool {
	return slices.ContainsFunc(v.Texts, func(x string) bool { return strings.Contains(x, s) })
}

var ticketText = regexp.MustCompile(`^[A-Z]\d{4}$`)

// ticket is the ticket number on show, or "".
func (v trialView) ticket() string {
	if i := slices.IndexFunc(v.Texts, ticketText.MatchString); i >= 0 {
		return v.Texts[i]
	}
	return ""
}

// screen asks the kiosk what it shows.
func (k *trialKiosk) screen() (trialView, error) {
	var v trialView
	b, code, err := k.request("GET", "/v1/sim/screen", "")
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("GET /v1/sim/screen: %d %s", code, b)
	}
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	return v, err
}

// waitScreen waits until the kiosk shows the resident screen name and
// cond, when given, holds for it, and returns what it shows.
func (k *trialKiosk) waitScreen(name string, cond func(trialView) bool) trialView {
	k.t.Helper()
	var v trialView
	var err error
	deadline := time.Now().Add(trialWait)
	for {
		v, err = k.screen()
		if err == nil && v.Mode == "resident" && v.Screen == name && (cond == nil || cond(v)) {
			return v
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("waited %s for the screen %q: it shows %q (%v), texts %q", trialWait, name, v.Screen, err, v.Texts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tap taps the middle of the one target labelled label, through XTEST
// as a touchscreen's driver would.
func (k *trialKiosk) tap(label string) {
	k.t.Helper()
	v, err := k.screen()
	if err != nil {
		k.t.Fatal(err)
	}
	var at []kiosk.Target
	for _, x := range v.Targets {
		if x.Label == label {
			at = append(at, x)
		}
	}
	if len(at) != 1 {
		k.t.Fatalf("%d targets labelled %q on %q; on show: %+v", len(at), label, v.Screen, v.Targets)
	}
	x, y := at[0].X+at[0].W/2, at[0].Y+at[0].H/2
	if _, err := k.x("xdotool", "mousemove", "--window", k.window, fmt.Sprint(x), fmt.Sprint(y), "click", "1"); err != nil {
		k.t.Fatal(err)
	}
}

// typeDigits taps the keypad's keys, waiting for each to show.
func (k *trialKiosk) typeDigits(s string) {
	k.t.Helper()
	for i, d := range s {
		k.tap(string(d))
		typed := s[:i+1]
		k.waitFor("the keypad to show "+typed, func() bool {
			v, err := k.screen()
			return err == nil && strings.Contains(strings.ReplaceAll(strings.Join(v.Texts, ""), " ", ""), typed)
		})
	}
}

// shot saves the display as the next numbered screenshot.
func (k *trialKiosk) shot(name string) {
	k.t.Helper()
	*k.shots++
	path := filepath.Join(k.out, fmt.Sprintf("%02d-%s.png", *k.shots, name))
	if _, err := k.x("import", "-window", "root", path); err != nil {
		k.t.Fatal(err)
	}
}

// save writes a picture beside the screenshots.
func (k *trialKiosk) save(name string, b []byte) {
	k.t.Helper()
	*k.shots++
	if err := os.WriteFile(filepath.Join(k.out, fmt.Sprintf("%02d-%s", *k.shots, name)), b, 0o644); err != nil {
		k.t.Fatal(err)
	}
}

// keep copies a file beside the screenshots.
func (k *trialKiosk) keep(path, name string) {
	k.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		k.t.Fatal(err)
	}
	k.save(name, b)
}

func (k *trialKiosk) request(method, path, body string) ([]byte, int, error) {
	req, err := http.NewRequest(method, "http://"+k.admin+path, strings.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// post asks a /v1/sim endpoint to act.
func (k *trialKiosk) post(path, body string) {
	k.t.Helper()
	b, code, err := k.request("POST", path, body)
	if err != nil || code/100 != 2 {
		k.t.Fatalf("POST %s %s: %d %s %v", path, body, code, b, err)
	}
}

// get reads a /v1/sim endpoint; nil when it has nothing (yet).
func (k *trialKiosk) get(path string) []byte {
	k.t.Helper()
	b, code, err := k.request("GET", path, "")
	if err != nil {
		k.t.Fatalf("GET %s: %v", path, err)
	}
	if code != http.StatusOK {
		return nil
	}
	return b
}

// panelBeeps is how often the panel's buzzer has beeped.
func (k *trialKiosk) panelBeeps() int {
	k.t.Helper()
	var p struct {
		Beeps int `json:"beeps"`
	}
	if err := json.Unmarshal(k.get("/v1/sim/panel"), &p); err != nil {
		k.t.Fatalf("GET /v1/sim/panel: %v", err)
	}
	return p.Beeps
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

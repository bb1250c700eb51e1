package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
)

const (
	cliRunning = "2026.12.1.100000+gaaaaaaa"
	cliNewer   = "2026.12.7.140500+g61892aa"
)

// updateConfig writes a station's config for the update commands: its
// data in dir, the admin API on listen, no hub.
func updateConfig(t *testing.T, dir, listen string) string {
	t.Helper()
	version := filepath.Join(dir, "system-version")
	if err := os.WriteFile(version, []byte(cliRunning+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := "[station]\nid = \"141029-xfw-01\"\nname = \"幸福湾社区党群服务站\"\n[station.grid]\ncounty = \"141029\"\n" +
		"[storage]\ndir = \"" + filepath.Join(dir, "data") + "\"\n[admin]\nlisten = \"" + listen + "\"\n" +
		"[voice]\nenabled = false\n[update]\nusb_root = \"\"\nversion_file = \"" + version + "\"\n"
	path := filepath.Join(dir, "gridkiosk.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := realMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

// With the station stopped, update status reads the version, and the
// last result it kept.
func TestUpdateStatusStationStopped(t *testing.T) {
	dir := t.TempDir()
	cfg := updateConfig(t, dir, "127.0.0.1:1")
	state := filepath.Join(dir, "data", "update", "state.json")
	os.MkdirAll(filepath.Dir(state), 0o755)
	os.WriteFile(state, []byte(`{"reason":"rolled_back","last":"2026.12.7.1 did not come up healthy; back on `+cliRunning+` (slot A)","last_at":"2026-12-07T02:14:00Z"}`), 0o640)
	code, out, stderr := run("update", "status", "--config", cfg)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	for _, want := range []string{"系统更新 / System update", "the station is not running", "运行版本 / running version:  " + cliRunning,
		"新系统未能正常启动，已退回 / rolled back", "did not come up healthy", "02:00-05:00"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run("update", "status", "--json", "--config", cfg)
	if code != 0 || !strings.Contains(out, `"reason": "rolled_back"`) || !strings.Contains(out, `"version": "`+cliRunning+`"`) {
		t.Errorf("--json: exit %d\n%s", code, out)
	}
	if code, _, stderr := run("update", "check", "--config", cfg); code != 1 || !strings.Contains(stderr, "the station is not running") {
		t.Errorf("check, station stopped: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{{"update"}, {"update", "frobnicate", "--config", cfg}, {"update", "install", "--config", cfg},
		{"update", "status", "x", "--config", cfg}, {"update", "check", "x", "--config", cfg}} {
		if code, _, stderr := run(args...); code != 2 || !strings.Contains(stderr, "usage") {
			t.Errorf("%q: exit %d, %q; want 2 with the usage", args, code, stderr)
		}
	}
}

// update install hands the bundle to the running station, which keeps
// the idle rule and says why it refuses one.
func TestUpdateInstallThroughTheStation(t *testing.T) {
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	compat := "gridkiosk-" + runtime.GOARCH
	sim, err := raucsim.Start(bus.Address, raucsim.Config{Compatible: compat, BootedVersion: cliRunning})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgPath := updateConfig(t, dir, ln.Addr().String())
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	rebooted := make(chan struct{}, 1)
	// The station dials RAUC itself, as on the appliance (its dial once
	// handed the updater a connection that closed seconds later).
	st, err := appliance.New(appliance.Options{Config: cfg, Log: slog.New(slog.DiscardHandler), RAUCBus: bus.Address,
		NTPSynced: func() bool { return false },
		Reboot:    func(context.Context) error { rebooted <- struct{}{}; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); st.Close() })
	token, err := adminapi.LoadOrCreateToken(cfg.Storage.Dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(updateHandler(st, token))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	deadline := time.Now().Add(time.Minute)
	for st.Update().Slot != "A" {
		if time.Now().After(deadline) {
			t.Fatalf("the update manager never read the slot: %+v", st.Update())
		}
		time.Sleep(10 * time.Millisecond) // polling a state the manager sets once, with a deadline
	}

	if code, out, stderr := run("update", "check", "--config", cfgPath); code != 0 || stderr != "" || !strings.Contains(out, "asks the hub now") {
		t.Errorf("check: exit %d\n%s%s", code, out, stderr)
	}

	old := filepath.Join(dir, "old.raucb")
	raucsim.WriteBundle(old, raucsim.Bundle{Compatible: compat, Version: "2026.11.1"})
	code, out, stderr := run("update", "install", old, "--config", cfgPath)
	if code != 1 || !strings.Contains(stderr, "拒绝安装 / refused: 版本比当前旧") || !strings.Contains(stderr, "older than the running "+cliRunning) {
		t.Errorf("older bundle: exit %d\n%s%s", code, out, stderr)
	}
	tampered := filepath.Join(dir, "tampered.raucb")
	raucsim.WriteBundle(tampered, raucsim.Bundle{Compatible: compat, Version: cliNewer, Signature: raucsim.SigBad})
	if code, _, stderr := run("update", "install", "--config", cfgPath, tampered); code != 1 || !strings.Contains(stderr, "signature verification failed") {
		t.Errorf("tampered bundle: exit %d, %s", code, stderr)
	}

	good := filepath.Join(dir, "new.raucb")
	raucsim.WriteBundle(good, raucsim.Bundle{Compatible: compat, Version: cliNewer})
	code, out, stderr = run("update", "install", good, "--config", cfgPath)
	if code != 0 || stderr != "" || !strings.Contains(out, "handed to the station") {
		t.Fatalf("install: exit %d\n%s%s", code, out, stderr)
	}
	select {
	case <-rebooted:
	case <-time.After(time.Minute):
		t.Fatalf("no reboot: %+v", st.Update())
	}
	code, out, _ = run("update", "status", "--config", cfgPath)
	for _, want := range []string{"启动分区 / booted slot:      A", "已安装，等待重启", "待装版本 / pending:          " + cliNewer + "（来自维护命令 / from console）"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("status after the install lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not running") {
		t.Errorf("status read directly while the station runs:\n%s", out)
	}
}

// The admin API's 409 says why in the station's words; the CLI says it
// in both languages, and a body it cannot read as it is.
func TestRefusedBody(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"a reason", `{"reason":"no_rauc","error":"rauc: no D-Bus"}`, []string{"不能检查 / not checked: ", "rauc: no D-Bus"}},
		{"an unknown reason", `{"reason":"odd","error":"so it goes"}`, []string{"odd / odd: so it goes"}},
		{"not JSON", "<html>proxy</html>", []string{"not checked: admin API answered 409 Conflict: <html>proxy</html>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := refusedBody("不能检查 / not checked", []byte(tc.body))
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("refusedBody(%s) = %v; want it to say %q", tc.body, err, w)
				}
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	vocab "github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/internal/maintwindow"
	"github.com/gridkiosk/gridkiosk/internal/secretfile"
)

// The admin API's update endpoints, served beside it: the CLI hands a
// technician's bundle to the running station, so the idle rule holds.
const (
	pathUpdate        = "/v1/update"
	pathUpdateInstall = "/v1/update/install"
	pathUpdateCheck   = "/v1/update/check"
)

// updateHandler serves GET /v1/update, POST /v1/update/install and
// POST /v1/update/check.
func updateHandler(st *appliance.Station, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathUpdate, adminapi.RequireToken(token, func(w http.ResponseWriter, r *http.Request) {
		adminapi.WriteJSON(w, http.StatusOK, st.Update())
	}))
	mux.HandleFunc("POST "+pathUpdateInstall, adminapi.RequireToken(token, func(w http.ResponseWriter, r *http.Request) {
		var req vocab.UpdateInstall
		if !adminapi.DecodeJSON(w, r, &req) {
			return
		}
		if !filepath.IsAbs(req.Path) {
			adminapi.WriteError(w, http.StatusBadRequest, "path must be the bundle's absolute path on the station", "path")
			return
		}
		err := st.InstallUpdate(r.Context(), req)
		var ref *vocab.UpdateRefused
		switch {
		case errors.As(err, &ref):
			adminapi.WriteJSON(w, http.StatusConflict, ref)
		case err != nil:
			adminapi.WriteError(w, http.StatusInternalServerError, err.Error(), "")
		default:
			adminapi.WriteJSON(w, http.StatusAccepted, st.Update())
		}
	}))
	mux.HandleFunc("POST "+pathUpdateCheck, adminapi.RequireToken(token, func(w http.ResponseWriter, r *http.Request) {
		var ref *vocab.UpdateRefused
		if err := st.CheckUpdate(); errors.As(err, &ref) {
			adminapi.WriteJSON(w, http.StatusConflict, ref)
			return
		}
		adminapi.WriteJSON(w, http.StatusAccepted, st.Update())
	}))
	return mux
}

const updateUsage = `usage:
  gridkiosk update status  [--config FILE] [--json]
  gridkiosk update check   [--config FILE]
  gridkiosk update install FILE [--config FILE] [--force] [--allow-older]`

func cmdUpdate(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"update: want status, check or install\n" + updateUsage}
	}
	fs := flag.NewFlagSet("update "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfgPath := fs.String("config", config.DefaultPath, "configuration file")
	asJSON := fs.Bool("json", false, "status as JSON")
	force := fs.Bool("force", false, "install and reboot even while the kiosk is in use")
	older := fs.Bool("allow-older", false, "install an older or the same version (a downgrade on purpose)")
	// FILE may come before the flags: parse what follows it too.
	var file string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return usageError{fmt.Sprintf("update %s: %v\n%s", args[0], err, updateUsage)}
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("update %s: unexpected %q\n%s", args[0], fs.Arg(0), updateUsage)}
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return fmt.Errorf("configuration %s:\n%w", *cfgPath, err)
	}
	switch args[0] {
	case "status":
		if file != "" {
			return usageError{"update status takes no file\n" + updateUsage}
		}
		return updateStatus(ctx, cfg, *asJSON, stdout)
	case "check":
		if file != "" {
			return usageError{"update check takes no file\n" + updateUsage}
		}
		return updateCheck(ctx, cfg, stdout)
	case "install":
		if file == "" {
			return usageError{"update install: name the bundle (.raucb)\n" + updateUsage}
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("update install: %w", err)
		}
		return updateInstall(ctx, cfg, vocab.UpdateInstall{Path: abs, Force: *force, AllowOlder: *older}, stdout)
	}
	return usageError{fmt.Sprintf("update: unknown subcommand %q\n%s", args[0], updateUsage)}
}

// admin asks the running station's admin API; running is false when no
// station listens (it is stopped), err for anything else.
func admin(ctx context.Context, cfg *config.Config, method, path string, body any) (resp *http.Response, running bool, err error) {
	tok, err := secretfile.Read(filepath.Join(cfg.Storage.Dir, adminapi.TokenFile), 4096)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil // never started here
	}
	if err != nil {
		return nil, false, fmt.Errorf("admin token: %w", err)
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+cfg.Admin.Listen+path, rd)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err = (&http.Client{Timeout: time.Minute}).Do(req)
	var op *net.OpError
	if errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &op) && op.Op == "dial" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("admin API at %s (admin.listen): %w", cfg.Admin.Listen, err)
	}
	return resp, true, nil
}

// updateOptions are the update manager's options for the CLI's own
// reading and installing while the station is stopped.
func updateOptions(ctx context.Context, cfg *config.Config) (update.Options, func()) {
	w, _ := maintwindow.Parse(cfg.Update.Window)
	opt := update.Options{Dir: filepath.Join(cfg.Storage.Dir, "update"), VersionFile: cfg.Update.VersionFile,
		Arch: runtime.GOARCH, Window: w}
	c, err := rauc.Dial(ctx, "")
	if err != nil {
		opt.NoRAUC = err.Error()
		return opt, func() {}
	}
	opt.RAUC = c
	return opt, func() { c.Close() }
}

func updateStatus(ctx context.Context, cfg *config.Config, asJSON bool, stdout io.Writer) error {
	var v vocab.UpdateView
	resp, running, err := admin(ctx, cfg, http.MethodGet, pathUpdate, nil)
	if err != nil {
		return err
	}
	if running {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			return fmt.Errorf("admin API answered %s: %s", resp.Status, strings.TrimSpace(string(b)))
		}
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			return fmt.Errorf("admin API: %w", err)
		}
	} else {
		opt, done := updateOptions(ctx, cfg)
		defer done()
		st := update.Offline(ctx, opt)
		v = vocab.UpdateView{Enabled: cfg.Update.Enabled, Slot: st.Slot, Version: st.Version, State: st.State,
			Pending: st.Pending, Reason: st.Reason, Last: st.Last, LastAt: st.LastAt, Window: st.Window}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	printUpdate(stdout, v, running)
	return nil
}

// printUpdate writes the status for a technician: Chinese first.
func printUpdate(w io.Writer, v vocab.UpdateView, running bool) {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	fmt.Fprintln(w, "系统更新 / System update")
	if !running {
		fmt.Fprintln(w, "  （终端未运行，以下为直接读取 / the station is not running; read directly）")
	}
	if !v.Enabled {
		fmt.Fprintln(w, "  已关闭 / off (update.enabled = false)")
	}
	fmt.Fprintf(w, "  启动分区 / booted slot:      %s\n", dash(v.Slot))
	fmt.Fprintf(w, "  运行版本 / running version:  %s\n", dash(v.Version))
	zh, en := vocab.UpdateWord(v.State)
	state := zh + " / " + en
	if v.State == "" {
		state = "-"
	}
	if v.Busy {
		state += "（终端使用中 / kiosk in use）"
	}
	fmt.Fprintf(w, "  状态 / state:                %s\n", state)
	if v.Pending != "" {
		src := ""
		if v.Source != "" {
			szh, sen := vocab.UpdateWord(v.Source)
			src = fmt.Sprintf("（来自%s / from %s）", szh, sen)
		}
		fmt.Fprintf(w, "  待装版本 / pending:          %s%s\n", v.Pending, src)
	}
	if v.Percent > 0 {
		fmt.Fprintf(w, "  进度 / progress:             %d%%\n", v.Percent)
	}
	if v.Last != "" {
		rzh, ren := vocab.UpdateWord(v.Reason)
		at := ""
		if v.LastAt != nil {
			at = " " + v.LastAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "  上次结果 / last result:      %s / %s%s\n      %s\n", rzh, ren, at, v.Last)
	}
	if v.Window != "" {
		fmt.Fprintf(w, "  重启时段 / reboot window:    %s\n", v.Window)
	}
}

func updateInstall(ctx context.Context, cfg *config.Config, req vocab.UpdateInstall, stdout io.Writer) error {
	resp, running, err := admin(ctx, cfg, http.MethodPost, pathUpdateInstall, req)
	if err != nil {
		return err
	}
	if running {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		switch resp.StatusCode {
		case http.StatusAccepted:
			var v vocab.UpdateView
			json.Unmarshal(b, &v)
			fmt.Fprintln(stdout, "已交给终端：空闲时安装并重启 / handed to the station: it installs and reboots when the kiosk is idle")
			if req.Force {
				fmt.Fprintln(stdout, "（--force：不等待空闲 / not waiting for an idle kiosk）")
			}
			printUpdate(stdout, v, true)
			return nil
		case http.StatusConflict:
			return refusedBody("拒绝安装 / refused", b)
		}
		return fmt.Errorf("admin API answered %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	// The station is stopped: nobody uses the kiosk, RAUC installs now.
	opt, done := updateOptions(ctx, cfg)
	defer done()
	fmt.Fprintln(stdout, "终端未运行，直接安装 / the station is not running; installing now")
	last := -1
	version, err := update.InstallNow(ctx, opt, update.InstallRequest{Path: req.Path, AllowOlder: req.AllowOlder}, func(p rauc.Progress) {
		if p.Percent != last {
			last = p.Percent
			fmt.Fprintf(stdout, "  %3d%% %s\n", p.Percent, p.Message)
		}
	})
	var ref *update.Refusal
	if errors.As(err, &ref) {
		return refused("拒绝安装 / refused", ref.Reason, ref.Msg)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已安装 %s，重启后生效 / %s installed; it boots at the next reboot (systemctl reboot)\n", version, version)
	return nil
}

// updateCheck has the running station ask its hub now.
func updateCheck(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	resp, running, err := admin(ctx, cfg, http.MethodPost, pathUpdateCheck, nil)
	if err != nil {
		return err
	}
	if !running {
		return errors.New("终端未运行：启动时会询问县平台 / the station is not running (systemctl start gridkiosk); it asks the hub when it starts")
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusAccepted:
		fmt.Fprintln(stdout, "已请终端询问县平台 / the station asks the hub now; see gridkiosk update status")
		return nil
	case http.StatusConflict:
		return refusedBody("不能检查 / not checked", b)
	}
	return fmt.Errorf("admin API answered %s: %s", resp.Status, strings.TrimSpace(string(b)))
}

// refused is the CLI's error for an update the station would not do:
// what it did not do, the reason in both languages, and the station's
// own words.
func refused(what, reason, msg string) error {
	zh, en := vocab.UpdateWord(reason)
	return fmt.Errorf("%s: %s / %s: %s", what, zh, en, msg)
}

// refusedBody is refused for the admin API's 409 answer, body b.
func refusedBody(what string, b []byte) error {
	var ref vocab.UpdateRefused
	if err := json.Unmarshal(b, &ref); err != nil {
		return fmt.Errorf("%s: admin API answered 409 Conflict: %s", what, strings.TrimSpace(string(b)))
	}
	return refused(what, ref.Reason, ref.Msg)
}

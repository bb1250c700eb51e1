package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestMain(m *testing.M) {
	if os.Getenv("GRIDHUB_TEST_MAIN") == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(pgtest.Main(m))
}

// TestServeAndList runs gridhub serve as a process, sends it a batch with
// the station client, stops it with SIGTERM and lists what it stored.
func TestServeAndList(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("# Xingfuwan\n141029-xfw-01 0123456789abcdef0123\n"), 0o600)
	refdata := filepath.Join(dir, "refdata.json")
	os.WriteFile(refdata, []byte(`{"categories":[{"code":"repair","name":"公共设施报修"}]}`), 0o600)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()

	cmd := exec.Command(os.Args[0], "serve", "--listen", addr, "--data", filepath.Join(dir, "hub"), "--tokens", tokens, "--refdata", refdata)
	cmd.Env = append(os.Environ(), "GRIDHUB_TEST_MAIN=1")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	c := &upstream.Client{BaseURL: "http://" + addr, StationID: "141029-xfw-01",
		Token: func() (string, error) { return "0123456789abcdef0123", nil }}
	rec := wire.Record{ID: "0190f5e6-0000-7000-8000-000000000001", Kind: "matter", Seq: 1,
		CreatedAt: time.Now(), Grid: json.RawMessage(`{"county":"141029"}`), Payload: json.RawMessage(`{"category":"repair"}`)}
	var reply wire.Reply
	var err error
	for i := 0; i < 100; i++ {
		if reply, err = c.Send(context.Background(), []wire.Record{rec}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send: %+v %v\n%s", reply, err, log.String())
	}
	data, _, _, err := c.RefData(context.Background(), "")
	if err != nil || !strings.Contains(string(data), "公共设施报修") {
		t.Fatalf("refdata: %s %v", data, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("gridhub did not stop cleanly: %v\n%s", err, log.String())
	}
	var out bytes.Buffer
	if code := realMain([]string{"records", "--data", filepath.Join(dir, "hub")}, &out, &out); code != 0 {
		t.Fatalf("records: %d %s", code, out.String())
	}
	if !strings.Contains(out.String(), rec.ID) || !strings.Contains(out.String(), "141029-xfw-01") {
		t.Fatalf("records output:\n%s", out.String())
	}
}

func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "tokens")
	os.WriteFile(bad, []byte("141029-xfw-01\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "--data DIR or --db DSN is required"},
		{[]string{"serve", "--data", dir, "--tokens", filepath.Join(dir, "none")}, "no such file"},
		{[]string{"serve", "--data", dir, "--tokens", bad}, "tokens:1"},
		{[]string{"records"}, "--data DIR or --db DSN is required"},
		{[]string{"serve", "--data", dir, "--max-conns", "0"}, "--max-conns 0: give at least 1"},
	} {
		var out bytes.Buffer
		if code := realMain(tc.args, &out, &out); code != 1 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, out.String(), tc.want)
		}
	}
	if code := realMain([]string{"nope"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

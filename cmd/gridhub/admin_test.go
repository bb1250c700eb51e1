package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

var hexToken = regexp.MustCompile(`^[0-9a-f]{64}$`)

const (
	globalRefData = `{"categories":[{"code":"repair","name":"公共设施报修"}]}`
	ownRefData    = `{"categories":[{"code":"hazard","name":"安全隐患"}]}`
)

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func refDataOf(t *testing.T, c *upstream.Client) string {
	t.Helper()
	data, _, _, err := c.RefData(t.Context(), "")
	if err != nil {
		t.Fatalf("refdata of %s: %v", c.StationID, err)
	}
	return string(data)
}

// With PostgreSQL, the admin commands work while the hub serves, and the
// hub sees their changes at once: a new station sends, its own reference
// data is served, a status set is what the station reads.
func TestHubPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "hub.key")
	tokA := run(t, "station", "add", "--db", dsn, "--key-file", key, "--station", "141029-xfw-01")
	if !hexToken.MatchString(tokA) {
		t.Fatalf("station add printed %q, want 64 hex digits", tokA)
	}
	run(t, "refdata", "load", "--db", dsn, "--key-file", key, writeFile(t, dir, "global.json", globalRefData))
	h := startHub(t, nil, "--db", dsn, "--key-file", key)
	a := h.client("141029-xfw-01", tokA, nil)
	if reply, err := a.Send(t.Context(), []wire.Record{rec(1)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send: %+v %v\n%s", reply, err, h.log.String())
	}

	tokB := run(t, "station", "add", "--db", dsn, "--key-file", key, "--station", "141029-zl-01")
	b := h.client("141029-zl-01", tokB, nil)
	if reply, err := b.Send(t.Context(), []wire.Record{rec(2)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send from a station added while serving: %+v %v", reply, err)
	}
	run(t, "refdata", "load", "--db", dsn, "--key-file", key, "--station", "141029-zl-01", writeFile(t, dir, "zl.json", ownRefData))
	if got := refDataOf(t, b); got != ownRefData {
		t.Errorf("station B's refdata: %s, want its own", got)
	}
	if got := refDataOf(t, a); got != globalRefData {
		t.Errorf("station A's refdata: %s, want the global copy", got)
	}

	run(t, "record", "set-status", "--db", dsn, "--key-file", key, rec(1).ID, "in_progress", "--note", "已转交社区网格员")
	if s := waitStatus(t, a, rec(1).ID, "in_progress"); s.Note != "已转交社区网格员" {
		t.Errorf("status %+v", s)
	}
	out := run(t, "records", "--db", dsn, "--key-file", key)
	if !strings.Contains(out, rec(1).ID) || !strings.Contains(out, "in_progress") || !strings.Contains(out, rec(2).ID) {
		t.Errorf("records:\n%s", out)
	}
	if out := run(t, "records", "--db", dsn, "--key-file", key, "--station", "141029-zl-01"); strings.Contains(out, rec(1).ID) {
		t.Errorf("records --station:\n%s", out)
	}
	if err := h.stop(); err != nil {
		t.Fatalf("gridhub did not stop cleanly: %v\n%s", err, h.log.String())
	}
	for _, secret := range []string{tokA, tokB, dsn} {
		if strings.Contains(h.log.String(), secret) {
			t.Errorf("the hub logged %q:\n%s", secret, h.log.String())
		}
	}
}

// With bbolt, admin commands refuse while the hub serves and say why;
// after it stops they work, and it serves what they did when it starts.
func TestHubBoltAdmin(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "hub")
	tok := run(t, "station", "add", "--data", data, "--station", "141029-xfw-01")
	good := writeFile(t, dir, "refdata.json", globalRefData)
	run(t, "refdata", "load", "--data", data, good)

	h := startHub(t, nil, "--data", data)
	c := h.client("141029-xfw-01", tok, nil)
	if reply, err := c.Send(t.Context(), []wire.Record{rec(1)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send: %+v %v\n%s", reply, err, h.log.String())
	}
	if got := refDataOf(t, c); got != globalRefData {
		t.Errorf("refdata %s, want the loaded copy", got)
	}
	for _, args := range [][]string{
		{"records", "--data", data},
		{"station", "add", "--data", data, "--station", "141029-zl-01"},
		{"record", "set-status", "--data", data, rec(1).ID, "done"},
	} {
		code, out := runErr(args...)
		if code != 1 || !strings.Contains(out, "hub.db is locked, most likely by gridhub serve") || !strings.Contains(out, "--db postgres") {
			t.Errorf("%v while serving: exit %d, %s", args, code, out)
		}
	}
	if err := h.stop(); err != nil {
		t.Fatalf("gridhub did not stop cleanly: %v\n%s", err, h.log.String())
	}

	run(t, "record", "set-status", "--data", data, rec(1).ID, "done", "--note", "办结")
	if out := run(t, "records", "--data", data, "--state", "done"); !strings.Contains(out, rec(1).ID) {
		t.Errorf("records --state done:\n%s", out)
	}
	code, out := runErr("refdata", "load", "--data", data, writeFile(t, dir, "bad.json", `{"categories":[{"code":"x"}]}`))
	if code != 1 || !strings.Contains(out, `"name" must be a non-empty string`) || !strings.Contains(out, "unchanged") {
		t.Errorf("bad refdata: exit %d, %s", code, out)
	}
	if code, out := runErr("station", "add", "--data", data, "--station", "141029-xfw-01"); code != 1 || !strings.Contains(out, "--replace") {
		t.Errorf("station add of a station with a token: exit %d, %s", code, out)
	}
	tok2 := run(t, "station", "add", "--data", data, "--station", "141029-xfw-01", "--replace")
	if out := run(t, "station", "list", "--data", data); !strings.Contains(out, "141029-xfw-01") {
		t.Errorf("station list:\n%s", out)
	}

	st, err := hub.OpenBolt(filepath.Join(data, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if rd, _, err := st.RefData(""); err != nil || string(rd) != globalRefData {
		t.Errorf("stored refdata after a bad load: %s %v", rd, err)
	}
	if _, ok, _ := st.StationByToken(tok); ok {
		t.Error("the replaced token still works")
	}
	if s, ok, _ := st.StationByToken(tok2); !ok || s != "141029-xfw-01" {
		t.Errorf("the new token: %q %v", s, ok)
	}
}

func TestAdminErrors(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "hub")
	run(t, "station", "add", "--data", data, "--station", "141029-xfw-01")
	good := writeFile(t, dir, "good.json", globalRefData)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"station"}, "want add, import or list"},
		{[]string{"station", "remove"}, "want add, import or list"},
		{[]string{"station", "add", "--data", data}, "--station is required"},
		{[]string{"station", "add", "--data", data, "--station", "141029-XFW-01"}, "3-64 characters of a-z, 0-9 and '-'"},
		{[]string{"station", "add", "--data", data, "--station", "乡宁-01"}, "like 141029-xfw-01"},
		{[]string{"station", "add", "--station", "141029-xfw-02"}, "--data DIR or --db DSN is required"},
		{[]string{"station", "add", "--data", data, "--db", "postgres:///x", "--station", "141029-xfw-02"}, "not both"},
		{[]string{"station", "add", "--data", data, "--station", "141029-xfw-02", "extra"}, `unexpected argument "extra"`},
		{[]string{"refdata"}, "want load"},
		{[]string{"refdata", "load", "--data", data}, "want one FILE.json"},
		{[]string{"refdata", "load", "--data", data, filepath.Join(dir, "none.json")}, "no such file"},
		{[]string{"refdata", "load", "--data", data, writeFile(t, dir, "syntax.json", "{\n  \"categories\": [,]\n}")}, "line 2, column 18"},
		{[]string{"refdata", "load", "--data", data, writeFile(t, dir, "list.json", "[]")}, "not a JSON object"},
		{[]string{"refdata", "load", "--data", data, "--station", "BAD", good}, "station ID"},
		{[]string{"record"}, "want set-status"},
		{[]string{"record", "set-status", "--data", data, rec(1).ID}, "want ID and STATE (one of received, in_progress, done, rejected)"},
		{[]string{"record", "set-status", "--data", data, rec(1).ID, "finished"}, `"finished" is not one of received, in_progress, done, rejected`},
		{[]string{"record", "set-status", "--data", data, rec(1).ID, "done"}, "has no record " + rec(1).ID},
		{[]string{"record", "set-status", "--data", filepath.Join(dir, "elsewhere"), rec(1).ID, "done"}, "no hub database"},
		{[]string{"records", "--data", filepath.Join(dir, "elsewhere")}, "check --data"},
		{[]string{"records", "--data", data, "--state", "open"}, `"open" is not one of`},
		{[]string{"records", "--db", "postgres://gridhub@/hub?host=" + filepath.Join(dir, "nosocket"), "--key-file", filepath.Join(dir, "hub.key")}, "hub: pg: connect"},
		{[]string{"records", "--db", "postgres:///x"}, "--db needs --key-file"},
		{[]string{"serve", "--data", data, "--tls-cert", good}, "--tls-cert needs --tls-key"},
		{[]string{"serve", "--data", data, "--tls-key", good}, "--tls-key needs --tls-cert"},
		{[]string{"serve", "--data", data, "--tls-cert", good, "--tls-key", good}, "--tls-cert/--tls-key"},
		{[]string{"serve", "--data", data, "--refdata", writeFile(t, dir, "bad.json", `{"categories":{}}`)}, "bad.json"},
		{[]string{"serve", "--db", "postgres://[::1", "--key-file", filepath.Join(dir, "hub.key")}, "hub: pg"},
		{[]string{"serve", "--data", data, "extra"}, `unexpected argument "extra"`},
	} {
		if code, out := runErr(tc.args...); code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, out, tc.want)
		}
	}
	// Nothing above made a hub database where --data pointed wrong.
	if _, err := os.Stat(filepath.Join(dir, "elsewhere")); !os.IsNotExist(err) {
		t.Errorf("a wrong --data made a directory: %v", err)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
)

// testEnv is an env writing to buffers, with a clock that moves 50 ms at
// each look so that rates and times left come out non-zero.
func testEnv(sys drives.System, stdin string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	var mu sync.Mutex
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t0 = t0.Add(50 * time.Millisecond)
		return t0
	}
	return &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, sys: sys, now: now}, &out, &errb
}

// fakeDrives makes a sysfs-like tree of whole disks whose device nodes
// live in a temporary /dev, so that a drive that passes the rules can be
// written to as a file.
func fakeDrives(t *testing.T, mounts string, disks ...[4]string) drives.System {
	root := t.TempDir()
	sys := drives.System{SysBlock: filepath.Join(root, "block"), Mounts: filepath.Join(root, "mounts"), Dev: filepath.Join(root, "dev")}
	os.MkdirAll(sys.SysBlock, 0o755)
	os.MkdirAll(sys.Dev, 0o755)
	for _, d := range disks { // name, bus path, sectors, model
		dir := filepath.Join(root, "devices", d[1], "block", d[0])
		os.MkdirAll(filepath.Join(dir, "device"), 0o755)
		part := d[0] + "1"
		if last := d[0][len(d[0])-1]; last >= '0' && last <= '9' {
			part = d[0] + "p1"
		}
		os.MkdirAll(filepath.Join(dir, part), 0o755)
		os.WriteFile(filepath.Join(dir, "size"), []byte(d[2]+"\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "device", "model"), []byte(d[3]+"\n"), 0o644)
		if err := os.Symlink(dir, filepath.Join(sys.SysBlock, d[0])); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(sys.Mounts, []byte(mounts), 0o644)
	return sys
}

func TestList(t *testing.T) {
	sys := fakeDrives(t, "", [4]string{"sdb", "usb1/host3", "62333952", "SD Reader"})
	e, out, _ := testEnv(sys, "")
	if code := e.run([]string{"list"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "/sdb") || !strings.Contains(out.String(), "31.9 GB") || !strings.Contains(out.String(), "ok to write") {
		t.Fatalf("list:\n%s", out.String())
	}
	out.Reset()
	e.run([]string{"list", "--json"})
	var ds []drives.Drive
	if err := json.Unmarshal(out.Bytes(), &ds); err != nil || len(ds) != 1 || ds[0].Bus != "usb" {
		t.Fatalf("json: %v %s", err, out.String())
	}
	e, _, errb := testEnv(drives.System{SysBlock: filepath.Join(t.TempDir(), "none")}, "")
	if code := e.run([]string{"list"}); code != 1 || !strings.Contains(errb.String(), "none") {
		t.Fatalf("bad sysfs: %d %s", code, errb.String())
	}
	e.sysErr = drives.ErrUnsupported
	if code := e.run([]string{"list"}); code != 1 || !strings.Contains(errb.String(), "Linux") {
		t.Fatalf("unsupported: %d %s", code, errb.String())
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 B", 31914983424: "31.9 GB", 2000398934016: "2.0 TB", 1500: "1.5 kB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"version"}, 0, "gridflash dev"},
		{[]string{"write", "--image", "x"}, 2, "--manifest is required"},
		{[]string{"verify", "--device", "x", "--manifest", "m", "--pubkey", "p", "extra"}, 2, "unexpected arguments"},
		{[]string{"sign", "--key", "k", "--image", "plain.img"}, 2, "--version"},
	}
	for _, tc := range tests {
		e, out, errb := testEnv(drives.System{}, "")
		if code := e.run(tc.args); code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d; output %s%s", tc.args, code, tc.code, out.String(), errb.String())
		}
	}
}

// release makes a key pair, an image named as the recipe names it, and
// its signed manifest, through the commands themselves.
type release struct {
	dir, key, pub, image, manifest, provision string
	img                                       *flashtest.Image
}

func newRelease(t *testing.T, o flashtest.Options) *release {
	t.Helper()
	img := flashtest.NewImage(t, o)
	dir := t.TempDir()
	r := &release{dir: dir, key: filepath.Join(dir, "release.key"), pub: filepath.Join(dir, "release.pub"),
		image: filepath.Join(dir, "gridkiosk-2026.11.1-arm64.img"), provision: filepath.Join(dir, "station.toml"), img: img}
	r.manifest = r.image + ".manifest.json"
	if err := os.Rename(img.Path, r.image); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(r.provision, []byte(config.Example()), 0o644)
	e, out, errb := testEnv(drives.System{}, "")
	if code := e.run([]string{"keygen", "--out", filepath.Join(dir, "release")}); code != 0 {
		t.Fatalf("keygen: %s", errb.String())
	}
	if code := e.run([]string{"sign", "--key", r.key, "--image", r.image}); code != 0 {
		t.Fatalf("sign: %s", errb.String())
	}
	if !strings.Contains(out.String(), "2026.11.1 (arm64)") {
		t.Fatalf("sign said: %s", out.String())
	}
	return r
}

func (r *release) writeArgs(device string, extra ...string) []string {
	return append([]string{"write", "--image", r.image, "--manifest", r.manifest, "--pubkey", r.pub, "--device", device}, extra...)
}

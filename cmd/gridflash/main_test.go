package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/images/drives"
)

func TestList(t *testing.T) {
	root := t.TempDir()
	disk := filepath.Join(root, "devices", "usb1", "host3", "block", "sdb")
	os.MkdirAll(filepath.Join(disk, "device"), 0o755)
	os.WriteFile(filepath.Join(disk, "size"), []byte("62333952\n"), 0o644)
	os.WriteFile(filepath.Join(disk, "device", "model"), []byte("SD Reader\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "block"), 0o755)
	os.Symlink(disk, filepath.Join(root, "block", "sdb"))
	os.WriteFile(filepath.Join(root, "mounts"), nil, 0o644)
	sys := drives.System{SysBlock: filepath.Join(root, "block"), Mounts: filepath.Join(root, "mounts"), Dev: "/dev"}

	var out bytes.Buffer
	if code := realMain([]string{"list"}, &out, &out, sys); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "/dev/sdb") || !strings.Contains(out.String(), "31.9 GB") || !strings.Contains(out.String(), "ok to write") {
		t.Fatalf("list:\n%s", out.String())
	}
	out.Reset()
	realMain([]string{"list", "--json"}, &out, &out, sys)
	var ds []drives.Drive
	if err := json.Unmarshal(out.Bytes(), &ds); err != nil || len(ds) != 1 || ds[0].Bus != "usb" {
		t.Fatalf("json: %v %s", err, out.String())
	}
	out.Reset()
	if code := realMain([]string{"list"}, &out, &out, drives.System{SysBlock: filepath.Join(root, "none")}); code != 1 || !strings.Contains(out.String(), "none") {
		t.Fatalf("bad sysfs: %d %s", code, out.String())
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 B", 31914983424: "31.9 GB", 2000398934016: "2.0 TB", 1500: "1.5 kB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %s, want %s", n, got, want)
		}
	}
}

package secretfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("secret-token-0123456789\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		mode os.FileMode
		who  string // "" = accepted
	}{
		{0o600, ""},
		{0o400, ""},
		{0o644, "group and others"},
		{0o604, "others"},
		{0o602, "others"},
		{0o660, "its group"},
	}
	for _, tc := range tests {
		p := write("t"+tc.mode.String(), tc.mode)
		b, err := Read(p, 64)
		if tc.who == "" {
			if err != nil || string(b) != "secret-token-0123456789\n" {
				t.Errorf("mode %04o: %q, %v", tc.mode, b, err)
			}
			continue
		}
		// The message names the file, its mode and the command to run.
		if !IsExposed(err) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), fmt.Sprintf("mode %04o", tc.mode)) ||
			!strings.Contains(err.Error(), tc.who+" may read") || !strings.Contains(err.Error(), "chmod 600 "+p) {
			t.Errorf("mode %04o: %v", tc.mode, err)
		}
	}
	if _, err := Read(write("big", 0o600), 8); err == nil || !strings.Contains(err.Error(), "larger than 8 bytes") {
		t.Errorf("oversized secret: %v", err)
	}
	if _, err := Read(dir, 64); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

// A group-readable file is refused unless root owns it and its group is
// the station's own: how the appliance image installs the hub's token.
func TestGroupReadable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "upstream.token")
	if err := os.WriteFile(p, []byte("tok"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o640)
	if os.Geteuid() != 0 {
		// Our own file, not root's: refused.
		if _, err := Read(p, 64); !IsExposed(err) {
			t.Fatalf("0640 file of ours: %v", err)
		}
		return
	}
	if err := os.Chown(p, 0, os.Getegid()); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p, 64); err != nil {
		t.Fatalf("0640 root:<our group>: %v", err)
	}
	if err := os.Chown(p, 0, os.Getegid()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p, 64); !IsExposed(err) || !strings.Contains(err.Error(), "its group may read") {
		t.Fatalf("0640 root:<another group>: %v", err)
	}
	os.Chown(p, 0, os.Getegid())
	os.Chmod(p, 0o660) // the group may change it: refused
	if _, err := Read(p, 64); !IsExposed(err) {
		t.Fatalf("0660 root:<our group>: %v", err)
	}
}

package fonts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// InstallFaces writes the screens' faces, writes a face again when it is
// cut short or has a wrong byte, leaves one that is right alone, and says
// where it could not write.
func TestInstallFaces(t *testing.T) {
	dir := t.TempDir()
	f, err := InstallFaces(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{f.Regular: Regular(), f.Bold: Bold()}
	check := func(when string) {
		t.Helper()
		for path, b := range want {
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, b) {
				t.Errorf("%s: %s is not the embedded face (%v)", when, filepath.Base(path), err)
			}
		}
	}
	check("first install")
	if err := os.WriteFile(f.Regular, Regular()[:100], 0o644); err != nil { // cut short
		t.Fatal(err)
	}
	flipped := bytes.Clone(Bold())
	flipped[len(flipped)/2] ^= 1 // the right size, one bit wrong
	if err := os.WriteFile(f.Bold, flipped, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallFaces(dir); err != nil {
		t.Fatal(err)
	}
	check("after a face cut short and one with a wrong byte")
	before, _ := os.Stat(f.Bold)
	if _, err := InstallFaces(dir); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(f.Bold); !os.SameFile(before, after) {
		t.Error("a face already installed was written again")
	}
	if _, err := InstallFaces(filepath.Join(f.Bold, "not-a-dir")); err == nil || !strings.Contains(err.Error(), "fonts: install the screens' faces") {
		t.Errorf("a directory that cannot be made: %v", err)
	}
}

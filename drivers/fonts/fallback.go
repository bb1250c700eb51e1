package fonts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// xdgDefault is XDG_DATA_DIRS when it is not set, as the XDG base
// directory specification has it.
const xdgDefault = "/usr/local/share:/usr/share"

// restSHA256 is the SHA-256 of DroidSansFallback-rest.ttf, so that an
// installed copy is checked without reading the 3.4 MB embedded in the
// binary: pages of it read at every start stay in the kiosk's resident
// set. TestDigests holds it to the embedded bytes.
const restSHA256 = "73792336cbef5fea2e045e2f28d28a2026d1516977424c1bef20f97a70f858f5"

// InstallFallback puts the full face (CJK) where Fyne looks among the
// system's fonts for a character its theme's face lacks: go-text's
// fontscan reads the fonts directory of each of $XDG_DATA_DIRS. It writes
// dir/fonts/DroidSansFallbackFull.ttf, unless that holds the face
// already, and returns what XDG_DATA_DIRS must be set to, before Fyne
// draws its first text, for the face to be found: dir, then xdgDataDirs
// (the variable's value as it is; the specification's default when
// empty). Fyne parses the face once, when it first looks among the
// system's fonts, however many text styles the screens use.
func InstallFallback(dir, xdgDataDirs string) (string, error) {
	fontDir := filepath.Join(dir, "fonts")
	path := filepath.Join(fontDir, RestName)
	if err := install(path, droidSansFallbackRest, restSHA256); err != nil {
		return "", fmt.Errorf("fonts: install the fallback face: %w", err)
	}
	if xdgDataDirs == "" {
		xdgDataDirs = xdgDefault
	}
	if strings.HasPrefix(xdgDataDirs, dir+string(os.PathListSeparator)) {
		return xdgDataDirs, nil
	}
	return dir + string(os.PathListSeparator) + xdgDataDirs, nil
}

// install writes b to path unless path holds it already: the same size
// and SHA-256 digest (hex), checked without reading b.
func install(path string, b []byte, digest string) error {
	if installed(path, int64(len(b)), digest) {
		return nil
	}
	return writeFile(path, b)
}

// installed reports whether path holds size bytes whose SHA-256 is
// digest (hex).
func installed(path string, size int64, digest string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != size {
		return false
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == digest
}

// writeFile writes b to path through a temporary file renamed into place,
// so that a face cut short by a power cut is never read.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".face-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

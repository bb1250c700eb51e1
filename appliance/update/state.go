package update

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// kept is what the manager remembers across restarts and reboots, in
// Dir/state.json: the last result, an update installed and not yet
// confirmed, and bundles RAUC refused (not fetched again).
type kept struct {
	Reason string     `json:"reason,omitempty"`
	Last   string     `json:"last,omitempty"`
	LastAt *time.Time `json:"last_at,omitempty"`
	// Installed is the version written to the other slot, From the one
	// that ran then; Rebooted says the station rebooted into it.
	Installed string `json:"installed,omitempty"`
	From      string `json:"from,omitempty"`
	Rebooted  bool   `json:"rebooted,omitempty"`
	// InstalledSHA is the SHA-256 of the hub's bundle of Installed:
	// refused like RAUC's refusals if the station comes back without it,
	// or the hub's same offer would be installed and rolled back again
	// at every check.
	InstalledSHA string `json:"installed_sha256,omitempty"`
	// Boot is the kernel's boot ID when it was installed: another one
	// at the next start means the station rebooted since.
	Boot string `json:"boot,omitempty"`
	// Refused are the SHA-256s of bundles RAUC refused (signature,
	// another system): the hub's same offer is not downloaded again.
	Refused []string `json:"refused,omitempty"`
}

const stateFile = "state.json"

// load reads the kept state; a missing or damaged file is a fresh start
// (it holds nothing a resident entered).
func (m *Manager) load() {
	data, err := os.ReadFile(filepath.Join(m.opt.Dir, stateFile))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			m.log.Warn("update: kept state not read", "err", err)
		}
		return
	}
	var k kept
	if err := json.Unmarshal(data, &k); err != nil {
		m.log.Warn("update: kept state damaged; starting afresh", "err", err)
		return
	}
	m.mu.Lock()
	m.kept = k
	m.mu.Unlock()
}

// save writes the kept state durably: a temporary file, fsynced, renamed
// over the old one, the directory fsynced.
func (m *Manager) save() {
	m.mu.Lock()
	data, err := json.MarshalIndent(m.kept, "", "  ")
	m.mu.Unlock()
	if err == nil {
		err = writeDurable(filepath.Join(m.opt.Dir, stateFile), data)
	}
	if err != nil {
		m.log.Error("update: state not saved", "err", err)
	}
}

func writeDurable(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (m *Manager) rememberRefused(sha string) {
	if sha == "" {
		return
	}
	m.mu.Lock()
	if !slices.Contains(m.kept.Refused, sha) {
		// The last few are enough: a hub offers one release at a time.
		m.kept.Refused = append(m.kept.Refused, sha)
		if len(m.kept.Refused) > 8 {
			m.kept.Refused = m.kept.Refused[1:]
		}
	}
	m.mu.Unlock()
	m.save()
}

func (m *Manager) refused(sha string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Contains(m.kept.Refused, sha)
}

// readVersion reads the running system's version file.
func readVersion(path string) (string, error) {
	if path == "" {
		return "", errors.New("no version file configured (update.version_file)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("version file (update.version_file): %w", err)
	}
	v := strings.TrimSpace(string(data))
	if err := wire.CheckVersion(v); err != nil {
		return "", fmt.Errorf("version file %s (update.version_file): %w", path, err)
	}
	return v, nil
}

// bundleName is a downloaded bundle's file name in Dir.
func bundleName(version, arch string) string { return version + "-" + arch + ".raucb" }

// keptDownload finds a bundle downloaded and checked before a restart
// that is newer than what runs; older ones are removed.
func (m *Manager) keptDownload(running string) *job {
	names, _ := filepath.Glob(filepath.Join(m.opt.Dir, "*-"+m.opt.Arch+".raucb"))
	var best *job
	for _, p := range names {
		v := strings.TrimSuffix(filepath.Base(p), "-"+m.opt.Arch+".raucb")
		c, err := wire.CompareVersions(v, running)
		if running == "" || err != nil || c <= 0 {
			os.Remove(p)
			continue
		}
		if best != nil {
			if c2, _ := wire.CompareVersions(v, best.version); c2 <= 0 {
				os.Remove(p)
				continue
			}
			os.Remove(best.path)
		}
		best = &job{version: v, path: p, source: SourceHub, ours: true}
	}
	return best
}

// bootID is this boot's ID from the kernel ("" where there is none).
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

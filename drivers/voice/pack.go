package voice

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestName is the manifest's file name in a pack's directory.
const ManifestName = "manifest.json"

// ManifestFormat is the version of the manifest this package reads and
// writes.
const ManifestFormat = 1

// maxManifest bounds the manifest read: a few hundred prompts take tens
// of kilobytes.
const maxManifest = 1 << 20

// Manifest describes a voice pack.
type Manifest struct {
	Format int `json:"format"`
	// Voice says who or what speaks: "espeak-ng 1.51 cmn", or the reader
	// and date of a recording.
	Voice string `json:"voice"`
	// Synthetic is true for a pack made by a speech synthesizer; the
	// station says so where staff see the pack.
	Synthetic bool    `json:"synthetic"`
	Prompts   []Entry `json:"prompts"`
}

// Entry is one prompt of a pack.
type Entry struct {
	ID     string `json:"id"`
	Text   string `json:"text"`   // what the audio says
	File   string `json:"file"`   // relative to the pack's directory
	SHA256 string `json:"sha256"` // of the file, lower-case hex
}

// ParseManifest reads and checks a manifest: every field present, IDs
// unique, files inside the pack. It does not look at the files.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) > maxManifest {
		return nil, fmt.Errorf("manifest of %d bytes, more than %d", len(data), maxManifest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if dec.More() {
		return nil, errors.New("manifest: more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("manifest: data after the JSON value")
	}
	if m.Format != ManifestFormat {
		return nil, fmt.Errorf("manifest: format %d, this station reads format %d", m.Format, ManifestFormat)
	}
	if strings.TrimSpace(m.Voice) == "" {
		return nil, errors.New(`manifest: "voice" is empty: say who or what speaks`)
	}
	if len(m.Prompts) == 0 {
		return nil, errors.New("manifest: no prompts")
	}
	seen := make(map[string]bool, len(m.Prompts))
	files := make(map[string]string, len(m.Prompts))
	for i, e := range m.Prompts {
		if e.ID == "" {
			return nil, fmt.Errorf("manifest: prompt %d has no id", i+1)
		}
		if seen[e.ID] {
			return nil, fmt.Errorf("manifest: prompt %q is listed twice", e.ID)
		}
		seen[e.ID] = true
		if err := e.check(); err != nil {
			return nil, fmt.Errorf("manifest: prompt %q: %w", e.ID, err)
		}
		if other, ok := files[e.File]; ok {
			return nil, fmt.Errorf("manifest: prompts %q and %q share the file %q", other, e.ID, e.File)
		}
		files[e.File] = e.ID
	}
	return &m, nil
}

func (e Entry) check() error {
	switch {
	case strings.TrimSpace(e.Text) == "":
		return errors.New(`"text" is empty: write what the audio says`)
	case e.File == "":
		return errors.New(`"file" is empty`)
	case strings.ContainsRune(e.File, '\\') || !filepath.IsLocal(e.File) || filepath.Clean(e.File) != e.File:
		return fmt.Errorf("file %q: want a plain path inside the pack's directory, such as %q", e.File, e.ID+".wav")
	case !strings.HasSuffix(strings.ToLower(e.File), ".wav"):
		return fmt.Errorf("file %q: want a .wav file (16-bit PCM)", e.File)
	case len(e.SHA256) != sha256.Size*2 || strings.ToLower(e.SHA256) != e.SHA256:
		return fmt.Errorf("sha256 %q: want %d lower-case hex digits (sha256sum's output)", e.SHA256, sha256.Size*2)
	}
	if _, err := hex.DecodeString(e.SHA256); err != nil {
		return fmt.Errorf("sha256 %q: want %d lower-case hex digits (sha256sum's output)", e.SHA256, sha256.Size*2)
	}
	return nil
}

// Pack is a loaded voice pack.
type Pack struct {
	dir     string
	m       Manifest
	entries map[string]Entry
	texts   map[string]string // the catalogue's
}

// LoadPack reads the pack in dir and checks it against the catalogue
// (prompt ID → text; ui/voiceprompt's): every file present, of the hash
// the manifest gives, a WAV the player can play, and every ID one the
// catalogue knows. Errors name the prompt and the file, for the
// technician who installed the pack. Prompts of the catalogue the pack
// lacks are not an error here: see Missing.
func LoadPack(dir string, catalogue map[string]string) (*Pack, error) {
	mpath := filepath.Join(dir, ManifestName)
	data, err := readLimited(mpath, maxManifest)
	if err != nil {
		return nil, fmt.Errorf("voice: pack %s: %w", dir, err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("voice: %s: %w", mpath, err)
	}
	p := &Pack{dir: dir, m: *m, entries: make(map[string]Entry, len(m.Prompts)), texts: maps.Clone(catalogue)}
	for _, e := range m.Prompts {
		if _, ok := catalogue[e.ID]; !ok {
			return nil, fmt.Errorf("voice: %s: prompt %q is not one the kiosk knows (an old or misspelt ID?)", mpath, e.ID)
		}
		if _, err := p.read(e); err != nil {
			return nil, err
		}
		p.entries[e.ID] = e
	}
	return p, nil
}

// read reads an entry's file, checks its hash and parses it: at load,
// and again at each play, so a file changed since is caught.
func (p *Pack) read(e Entry) (Clip, error) {
	path := filepath.Join(p.dir, e.File)
	b, err := readLimited(path, maxClip+1024)
	if err != nil {
		return Clip{}, fmt.Errorf("voice: prompt %q: %w", e.ID, err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.SHA256 {
		return Clip{}, fmt.Errorf("voice: prompt %q: %s has sha256 %x, the manifest says %s: the file was changed or damaged",
			e.ID, path, sum, e.SHA256)
	}
	c, err := parseWAV(b)
	if err != nil {
		return Clip{}, fmt.Errorf("voice: prompt %q: %s: %w", e.ID, path, err)
	}
	return c, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// Dir is the pack's directory.
func (p *Pack) Dir() string { return p.dir }

// Voice says who or what speaks in the pack.
func (p *Pack) Voice() string { return p.m.Voice }

// Synthetic reports whether the pack was made by a speech synthesizer.
func (p *Pack) Synthetic() bool { return p.m.Synthetic }

// Has reports whether the pack has audio for the prompt.
func (p *Pack) Has(id string) bool {
	_, ok := p.entries[id]
	return ok
}

// Clip reads the prompt's audio, checking its file again.
func (p *Pack) Clip(id string) (Clip, error) {
	e, ok := p.entries[id]
	if !ok {
		return Clip{}, fmt.Errorf("voice: prompt %q: no audio in the pack %s", id, p.dir)
	}
	return p.read(e)
}

// Missing returns, sorted, the catalogue's prompts the pack has no audio
// for: screens that would stay silent.
func (p *Pack) Missing() []string {
	var ids []string
	for id := range p.texts {
		if !p.Has(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Stale returns, sorted, the prompts whose recording says another text
// than the catalogue does now: recorded before the wording changed.
func (p *Pack) Stale() []string {
	var ids []string
	for id, e := range p.entries {
		if p.texts[id] != e.Text {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// WriteManifest writes m as dir's manifest, through a temporary file
// renamed into place, so a pack is never left with half a manifest.
func WriteManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("voice: manifest: %w", err)
	}
	if _, err := ParseManifest(b); err != nil {
		return fmt.Errorf("voice: will not write a manifest this package cannot read: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ManifestName+".*")
	if err != nil {
		return fmt.Errorf("voice: manifest: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("voice: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("voice: write %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("voice: manifest: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, ManifestName)); err != nil {
		return fmt.Errorf("voice: manifest: %w", err)
	}
	return nil
}

// FileEntry makes the entry for a prompt's file already in dir: its hash
// read from the file.
func FileEntry(dir, id, text, file string) (Entry, error) {
	b, err := readLimited(filepath.Join(dir, file), maxClip+1024)
	if err != nil {
		return Entry{}, fmt.Errorf("voice: prompt %q: %w", id, err)
	}
	if _, err := parseWAV(b); err != nil {
		return Entry{}, fmt.Errorf("voice: prompt %q: %s: %w", id, file, err)
	}
	sum := sha256.Sum256(b)
	return Entry{ID: id, Text: text, File: file, SHA256: hex.EncodeToString(sum[:])}, nil
}

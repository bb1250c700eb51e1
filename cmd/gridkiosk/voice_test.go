package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// writePack writes a pack of a short tone for each of the catalogue's
// first n prompts (all when n < 0).
func writePack(t *testing.T, dir string, n int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	all := voiceprompt.All()
	if n >= 0 {
		all = all[:n]
	}
	m := &voice.Manifest{Format: voice.ManifestFormat, Voice: "test tone", Synthetic: true}
	for _, p := range all {
		if err := os.WriteFile(filepath.Join(dir, p.ID+".wav"), tone(), 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := voice.FileEntry(dir, p.ID, p.Zh, p.ID+".wav")
		if err != nil {
			t.Fatal(err)
		}
		m.Prompts = append(m.Prompts, e)
	}
	if err := voice.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
}

// tone is 50 ms of a 16-bit mono 16 kHz square wave, as a WAV file.
func tone() []byte {
	const rate, samples = 16000, 800
	var data bytes.Buffer
	for i := range samples {
		v := int16(3000)
		if i/20%2 == 1 {
			v = -3000
		}
		binary.Write(&data, binary.LittleEndian, v)
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data.Len()))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data.Len()))
	b.Write(data.Bytes())
	return b.Bytes()
}

func writeConfig(t *testing.T, dir, packDir string) string {
	t.Helper()
	path := filepath.Join(dir, "gridkiosk.toml")
	cfg := strings.Replace(config.Example(), `pack_dir = "/usr/share/gridkiosk/voice"`, `pack_dir = "`+packDir+`"`, 1)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// config check names the voice pack's problems by key, line and file:
// a pack not there is a note (the kiosk will run silent), a damaged one
// an error.
func TestConfigCheckVoicePack(t *testing.T) {
	dir := t.TempDir()
	good, damaged := filepath.Join(dir, "good"), filepath.Join(dir, "damaged")
	writePack(t, good, -1)
	writePack(t, damaged, 3)
	if err := os.WriteFile(filepath.Join(damaged, voice.ManifestName), []byte(`{"format": 1, "voice": ""}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, pack string
		code       int
		want       []string
	}{
		{"good", good, 0, []string{": ok"}},
		{"missing", filepath.Join(dir, "none"), 0, []string{": ok", "note:", "voice.pack_dir", "none does not exist", "runs silent"}},
		{"damaged", damaged, 1, []string{"voice.pack_dir", "manifest.json", `"voice" is empty`}},
	} {
		path := writeConfig(t, t.TempDir(), tc.pack)
		var out bytes.Buffer
		code := realMain([]string{"config", "check", path}, &out, &out)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d:\n%s", tc.name, code, tc.code, out.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, out.String())
			}
		}
		if tc.name != "good" && !strings.Contains(out.String(), path+":") {
			t.Errorf("%s: the config file and line are not named:\n%s", tc.name, out.String())
		}
	}
}

// Without a pack the kiosk gets no player and says why; with one, it
// gets a player, and a pack lacking prompts is named.
func TestOpenVoice(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Voice.PackDir = filepath.Join(dir, "none")
	p, info := openVoice(&cfg, "", log)
	if p != nil || !strings.Contains(info.Problem, "voice.pack_dir") || !strings.Contains(info.Problem, "runs silent") {
		t.Errorf("no pack: player %v, info %+v", p, info)
	}
	cfg.Voice.PackDir = filepath.Join(dir, "part")
	writePack(t, cfg.Voice.PackDir, 5)
	p, info = openVoice(&cfg, "", log)
	if p == nil || !info.Synthetic || !strings.Contains(info.Problem, "no audio for") {
		t.Errorf("part pack: player %v, info %+v", p, info)
	}
	cfg.Voice.Enabled = false
	if p, _ := openVoice(&cfg, "", log); p != nil {
		t.Error("voice.enabled = false gave a player")
	}
}

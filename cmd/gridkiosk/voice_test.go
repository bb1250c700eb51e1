package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/sim/demo"
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

// run --simulate speaks through the real player: the kiosk's window on
// Xvfb, the demo config's pack (build/voice under the working directory),
// aplay playing to ALSA's default PCM, here a file plugin over the null
// device (ALSA_CONFIG_PATH), so no sound card is needed. The start
// screen's prompt must reach it. make test installs Xvfb and requires
// this test (GRIDKIOSK_XVFB=required); elsewhere it runs where Xvfb and
// aplay are.
func TestRunSimulateSpeaks(t *testing.T) {
	for _, prog := range []string{"Xvfb", "aplay"} {
		if _, err := exec.LookPath(prog); err != nil {
			if os.Getenv("GRIDKIOSK_XVFB") == "required" {
				t.Fatalf("%s not found: .ci/deps.sh test installs it", prog)
			}
			t.Skipf("%s not found (.ci/deps.sh test installs it)", prog)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	writePack(t, filepath.Join(dir, demo.DemoVoicePack), -1)
	played := filepath.Join(dir, "played.raw")
	asound := filepath.Join(dir, "asound.conf")
	conf := "</usr/share/alsa/alsa.conf>\npcm.!default { type file slave.pcm \"null\" file \"" + played + "\" format \"raw\" }\n"
	if err := os.WriteFile(asound, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	display := startXvfb(t, ctx)

	cmd := exec.CommandContext(ctx, os.Args[0], "run", "--simulate", "--data", filepath.Join(dir, "data"), "--admin", freeAddr(t))
	cmd.Dir = dir
	cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8",
		"DISPLAY=" + display, "ALSA_CONFIG_PATH=" + asound}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	// The tone of the start screen's prompt: 800 16-bit samples.
	const want = 1600
	for {
		fi, err := os.Stat(played)
		if err == nil && fi.Size() >= want && strings.Contains(out.String(), "gridkiosk: voice") {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no prompt reached ALSA (%v); the kiosk's log:\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if log := out.String(); !strings.Contains(log, "synthetic=true") || strings.Contains(log, "prompt not played") {
		t.Errorf("log:\n%s", log)
	}
}

// startXvfb starts an X server on a display it picks and returns the
// display's name; it stops when the test ends.
func startXvfb(t *testing.T, ctx context.Context) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.CommandContext(ctx, "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not say its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

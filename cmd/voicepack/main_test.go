package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

func needEspeak(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Fatal("espeak-ng not found: install it (.ci/deps.sh does)")
	}
}

// TestPackCoversCatalogue generates the default pack with the real
// espeak-ng and fails when any prompt of the catalogue has no audio in
// it, or audio that is silence: with voiceprompt's TestEveryScreenSpeaks,
// no screen goes without its spoken prompt.
func TestPackCoversCatalogue(t *testing.T) {
	needEspeak(t)
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-out", dir}, &out, &out); err != nil {
		t.Fatalf("voicepack: %v\n%s", err, out.String())
	}
	n := len(voiceprompt.All())
	if !strings.Contains(out.String(), "synthetic") || !strings.Contains(out.String(), " made, 0 kept") {
		t.Errorf("voicepack said %q", out.String())
	}
	p, err := voice.LoadPack(dir, catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Missing(); len(m) > 0 {
		t.Errorf("the generated pack has no audio for %v", m)
	}
	if s := p.Stale(); len(s) > 0 {
		t.Errorf("the generated pack says old texts for %v", s)
	}
	if !p.Synthetic() || !strings.Contains(p.Voice(), "espeak-ng") || !strings.Contains(p.Voice(), "cmn") {
		t.Errorf("pack voice %q, synthetic %v: want espeak-ng's cmn, marked synthetic", p.Voice(), p.Synthetic())
	}
	shortest, quietest, total := 1e9, 1<<16, 0.0
	for _, pr := range voiceprompt.All() {
		c, err := p.Clip(pr.ID)
		if err != nil {
			t.Errorf("prompt %q: %v", pr.ID, err)
			continue
		}
		// A single character takes espeak-ng about a quarter of a second;
		// a peak well above noise means something was said.
		if d, pk := c.Duration(), peak(c.Data); d < 0.15 || pk < 2000 {
			t.Errorf("prompt %q (%s): %.2f s, peak %d: silence, not speech", pr.ID, pr.Zh, d, pk)
		}
		shortest, quietest, total = min(shortest, c.Duration()), min(quietest, peak(c.Data)), total+c.Duration()
	}
	t.Logf("%d prompts, %.1f s in all; shortest %.2f s, quietest peak %d", n, total, shortest, quietest)
	// The card's beep is a tone in espeak-ng's format, so it and the
	// words before it go to ALSA as one stream.
	if b, err := p.Clip(voiceprompt.CardBeep); err == nil {
		if w, err := p.Clip(voiceprompt.TakeCard); err == nil && b.Format != w.Format {
			t.Errorf("the beep's format %+v differs from the words' %+v", b.Format, w.Format)
		}
	}
	wavs, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
	if len(wavs) != n {
		t.Errorf("%d WAV files for %d prompts", len(wavs), n)
	}

	// Again: everything kept. Then a damaged file is made anew and a
	// file of a prompt no longer in the catalogue removed.
	damaged := filepath.Join(dir, voiceprompt.TakeCard+".wav")
	if err := os.WriteFile(damaged, []byte("RIFF junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(dir, "screen.gone.wav")
	if err := os.WriteFile(orphan, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"-out", dir}, &out, &out); err != nil {
		t.Fatalf("voicepack again: %v", err)
	}
	if !strings.Contains(out.String(), "(espeak-ng") || !strings.Contains(out.String(), "; 1 made, ") {
		t.Errorf("second run said %q, want one prompt made anew", out.String())
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("the old prompt's file is still there: %v", err)
	}
	if _, err := voice.LoadPack(dir, catalogue()); err != nil {
		t.Errorf("after the second run: %v", err)
	}
	checkAndSay(t, dir)
}

// checkAndSay tries the technician's commands on a generated pack: check
// passes it and fails it once a prompt is taken out; say plays a prompt
// through aplay into ALSA's file plugin.
func checkAndSay(t *testing.T, dir string) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", dir}, &out, &out); err != nil {
		t.Errorf("check: %v\n%s", err, out.String())
	}
	if _, err := exec.LookPath("aplay"); err != nil {
		t.Fatal("aplay not found: install alsa-utils (.ci/deps.sh does)")
	}
	raw := filepath.Join(t.TempDir(), "out.raw")
	if err := run(context.Background(), []string{"say", "-pack", dir, "-device", "file:FILE=" + raw + ",FORMAT=raw", "char.R"}, &out, &out); err != nil {
		t.Errorf("say: %v", err)
	}
	wav, err := os.ReadFile(filepath.Join(dir, "char.R.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(raw); err != nil || !bytes.HasPrefix(got, wav[44:]) {
		t.Errorf("say: ALSA did not get char.R (%d bytes, %v)", len(got), err)
	}
	if err := run(context.Background(), []string{"say", "-pack", dir, "-device", "null", "screen.nowhere"}, &out, &out); err == nil ||
		!strings.Contains(err.Error(), `"screen.nowhere"`) {
		t.Errorf("say of an unknown prompt: %v", err)
	}

	b, err := os.ReadFile(filepath.Join(dir, voice.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := voice.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	m.Prompts = slices.DeleteFunc(m.Prompts, func(e voice.Entry) bool { return e.ID == voiceprompt.TakeCard })
	if err := voice.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(context.Background(), []string{"check", dir}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "no audio for 1 prompts: card.take") || !strings.Contains(out.String(), "请取回您的身份证") {
		t.Errorf("check of a pack without card.take: %v\n%s", err, out.String())
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-espeak", "gridkiosk-no-espeak", "-out", t.TempDir()}, "install Debian's espeak-ng"},
		{[]string{"-espeak", "true", "-out", t.TempDir()}, "not espeak-ng?"},
		{[]string{"-speed", "20", "-out", t.TempDir()}, "80 to 450"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-voice", "gridkiosk-no-voice", "-out", t.TempDir()}, `prompt "screen.attract"`},
	} {
		var out bytes.Buffer
		err := run(context.Background(), tc.args, &out, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("voicepack %v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

func peak(pcm []byte) int {
	m := 0
	for i := 0; i+1 < len(pcm); i += 2 {
		s := int(int16(binary.LittleEndian.Uint16(pcm[i:])))
		m = max(m, s, -s)
	}
	return m
}

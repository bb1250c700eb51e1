// Command voicepack generates the kiosk's default voice pack: one WAV
// file per prompt of ui/voiceprompt's catalogue, spoken by espeak-ng's
// Mandarin voice, and the pack's manifest (drivers/voice). The pack is
// synthetic and its manifest says so; a pack of human recordings in the
// same format replaces it.
//
// Usage:
//
//	voicepack [-out DIR] [-voice cmn] [-speed 140] [-espeak espeak-ng]
//	voicepack check DIR
//	voicepack say [-pack DIR] [-device D] [-volume N] ID...
//
// Prompts whose text, voice and file are unchanged since the last run are
// kept, so `make build` regenerates only what changed. check reads a pack,
// such as one of human recordings about to replace the default, and lists
// what the kiosk would find wrong or missing; say plays prompts through
// ALSA, to try a station's speaker.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "voicepack:", err)
		}
		os.Exit(2)
	}
}

// config is what one run generates.
type config struct {
	out    string
	voice  string // espeak-ng voice
	speed  int    // words per minute
	espeak string // the program
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return check(args[1:], stdout)
		case "say":
			return say(ctx, args[1:], stderr)
		}
	}
	fs := flag.NewFlagSet("voicepack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.out, "out", "build/voice", "the pack's directory (created)")
	fs.StringVar(&c.voice, "voice", "cmn", "espeak-ng voice: cmn is Mandarin")
	// espeak-ng's default is 175; older residents follow slower speech.
	fs.IntVar(&c.speed, "speed", 140, "words per minute")
	fs.StringVar(&c.espeak, "espeak", "espeak-ng", "the espeak-ng program")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	res, err := generate(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "voicepack: %d prompts in %s (%s; %d made, %d kept). This pack is synthetic.\n",
		res.made+res.kept, c.out, res.voice, res.made, res.kept)
	return nil
}

type result struct {
	voice      string
	made, kept int
}

// generate writes the pack into c.out.
func generate(ctx context.Context, c config) (result, error) {
	ver, err := espeakVersion(ctx, c.espeak)
	if err != nil {
		return result{}, err
	}
	if c.speed < 80 || c.speed > 450 {
		return result{}, fmt.Errorf("-speed %d: espeak-ng takes 80 to 450 words per minute", c.speed)
	}
	res := result{voice: fmt.Sprintf("espeak-ng %s, voice %s, %d words/min", ver, c.voice, c.speed)}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return result{}, fmt.Errorf("pack directory: %w", err)
	}
	old := previous(c.out, res.voice)
	m := &voice.Manifest{Format: voice.ManifestFormat, Voice: res.voice, Synthetic: true}
	keep := map[string]bool{voice.ManifestName: true}
	for _, p := range voiceprompt.All() {
		file := p.ID + ".wav"
		keep[file] = true
		if e, ok := old[p.ID]; ok && e.Text == p.Zh && e.File == file {
			if now, err := voice.FileEntry(c.out, p.ID, p.Zh, file); err == nil && now.SHA256 == e.SHA256 {
				m.Prompts = append(m.Prompts, now)
				res.kept++
				continue
			}
		}
		if t, ok := tones[p.ID]; ok {
			if err := writeTone(filepath.Join(c.out, file), t.hz, t.secs); err != nil {
				return result{}, fmt.Errorf("prompt %q: %w", p.ID, err)
			}
		} else if err := speak(ctx, c, p.Zh, filepath.Join(c.out, file)); err != nil {
			return result{}, fmt.Errorf("prompt %q: %w", p.ID, err)
		}
		e, err := voice.FileEntry(c.out, p.ID, p.Zh, file)
		if err != nil {
			return result{}, err
		}
		m.Prompts = append(m.Prompts, e)
		res.made++
	}
	if err := voice.WriteManifest(c.out, m); err != nil {
		return result{}, err
	}
	return res, removeOthers(c.out, keep)
}

// previous returns the entries of the pack already in dir if it was made
// by the same voice, or none.
func previous(dir, voiceName string) map[string]voice.Entry {
	b, err := os.ReadFile(filepath.Join(dir, voice.ManifestName))
	if err != nil {
		return nil
	}
	m, err := voice.ParseManifest(b)
	if err != nil || m.Voice != voiceName {
		return nil
	}
	out := make(map[string]voice.Entry, len(m.Prompts))
	for _, e := range m.Prompts {
		out[e.ID] = e
	}
	return out
}

// removeOthers removes the WAV files of prompts no longer in the
// catalogue, so the directory is the pack and nothing else of ours.
func removeOthers(dir string, keep map[string]bool) error {
	wavs, err := filepath.Glob(filepath.Join(dir, "*.wav"))
	if err != nil {
		return err
	}
	for _, w := range wavs {
		if !keep[filepath.Base(w)] {
			if err := os.Remove(w); err != nil {
				return fmt.Errorf("remove an old prompt: %w", err)
			}
		}
	}
	return nil
}

// espeakVersion asks espeak-ng for its version ("1.51"), which also
// proves it is installed.
func espeakVersion(ctx context.Context, prog string) (string, error) {
	cmd := exec.CommandContext(ctx, prog, "--version")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return "", fmt.Errorf("%s not found: install Debian's espeak-ng (.ci/deps.sh does)", prog)
	}
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", prog, err)
	}
	// "eSpeak NG text-to-speech: 1.51  Data at: …"
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "text-to-speech:" && i+1 < len(f) {
			return f[i+1], nil
		}
	}
	return "", fmt.Errorf("%s --version said %q: not espeak-ng?", prog, strings.TrimSpace(string(out)))
}

// speak has espeak-ng say text into a WAV file, written beside it and
// renamed into place. The text goes on standard input: a prompt is never
// taken for an option.
func speak(ctx context.Context, c config, text, path string) error {
	tmp := path + ".tmp"
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, c.espeak, "-v", c.voice, "-s", strconv.Itoa(c.speed), "--stdin", "-w", tmp)
	cmd.Stdin = strings.NewReader(text)
	// espeak-ng reads its input as UTF-8 whatever the locale; C keeps its
	// messages stable.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s -v %s: %w: %s", c.espeak, c.voice, err, strings.TrimSpace(string(out)))
	}
	return os.Rename(tmp, path)
}

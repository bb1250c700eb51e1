package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// catalogue is ui/voiceprompt's catalogue as LoadPack takes it.
func catalogue() map[string]string {
	m := map[string]string{}
	for _, p := range voiceprompt.All() {
		m[p.ID] = p.Zh
	}
	return m
}

// check loads a pack and reports what the kiosk would miss in it. A pack
// that fails to load, or lacks prompts, is an error: screens would stay
// silent.
func check(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("check: want the pack's directory: voicepack check DIR")
	}
	p, err := voice.LoadPack(args[0], catalogue())
	if err != nil {
		return err
	}
	kind := "recorded"
	if p.Synthetic() {
		kind = "synthetic"
	}
	fmt.Fprintf(stdout, "pack %s: %s, %s\n", p.Dir(), p.Voice(), kind)
	for _, id := range p.Stale() {
		pr, _ := voiceprompt.Lookup(id)
		fmt.Fprintf(stdout, "  %s: recorded for an older text; now %q\n", id, pr.Zh)
	}
	if m := p.Missing(); len(m) > 0 {
		for _, id := range m {
			pr, _ := voiceprompt.Lookup(id)
			fmt.Fprintf(stdout, "  %s: missing; should say %q\n", id, pr.Zh)
		}
		return fmt.Errorf("check: %s has no audio for %d prompts: %s", p.Dir(), len(m), strings.Join(m, ", "))
	}
	fmt.Fprintf(stdout, "  all %d prompts present\n", len(catalogue()))
	return nil
}

// say plays prompts of a pack through ALSA.
func say(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("voicepack say", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("pack", "build/voice", "the pack's directory")
	device := fs.String("device", "default", "the ALSA device (aplay -L lists them)")
	volume := fs.Int("volume", 100, "volume, percent of the recording")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("say: want prompt IDs, such as " + voiceprompt.Attract)
	}
	if *volume < 1 || *volume > 100 {
		return fmt.Errorf("say: -volume %d: want 1 to 100", *volume)
	}
	p, err := voice.LoadPack(*dir, catalogue())
	if err != nil {
		return err
	}
	return voice.NewPlayer(p, voice.Options{Device: *device, Volume: *volume}).Play(ctx, fs.Args()...)
}

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// openVoice loads the configured voice pack and makes the kiosk's player.
// Without a pack, or with a damaged one, the kiosk runs silent: a resident
// can register without the voice, so it never keeps the kiosk from
// starting, and the returned info says why for the health report and the
// technician's screen.
func openVoice(cfg *config.Config, cfgPath string, log *slog.Logger) (*voice.Player, appliance.VoiceInfo) {
	v := cfg.Voice
	info := appliance.VoiceInfo{Where: v.PackDir + " → ALSA " + v.Device}
	if !v.Enabled {
		return nil, info
	}
	pack, err := loadVoicePack(cfgPath, v.PackDir)
	if err != nil {
		info.Problem = err.Error() + "; the kiosk runs silent"
		log.Warn("gridkiosk: no voice", "err", err)
		return nil, info
	}
	info.Speaker, info.Synthetic = pack.Voice(), pack.Synthetic()
	var notes []string
	if m := pack.Missing(); len(m) > 0 {
		notes = append(notes, fmt.Sprintf("the pack has no audio for %d prompts (%s): the screens stay silent there; voicepack check %s lists them",
			len(m), strings.Join(m[:min(len(m), 3)], ", "), v.PackDir))
	}
	if _, err := exec.LookPath("aplay"); err != nil {
		notes = append(notes, "aplay not found: install alsa-utils")
	}
	info.Problem = strings.Join(notes, "; ")
	if info.Problem != "" {
		log.Warn("gridkiosk: voice", "problem", info.Problem)
	}
	log.Info("gridkiosk: voice", "pack", v.PackDir, "speaker", pack.Voice(), "synthetic", pack.Synthetic(), "device", v.Device)
	return voice.NewPlayer(pack, voice.Options{Device: v.Device, Log: log.With("component", "voice")}), info
}

// loadVoicePack loads the pack in dir against the prompt catalogue. Its
// errors name the config's key (and line, from the file at cfgPath) and
// the pack's file at fault.
func loadVoicePack(cfgPath, dir string) (*voice.Pack, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, config.KeyError(cfgPath, "voice.pack_dir", fmt.Sprintf("%s does not exist: install a voice pack there (make voice-pack makes the default one)", dir))
	case err != nil:
		return nil, config.KeyError(cfgPath, "voice.pack_dir", err.Error())
	case !fi.IsDir():
		return nil, config.KeyError(cfgPath, "voice.pack_dir", fmt.Sprintf("%s is not a directory", dir))
	}
	pack, err := voice.LoadPack(dir, catalogue())
	if err != nil {
		return nil, config.KeyError(cfgPath, "voice.pack_dir", err.Error())
	}
	return pack, nil
}

// catalogue is ui/voiceprompt's catalogue as a pack is checked against it.
func catalogue() map[string]string {
	all := voiceprompt.All()
	m := make(map[string]string, len(all))
	for _, p := range all {
		m[p.ID] = p.Zh
	}
	return m
}

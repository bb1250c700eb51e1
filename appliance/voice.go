package appliance

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// Voice is the kiosk's player (drivers/voice's Player), as far as the
// station sets it: staff's volume and mute.
type Voice interface {
	SetVolume(percent int)
	SetMuted(bool)
}

// VoiceInfo is what the caller that loaded the voice pack knows of it.
type VoiceInfo struct {
	Speaker   string // the pack's voice
	Synthetic bool
	// Problem is why the kiosk is silent (no pack, a damaged one), or
	// what its pack lacks; "" when all is well.
	Problem string
	// Where is the pack's directory and the ALSA device, for the health
	// report.
	Where string
}

// keptVoice is the outbox key of staff's voice settings.
const keptVoice = "voice/settings"

// voiceDesk is the station's voice: the player and staff's settings.
type voiceDesk struct {
	hw   Voice // nil: the kiosk does not speak
	info VoiceInfo

	mu  sync.Mutex
	set station.VoiceSettings
}

// loadVoice takes staff's kept settings at start and hands them to the
// player.
func (s *Station) loadVoice() {
	set := station.VoiceSettings{Volume: station.DefaultVolume}
	kept, err := s.box.KeptWith(keptVoice)
	switch {
	case err != nil:
		s.log.Error("appliance: the voice settings are not readable; full volume", "err", err)
	case len(kept) > 0:
		if err := json.Unmarshal(kept[0].Value, &set); err != nil || checkVoice(set) != nil {
			s.log.Error("appliance: the voice settings are damaged; full volume", "err", err)
			set = station.VoiceSettings{Volume: station.DefaultVolume}
		}
	}
	s.voice.set = set
	s.applyVoice(set)
}

func (s *Station) applyVoice(set station.VoiceSettings) {
	if s.voice.hw != nil {
		s.voice.hw.SetVolume(set.Volume)
		s.voice.hw.SetMuted(set.Muted)
	}
}

func checkVoice(set station.VoiceSettings) error {
	if set.Volume < station.MinVolume || set.Volume > 100 {
		return fmt.Errorf("appliance: volume %d%%: want %d to 100 (mute to silence the kiosk)", set.Volume, station.MinVolume)
	}
	return nil
}

// Voice reports the kiosk's voice and staff's settings.
func (s *Station) Voice() station.Voice {
	s.voice.mu.Lock()
	defer s.voice.mu.Unlock()
	return station.Voice{Present: s.voice.hw != nil, Speaker: s.voice.info.Speaker,
		Synthetic: s.voice.info.Synthetic, VoiceSettings: s.voice.set}
}

// SetVoice sets the volume and mute, and keeps them across restarts:
// returns once they are on disk. A volume out of range is refused.
func (s *Station) SetVoice(set station.VoiceSettings) (station.Voice, error) {
	if err := checkVoice(set); err != nil {
		return s.Voice(), err
	}
	b, _ := json.Marshal(set)
	s.voice.mu.Lock()
	defer s.voice.mu.Unlock()
	if err := s.box.Set(keptVoice, b); err != nil {
		return station.Voice{}, fmt.Errorf("appliance: keep the voice settings: %w", vocab(err))
	}
	s.voice.set = set
	s.applyVoice(set)
	s.log.Info("appliance: voice set by staff", "volume", set.Volume, "muted", set.Muted)
	return station.Voice{Present: s.voice.hw != nil, Speaker: s.voice.info.Speaker,
		Synthetic: s.voice.info.Synthetic, VoiceSettings: set}, nil
}

// voicePeripheral is the voice in the health report: absent when the
// config turns it off, missing (with why) when the kiosk is silent for
// want of a pack, ready otherwise.
func (s *Station) voicePeripheral() station.Peripheral {
	i := s.voice.info
	switch {
	case !s.cfg.Voice.Enabled:
		return station.Peripheral{State: "absent", Note: "voice.enabled is false"}
	case s.voice.hw == nil && i.Problem == "":
		// serve: no screen, nothing to say.
		return station.Peripheral{State: "absent", Note: "no screen"}
	case s.voice.hw == nil:
		return station.Peripheral{State: "missing", Where: i.Where, Note: i.Problem}
	}
	p := station.Peripheral{State: "ready", Where: i.Where, Note: i.Speaker}
	if i.Synthetic {
		p.Note += " (synthetic)"
	}
	if i.Problem != "" {
		p.Note += "; " + i.Problem
	}
	return p
}

package appliance_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/voice/voicesim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// Staff's volume and mute reach the player at once, are kept across a
// restart (and handed to the new player), and a volume out of range is
// refused and changes nothing.
func TestVoiceSettingsKept(t *testing.T) {
	dir := t.TempDir()
	open := func(p *voicesim.Recorder) *appliance.Station {
		st, err := appliance.New(appliance.Options{Config: demo.Config(dir, "", ""), Voice: p,
			VoiceInfo: appliance.VoiceInfo{Speaker: "espeak-ng 1.51 cmn", Synthetic: true, Where: "build/voice → ALSA default"},
			Log:       slog.New(slog.NewTextHandler(io.Discard, nil)), NTPSynced: func() bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	p := voicesim.New(nil)
	st := open(p)
	if v := st.Voice(); !v.Present || v.Volume != station.DefaultVolume || v.Muted || !v.Synthetic {
		t.Fatalf("fresh station: %+v", v)
	}
	if got := st.Health().Peripherals["voice"]; got.State != "ready" || !strings.Contains(got.Note, "synthetic") {
		t.Errorf("health: %+v", got)
	}
	if _, err := st.SetVoice(station.VoiceSettings{Volume: 60, Muted: true}); err != nil {
		t.Fatal(err)
	}
	if p.Volume() != 60 {
		t.Errorf("player volume %d, want 60", p.Volume())
	}
	p.Say("screen.attract")
	if len(p.Said()) != 0 {
		t.Error("the muted player spoke")
	}
	for _, bad := range []int{0, station.MinVolume - 1, 101} {
		if _, err := st.SetVoice(station.VoiceSettings{Volume: bad}); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("volume %d: %v", bad, err)
		}
	}
	if v := st.Voice(); v.Volume != 60 || !v.Muted {
		t.Errorf("after refusals: %+v", v)
	}
	st.Close()

	p2 := voicesim.New(nil)
	st = open(p2)
	defer st.Close()
	if v := st.Voice(); v.Volume != 60 || !v.Muted {
		t.Errorf("after the restart: %+v", v)
	}
	p2.Say("screen.attract")
	if p2.Volume() != 60 || len(p2.Said()) != 0 {
		t.Errorf("the new player: volume %d, said %q", p2.Volume(), p2.Said())
	}
}

// A kiosk without a pack is silent and its health says why, naming the
// config key; one with voice turned off says that.
func TestVoiceMissingInHealth(t *testing.T) {
	cfg := demo.Config(t.TempDir(), "", "")
	st := runStation(t, appliance.Options{Config: cfg,
		VoiceInfo: appliance.VoiceInfo{Where: "/nowhere → ALSA default", Problem: "voice.pack_dir: /nowhere does not exist; the kiosk runs silent"}})
	h := st.Health()
	if p := h.Peripherals["voice"]; p.State != "missing" || !strings.Contains(p.Note, "voice.pack_dir") {
		t.Errorf("voice: %+v", p)
	}
	if h.Status != "degraded" || !strings.Contains(strings.Join(h.Problems, "\n"), "runs silent") {
		t.Errorf("health %s %q", h.Status, h.Problems)
	}
	if v := st.Voice(); v.Present {
		t.Errorf("Voice: %+v", v)
	}

	off := demo.Config(t.TempDir(), "", "")
	off.Voice.Enabled = false
	st = runStation(t, appliance.Options{Config: off})
	if p := st.Health().Peripherals["voice"]; p.State != "absent" || !strings.Contains(p.Note, "voice.enabled") {
		t.Errorf("voice off: %+v", p)
	}
}

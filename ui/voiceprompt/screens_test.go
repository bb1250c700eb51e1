package voiceprompt_test

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/ui/kiosk"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// TestEveryScreenSpeaks fails when a resident screen of ui/kiosk has no
// prompt in the catalogue: a screen added to kiosk.Names must say what it
// wants of the resident. Together with cmd/voicepack's
// TestPackCoversCatalogue, no screen can be left without audio.
func TestEveryScreenSpeaks(t *testing.T) {
	for _, name := range kiosk.Names() {
		ids, ok := voiceprompt.Screen(name)
		if !ok || len(ids) == 0 {
			t.Errorf("screen %q has no spoken prompt: add it to voiceprompt.Screen", name)
			continue
		}
		for _, id := range ids {
			if _, ok := voiceprompt.Lookup(id); !ok {
				t.Errorf("screen %q speaks %q, which is not in the catalogue", name, id)
			}
		}
	}
	if _, ok := voiceprompt.Screen("no-such-screen"); ok {
		t.Error(`Screen("no-such-screen") answered`)
	}
}

package simpanel

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// The panel at the two sizes, in both languages, compared with images in
// testdata (see simui.AssertGolden).
func TestGolden(t *testing.T) {
	simui.SkipGoldenUnderRace(t)
	for _, sz := range simui.GoldenSizes() {
		name := "panel_" + sz.Name + ".png"
		t.Run(name, func(t *testing.T) {
			sim := &recorder{outputs: map[string]any{"leds": map[string]bool{"ready": true, "offline": true, "attention": true}, "relay": true, "beeps": 4}}
			p := New(sim, sim, sz.Lang)
			w := simui.Show(t, p.Content(), sz.Size)
			p.tap("code:forged")
			simui.AssertGolden(t, name, w)
		})
	}
}

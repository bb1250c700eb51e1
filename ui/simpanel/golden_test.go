package simpanel

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The panel at the two sizes, compared with images in testdata. A missing
// or different image is written to testdata/failed; look at it, and if it
// is right move it to testdata.
func TestGolden(t *testing.T) {
	if raceDetector {
		t.Skip("golden images are compared without -race: drawing them under the race detector takes a minute")
	}
	for _, sz := range []struct {
		name string
		size fyne.Size
		lang string
	}{
		{"1280x800", fyne.NewSize(1280, 800), "zh-CN"},
		{"800x480", fyne.NewSize(800, 480), "zh-CN"},
		{"800x480_en", fyne.NewSize(800, 480), "en"},
		{"1280x800_en", fyne.NewSize(1280, 800), "en"},
	} {
		name := "panel_" + sz.name + ".png"
		t.Run(name, func(t *testing.T) {
			sim := &recorder{outputs: map[string]any{"leds": map[string]bool{"ready": true, "offline": true, "attention": true}, "relay": true, "beeps": 4}}
			p := New(sim, sim, sz.lang)
			w := show(t, p.Content(), sz.size)
			p.tap("code:forged")
			w.Content().Refresh()
			test.AssertImageMatches(t, name, w.Canvas().Capture())
		})
	}
}

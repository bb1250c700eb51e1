package simui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// GoldenSize is a screen size and language a golden image is drawn at.
type GoldenSize struct {
	Name string // in the image's file name, as "800x480_en"
	Size fyne.Size
	Lang string
}

// GoldenSizes are the kiosk's two screens, the 1280×800 display and the
// 800×480 panel, each in Chinese and in English.
func GoldenSizes() []GoldenSize {
	return []GoldenSize{
		{"1280x800", fyne.NewSize(1280, 800), "zh-CN"},
		{"800x480", fyne.NewSize(800, 480), "zh-CN"},
		{"800x480_en", fyne.NewSize(800, 480), "en"},
		{"1280x800_en", fyne.NewSize(1280, 800), "en"},
	}
}

// SkipGoldenUnderRace skips t when the tests run under the race detector:
// drawing the golden images under it takes a minute.
func SkipGoldenUnderRace(t *testing.T) {
	t.Helper()
	if RaceDetector {
		t.Skip("golden images are compared without -race: drawing them under the race detector takes a minute")
	}
}

// AssertGolden compares what w shows with testdata/name in the test's
// package. A missing or different image is written to testdata/failed;
// look at it, and if it is right move it to testdata.
func AssertGolden(t *testing.T, name string, w fyne.Window) {
	t.Helper()
	// The kiosk's driver lays out again what changed size before it
	// draws; the test canvas does not.
	w.Content().Refresh()
	test.AssertImageMatches(t, name, w.Canvas().Capture())
}

package keyboard

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The keyboards drawn at the size the kiosk gives them, compared with
// images in testdata. A missing or different image is written to
// testdata/failed; look at it, and if it is right move it to testdata.
func TestGolden(t *testing.T) {
	tests := []struct {
		name  string
		size  fyne.Size
		build func(t *testing.T) fyne.CanvasObject
	}{
		{"pinyin_xiulan.png", fyne.NewSize(800, 364), func(t *testing.T) fyne.CanvasObject {
			k, _ := newPinyin(t)
			typeLetters(k, "xiulan")
			return k
		}},
		{"pinyin_page2.png", fyne.NewSize(800, 364), func(t *testing.T) fyne.CanvasObject {
			k, _ := newPinyin(t)
			typeLetters(k, "zh")
			test.Tap(k.next)
			return k
		}},
		{"pinyin_latin.png", fyne.NewSize(800, 364), func(t *testing.T) fyne.CanvasObject {
			k, _ := newPinyin(t)
			test.Tap(k.mode)
			return k
		}},
		{"paged_wang.png", pagedSize, func(t *testing.T) fyne.CanvasObject {
			k, _ := newPaged(t)
			typePaged(t, k, "wang")
			return k
		}},
		{"paged_latin.png", pagedSize, func(t *testing.T) fyne.CanvasObject {
			k, _ := newPaged(t)
			test.Tap(k.mode)
			return k
		}},
		{"numeric_x.png", fyne.NewSize(400, 400), func(t *testing.T) fyne.CanvasObject {
			p, _ := newKeypad(t, 'X')
			return p
		}},
		{"numeric.png", fyne.NewSize(400, 400), func(t *testing.T) fyne.CanvasObject {
			p, _ := newKeypad(t, 0)
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.build(t)
			w := test.NewTempWindow(t, o)
			w.SetPadded(false)
			w.Resize(tc.size)
			test.AssertImageMatches(t, tc.name, w.Canvas().Capture())
		})
	}
}

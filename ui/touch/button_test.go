package touch

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestButtonIsATouchTarget(t *testing.T) {
	test.NewTempApp(t)
	tapped := 0
	b := NewButton("", widget.MediumImportance, func() { tapped++ })
	if m := b.MinSize(); m.Width < Size || m.Height < Size {
		t.Errorf("an empty button's least size %v is under %v square", m, Size)
	}
	long := NewButton("重新发送全部被退回的记录", widget.HighImportance, nil)
	if m := long.MinSize(); m.Width <= Size {
		t.Errorf("a long label's button is only %v wide", m.Width)
	}
	test.Tap(b)
	if tapped != 1 {
		t.Errorf("tapped %d times", tapped)
	}
}

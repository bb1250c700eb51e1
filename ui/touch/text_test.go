package touch

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestLabelWraps(t *testing.T) {
	test.NewTempApp(t)
	if l := NewLabel("x", true); l.Wrapping != fyne.TextWrapWord {
		t.Error("a wrapped label does not wrap")
	}
}

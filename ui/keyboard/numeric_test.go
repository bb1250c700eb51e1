package keyboard

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func newKeypad(t *testing.T, extra rune) (*NumericKeypad, *field) {
	t.Helper()
	p := NewNumericKeypad(extra)
	f := &field{}
	p.OnKey = func(r rune) { f.commit(string(r)) }
	p.OnBackspace = f.backspace
	p.OnDone = func() { f.done++ }
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(400, 400))
	return p, f
}

func TestNumericKeypadTypesIDNumber(t *testing.T) {
	p, f := newKeypad(t, 'X')
	const id = "11010519491231002X"
	for _, r := range id {
		test.Tap(p.keys[r])
	}
	test.Tap(p.done)
	if f.String() != id || f.done != 1 {
		t.Fatalf("typed %q, done %d times; want %q, once", f, f.done, id)
	}
}

func TestNumericKeypadBackspace(t *testing.T) {
	tests := []struct {
		taps string // digits, and < for 删除
		want string
	}{
		{"12<", "1"},
		{"12<<", ""},
		{"<<1", "1"},
		{"1X<0", "10"},
	}
	for _, tc := range tests {
		p, f := newKeypad(t, 'X')
		for _, r := range tc.taps {
			if r == '<' {
				test.Tap(p.back)
			} else {
				test.Tap(p.keys[r])
			}
		}
		if f.String() != tc.want {
			t.Errorf("%s: typed %q, want %q", tc.taps, f, tc.want)
		}
	}
}

func TestNumericKeypadWithoutExtra(t *testing.T) {
	p, f := newKeypad(t, 0)
	if len(p.keys) != 10 {
		t.Fatalf("%d character keys, want the 10 digits", len(p.keys))
	}
	test.Tap(p.keys['0'])
	if f.String() != "0" {
		t.Fatalf("typed %q", f)
	}
	// 0 takes the extra key's place: the whole bottom row but 确认.
	if got := p.keys['0'].Size().Width; got < 3*KeySize {
		t.Errorf("0 is %v wide, want 3 keys' width", got)
	}
}

// Nil callbacks are allowed: a screen may not care about 删除.
func TestNumericKeypadNilCallbacks(t *testing.T) {
	p := NewNumericKeypad('X')
	test.Tap(p.keys['1'])
	test.Tap(p.back)
	test.Tap(p.done)
}

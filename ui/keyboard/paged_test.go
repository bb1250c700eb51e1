package keyboard

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

// pagedSize is what the manual-name screen leaves the paged keyboard in
// the large mode on the 7-inch panel at scale 1: 800 across, 381 high.
var pagedSize = fyne.NewSize(800, 381)

// largeKeys are the large mode's key sizes on the 7-inch panel: an 18 mm
// target is 94.7 units.
var largeKeys = Sizes{Key: 94.7, Digit: 57.9, Letter: 50, Label: 42.1}

func newPaged(t *testing.T) (*PinyinKeyboard, *field) {
	t.Helper()
	k := NewPagedPinyinKeyboard(pinyin.New())
	k.SetSizes(largeKeys)
	f := &field{}
	k.OnCommit = f.commit
	k.OnBackspace = f.backspace
	k.OnDone = func() { f.done++ }
	w := test.NewTempWindow(t, k)
	w.SetPadded(false)
	w.Resize(pagedSize)
	return k, f
}

// typePaged taps the letters of s as a resident would: the switch first
// when a letter is in the half not shown.
func typePaged(t *testing.T, k *PinyinKeyboard, s string) {
	t.Helper()
	for _, r := range s {
		b := k.letters[r-'a']
		if !b.Visible() {
			test.Tap(k.flip)
		}
		if !b.Visible() {
			t.Fatalf("%c is hidden after the switch", r)
		}
		test.Tap(b)
	}
}

// Half the letters at a time, in the alphabet's order, the switch naming
// the other half; the composition stays across a switch.
func TestPagedHalves(t *testing.T) {
	k, _ := newPaged(t)
	if !k.Paged() {
		t.Fatal("not paged")
	}
	shown := func() string {
		var s []rune
		for i, b := range k.letters {
			if b.Visible() {
				s = append(s, rune('a'+i))
			}
		}
		return string(s)
	}
	steps := []struct{ shown, flip string }{
		{"abcdefghijklm", "n–z"},
		{"nopqrstuvwxyz", "a–m"},
		{"abcdefghijklm", "n–z"},
	}
	for i, s := range steps {
		if i > 0 {
			test.Tap(k.flip)
		}
		if shown() != s.shown || k.flip.label != s.flip {
			t.Fatalf("step %d: shows %q, switch %q; want %q, %q", i, shown(), k.flip.label, s.shown, s.flip)
		}
	}
	typePaged(t, k, "zha")
	if k.Composition() != "zha" || shown() != "abcdefghijklm" {
		t.Errorf("composition %q, shown %q", k.Composition(), shown())
	}
	// In Latin mode the switch names capitals, as the keys show them.
	test.Tap(k.mode)
	if k.flip.label != "N–Z" || k.letters[0].label != "A" {
		t.Errorf("latin: switch %q, key a %q", k.flip.label, k.letters[0].label)
	}
	if NewPinyinKeyboard(pinyin.New()).Paged() {
		t.Error("the QWERTY keyboard says it is paged")
	}
}

// A name typed across both halves, picked from four candidates a page,
// paging and 删除 as on the QWERTY keyboard.
func TestPagedTypesName(t *testing.T) {
	k, f := newPaged(t)
	typePaged(t, k, "wang")
	tapCandidate(t, k, "王")
	typePaged(t, k, "xiulan")
	tapCandidate(t, k, "秀")
	tapCandidate(t, k, "兰")
	if f.String() != "王秀兰" || k.Composition() != "" {
		t.Fatalf("typed %q with %q left, want 王秀兰", f, k.Composition())
	}
	all := pinyin.New().Candidates("shi", 2*PagedCandidates)
	typePaged(t, k, "shi")
	if got := k.Page(); !slices.Equal(got, all[:PagedCandidates]) {
		t.Fatalf("shi: page %v, want %v", got, all[:PagedCandidates])
	}
	test.Tap(k.next)
	if got := k.Page(); !slices.Equal(got, all[PagedCandidates:]) {
		t.Fatalf("shi, 下一页: page %v, want %v", got, all[PagedCandidates:])
	}
	test.Tap(k.back)
	test.Tap(k.space)
	test.Tap(k.done)
	if want := "王秀兰" + pinyin.New().Candidates("sh", 1)[0]; f.String() != want || f.done != 1 {
		t.Errorf("after 删除, 空格, 确认: typed %q, done %d; want %q, 1", f, f.done, want)
	}
}

// Every key the paged keyboard shows is at least its key size, eight
// across the 7-inch panel, and labelled.
func TestPagedKeySizes(t *testing.T) {
	k, _ := newPaged(t)
	// Eight keys across; three rows under a composition line at least
	// one and a half of its letters high.
	m := k.MinSize()
	if m.Width != 8*largeKeys.Key || m.Height < 3*largeKeys.Key+1.5*largeKeys.Label {
		t.Errorf("MinSize %v", m)
	}
	if m.Width > pagedSize.Width || m.Height > pagedSize.Height {
		t.Errorf("MinSize %v does not fit the %v the screen leaves it", m, pagedSize)
	}
	for half := range 2 {
		keys := append([]*key{k.mode, k.prev, k.next, k.space, k.back, k.done, k.flip}, k.candKeys...)
		for _, b := range k.letters {
			if b.Visible() {
				keys = append(keys, b)
			}
		}
		if len(keys) != 7+PagedCandidates+halfLetters {
			t.Errorf("half %d: %d keys shown", half, len(keys))
		}
		for _, b := range keys {
			if s := b.Size(); s.Width < largeKeys.Key || s.Height < largeKeys.Key {
				t.Errorf("half %d: key %q%q is %v", half, b.label, b.sub, s)
			}
			if b.label == "" && b.icon == "" && !slices.Contains(k.candKeys, b) {
				t.Errorf("half %d: a key with no label", half)
			}
		}
		test.Tap(k.flip)
	}
}

package keyboard

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

func newPinyin(t *testing.T) (*PinyinKeyboard, *field) {
	t.Helper()
	k := NewPinyinKeyboard(pinyin.New())
	f := &field{}
	k.OnCommit = f.commit
	k.OnBackspace = f.backspace
	k.OnDone = func() { f.done++ }
	w := test.NewTempWindow(t, k)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 364))
	return k, f
}

func typeLetters(k *PinyinKeyboard, s string) {
	for _, r := range s {
		test.Tap(k.letters[r-'a'])
	}
}

// tapCandidate pages forward until c is on the candidate bar, and taps it.
func tapCandidate(t *testing.T, k *PinyinKeyboard, c string) {
	t.Helper()
	for range 10 {
		if i := slices.Index(k.Page(), c); i >= 0 {
			test.Tap(k.candKeys[i])
			return
		}
		test.Tap(k.next)
	}
	t.Fatalf("%s not among the candidates for %q", c, k.Composition())
}

func TestPinyinTypesName(t *testing.T) {
	k, f := newPinyin(t)
	typeLetters(k, "wang")
	tapCandidate(t, k, "王")
	typeLetters(k, "xiulan")
	tapCandidate(t, k, "秀")
	if k.Composition() != "lan" {
		t.Fatalf("after 秀 the composition is %q, want lan", k.Composition())
	}
	tapCandidate(t, k, "兰")
	if f.String() != "王秀兰" || k.Composition() != "" {
		t.Fatalf("typed %q with %q left, want 王秀兰", f, k.Composition())
	}
}

func TestPinyinBackspace(t *testing.T) {
	k, f := newPinyin(t)
	typeLetters(k, "wang")
	tapCandidate(t, k, "王")
	typeLetters(k, "lix")
	steps := []struct{ comp, text string }{
		{"li", "王"}, // a letter of the composition goes
		{"l", "王"},
		{"", "王"},
		{"", ""}, // then the committed character
		{"", ""},
	}
	for i, s := range steps {
		test.Tap(k.back)
		if k.Composition() != s.comp || f.String() != s.text {
			t.Fatalf("after 删除 %d: composition %q, text %q; want %q, %q", i+1, k.Composition(), f, s.comp, s.text)
		}
	}
}

func TestPinyinPaging(t *testing.T) {
	k, _ := newPinyin(t)
	all := pinyin.New().Candidates("shi", 3*PageSize)
	typeLetters(k, "shi")
	steps := []struct {
		tap  *key
		want []string
	}{
		{k.prev, all[:PageSize]}, // nothing before the first page
		{k.next, all[PageSize : 2*PageSize]},
		{k.next, all[2*PageSize : 3*PageSize]},
		{k.prev, all[PageSize : 2*PageSize]},
		{k.prev, all[:PageSize]},
	}
	for i, s := range steps {
		test.Tap(s.tap)
		if got := k.Page(); !slices.Equal(got, s.want) {
			t.Fatalf("step %d: page %v, want %v", i+1, got, s.want)
		}
	}
	if !k.prev.disabled || k.next.disabled {
		t.Error("on the first page 上一页 should be off and 下一页 on")
	}
	// A new letter starts again from the first page.
	test.Tap(k.next)
	typeLetters(k, "n")
	if got := k.Page(); !slices.Equal(got, pinyin.New().Candidates("shin", PageSize)) {
		t.Errorf("after a letter the page is %v", got)
	}
}

func TestPinyinLastPage(t *testing.T) {
	k, _ := newPinyin(t)
	typeLetters(k, "lue") // 略 掠 锊: one short page
	if len(k.Page()) == 0 || len(k.Page()) >= PageSize || !k.next.disabled {
		t.Fatalf("lue: page %v, 下一页 off %v", k.Page(), k.next.disabled)
	}
	test.Tap(k.next)
	if k.Page()[0] != "略" {
		t.Fatalf("下一页 past the last page moved to %v", k.Page())
	}
	if !k.candKeys[PageSize-1].disabled {
		t.Error("an empty candidate key is tappable")
	}
	test.Tap(k.candKeys[PageSize-1]) // must do nothing
}

func TestPinyinSpace(t *testing.T) {
	tests := []struct {
		name, letters, want, left string
	}{
		{"first candidate", "wang", "王", ""},
		{"first syllable only", "xiulan", "修", "lan"},
		{"nothing to convert", "", " ", ""},
		{"no candidates", "u", "u", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, f := newPinyin(t)
			typeLetters(k, tc.letters)
			test.Tap(k.space)
			if f.String() != tc.want || k.Composition() != tc.left {
				t.Errorf("typed %q, left %q; want %q, %q", f, k.Composition(), tc.want, tc.left)
			}
		})
	}
}

func TestPinyinLatin(t *testing.T) {
	k, f := newPinyin(t)
	typeLetters(k, "wa")
	test.Tap(k.mode) // the pending letters go as they are
	if !k.Latin() || f.String() != "wa" || k.Composition() != "" {
		t.Fatalf("latin %v, typed %q, left %q", k.Latin(), f, k.Composition())
	}
	typeLetters(k, "abc")
	test.Tap(k.space)
	test.Tap(k.back)
	test.Tap(k.back)
	if f.String() != "waAB" || k.letters[0].label != "A" {
		t.Fatalf("typed %q, key a reads %q", f, k.letters[0].label)
	}
	test.Tap(k.mode)
	typeLetters(k, "li")
	tapCandidate(t, k, "李")
	if k.Latin() || f.String() != "waAB李" || k.letters[0].label != "a" {
		t.Fatalf("back in pinyin: typed %q, key a reads %q", f, k.letters[0].label)
	}
}

func TestPinyinDone(t *testing.T) {
	k, f := newPinyin(t)
	typeLetters(k, "wangi") // wang + i, which no syllable starts with
	test.Tap(k.done)
	if f.done != 1 || k.Composition() != "" || f.String() != "王i" {
		t.Fatalf("done %d, typed %q, left %q", f.done, f, k.Composition())
	}
	k.Reset()
	test.Tap(k.done)
	if f.done != 2 || f.String() != "王i" {
		t.Fatalf("done %d, typed %q", f.done, f)
	}
}

func TestPinyinCompositionLine(t *testing.T) {
	k, _ := newPinyin(t)
	tests := []struct{ letters, want string }{
		{"", "请输入拼音 Type pinyin"},
		{"x", "x"},
		{"xiulan", "xiu'lan"},
		{"zhangu", "zhan'gu"},
		{"wangi", "wang'i"},
		// Letters past maxComposition are ignored.
		{"wangxiulanzhangsanlisiwangwuzhaoliu", "wang'xiu'lan'zhang'san'li'si'wa"},
	}
	for _, tc := range tests {
		k.Reset()
		typeLetters(k, tc.letters)
		if k.compText.Text != tc.want {
			t.Errorf("%s: composition line %q, want %q", tc.letters, k.compText.Text, tc.want)
		}
	}
}

// Every key is at least KeySize square at the kiosk's full width.
func TestKeySizes(t *testing.T) {
	k, _ := newPinyin(t)
	// 364 of the panel's 480 pixels, leaving 116 for the field and a title.
	if got := k.MinSize(); got != fyne.NewSize(10*KeySize, compositionHeight+4*KeySize) {
		t.Errorf("pinyin keyboard MinSize %v", got)
	}
	keys := append([]*key{k.prev, k.next, k.back, k.mode, k.space, k.done}, k.letters[:]...)
	keys = append(keys, k.candKeys[:]...)
	for _, b := range keys {
		if s := b.Size(); s.Width < KeySize || s.Height < KeySize {
			t.Errorf("key %q%q is %v", b.label, b.sub, s)
		}
	}
	p, _ := newKeypad(t, 'X')
	if got := p.MinSize(); got != fyne.NewSize(4*KeySize, 4*KeySize) {
		t.Errorf("keypad MinSize %v", got)
	}
}

package keyboard

import (
	"strings"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

// PagedCandidates is how many candidates the paged keyboard shows at once.
const PagedCandidates = 4

// halfLetters is how many letters the paged keyboard shows at once: a–m,
// then n–z.
const halfLetters = 13

// NewPagedPinyinKeyboard returns a pinyin keyboard of eight keys across,
// for a space where the QWERTY keyboard's ten would be narrower than a
// target (the large mode's 18 mm on the 7-inch panel, 152 mm wide). The
// letters come half at a time, in the alphabet's order residents learnt
// pinyin in, behind a key that shows the other half:
//
//	[英文] [上一页] 候 选 字 …… [下一页] [空格]
//	 a  b  c  d  e  f  g        [删除]
//	 h  i  j  k  l  m  [n–z]    [确认]
//
// It types as the QWERTY keyboard does.
func NewPagedPinyinKeyboard(e *pinyin.Engine) *PinyinKeyboard {
	k := newPinyinKeyboard(e, PagedCandidates)
	k.back.label, k.back.sub = "删除", "Delete"
	k.flip = newKey(&k.sz, "", "", roleLabel, function, k.turnHalf)
	g := &grid{cols: 8, rows: 3, sz: &k.sz}
	var objs []fyne.CanvasObject
	add := func(b *key, col, row int) {
		objs = append(objs, b)
		g.cells = append(g.cells, cell{col: col, row: row, cols: 1, rows: 1})
	}
	add(k.mode, 0, 0)
	add(k.prev, 1, 0)
	for i, b := range k.candKeys {
		add(b, 2+i, 0)
	}
	add(k.next, 2+PagedCandidates, 0)
	add(k.space, 7, 0)
	// Both halves share the cells; the one not shown is hidden.
	for i, b := range k.letters {
		j := i % halfLetters
		add(b, j%7, 1+j/7)
	}
	add(k.flip, 6, 2)
	add(k.back, 7, 1)
	add(k.done, 7, 2)
	k.build(g, objs)
	k.showHalf()
	return k
}

// Paged reports whether the keyboard shows its letters half at a time.
func (k *PinyinKeyboard) Paged() bool { return k.flip != nil }

// turnHalf shows the other half of the letters. The composition stays:
// a syllable's letters are often in both halves.
func (k *PinyinKeyboard) turnHalf() {
	k.half = 1 - k.half
	k.showHalf()
}

// showHalf shows the paged keyboard's half of the letters and names the
// other on the switch; on the QWERTY keyboard it does nothing.
func (k *PinyinKeyboard) showHalf() {
	if k.flip == nil {
		return
	}
	for i, b := range k.letters {
		if i/halfLetters == k.half {
			b.Show()
		} else {
			b.Hide()
		}
	}
	other := "n–z"
	if k.half == 1 {
		other = "a–m"
	}
	if k.latin {
		other = strings.ToUpper(other)
	}
	k.flip.label = other
	k.flip.Refresh()
}

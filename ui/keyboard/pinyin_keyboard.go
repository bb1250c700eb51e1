package keyboard

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

// PageSize is how many candidates the QWERTY keyboard's candidate bar
// shows at once.
const PageSize = 8

// compositionHeight is the height of the composition line.
const compositionHeight float32 = 44

// maxComposition bounds the letters awaiting conversion: more than a few
// syllables is a mistake, and the composition line has room for about this
// many.
const maxComposition = 24

// PinyinKeyboard is a QWERTY keyboard with a pinyin input method. Letters
// typed go into the composition line; the candidate bar above the letters
// shows the characters for its first syllable, most common first, and
// tapping one commits it and drops that syllable from the composition.
//
//	[上一页] 候 选 字 …… [下一页]
//	 q  w  e  r  t  y  u  i  o  p
//	 a  s  d  f  g  h  j  k  l  [删除]
//	[英文] z  x  c  v  b  n  m  [空格] [确认]
//
// 空格 (space) commits the first candidate on the page, or a space when
// there is nothing to convert. 删除 deletes the last letter of the
// composition, or, when it is empty, asks the owner to delete the last
// character committed. 英文 switches to Latin capitals, which are
// committed as they are typed, and back. 确认 (OK) commits what is still
// in the composition, first candidate by first candidate, then reports
// that typing is done.
//
// Its callbacks run on Fyne's goroutine; set them before showing it.
type PinyinKeyboard struct {
	widget.BaseWidget

	// OnCommit receives text to insert: a character, a Latin letter or a
	// space.
	OnCommit func(text string)
	// OnBackspace is called when 删除 is tapped with nothing in the
	// composition: the last committed character should go.
	OnBackspace func()
	// OnDone is called when 确认 is tapped, after the composition is
	// committed.
	OnDone func()

	engine *pinyin.Engine
	latin  bool
	comp   string   // letters typed, not yet converted
	page   int      // of candidates, from 0
	per    int      // candidates to a page
	cands  []string // on the current page
	more   bool     // a further page exists
	half   int      // of the paged keyboard's letters: 0 a–m, 1 n–z

	sz         Sizes
	letters    [26]*key
	candKeys   []*key
	flip       *key // the paged keyboard's a–m / n–z switch; nil on QWERTY
	prev, next *key
	back, mode *key
	space      *key
	done       *key
	modeTag    *canvas.Text
	compLine   *fyne.Container // the mode tag and the composition
	compText   *canvas.Text
	strut      *canvas.Rectangle
	content    fyne.CanvasObject
}

// NewPinyinKeyboard returns a keyboard in pinyin mode that converts with e.
func NewPinyinKeyboard(e *pinyin.Engine) *PinyinKeyboard {
	k := newPinyinKeyboard(e, PageSize)
	g := &grid{cols: 10, rows: 4, sz: &k.sz}
	var objs []fyne.CanvasObject
	add := func(b *key, col, row int) {
		objs = append(objs, b)
		g.cells = append(g.cells, cell{col: col, row: row, cols: 1, rows: 1})
	}
	add(k.prev, 0, 0)
	for i, b := range k.candKeys {
		add(b, 1+i, 0)
	}
	add(k.next, 9, 0)
	for row, letters := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"} {
		start := 0
		if row == 2 {
			start = 1 // after the switch key
		}
		for i, r := range letters {
			add(k.letters[r-'a'], start+i, row+1)
		}
	}
	add(k.back, 9, 2)
	add(k.mode, 0, 3)
	add(k.space, 8, 3)
	add(k.done, 9, 3)
	k.build(g, objs)
	return k
}

// newPinyinKeyboard makes a keyboard's keys, per candidates to a page,
// for a layout to place.
func newPinyinKeyboard(e *pinyin.Engine, per int) *PinyinKeyboard {
	k := &PinyinKeyboard{engine: e, sz: DefaultSizes(), per: per}
	k.ExtendBaseWidget(k)
	k.prev = k.iconKey("上一页", iconPrev, func() { k.turn(-1) })
	k.candKeys = make([]*key, per)
	for i := range k.candKeys {
		k.candKeys[i] = newKey(&k.sz, "", "", roleDigit, plain, func() { k.choose(i) })
	}
	k.next = k.iconKey("下一页", iconNext, func() { k.turn(1) })
	for i := range k.letters {
		r := rune('a' + i)
		k.letters[i] = newKey(&k.sz, string(r), "", roleLetter, plain, func() { k.letter(r) })
	}
	k.back = k.iconKey("删除", iconBackspace, k.backspace)
	k.mode = newKey(&k.sz, "英文", "ABC", roleLabel, function, k.switchMode)
	k.space = newKey(&k.sz, "空格", "space", roleLabel, function, k.spaceBar)
	k.done = newKey(&k.sz, "确认", "OK", roleLabel, confirm, k.finish)
	return k
}

// build puts the composition line over the keys laid out by g.
func (k *PinyinKeyboard) build(g *grid, objs []fyne.CanvasObject) {
	k.content = container.NewStack(canvas.NewRectangle(backplate),
		container.New(topBar{}, k.compositionLine(), container.New(g, objs...)))
	k.update()
}

// iconKey returns a function key showing an icon over a small caption.
func (k *PinyinKeyboard) iconKey(caption, icon string, onTap func()) *key {
	b := newKey(&k.sz, "", caption, roleLabel, function, onTap)
	b.icon = icon
	return b
}

// compositionLine shows the mode and the letters awaiting conversion. It is
// not a touch target, so it can be lower than a key.
func (k *PinyinKeyboard) compositionLine() fyne.CanvasObject {
	k.modeTag = canvas.NewText("", paper)
	k.modeTag.TextSize = k.sz.Label
	k.modeTag.TextStyle.Bold = true
	// The bold face as the tag's own source, so that Fyne does not parse
	// its Latin bold face behind it: the kiosk's has every letter.
	k.modeTag.FontSource = theme.Current().Font(k.modeTag.TextStyle)
	k.compText = canvas.NewText("", ink)
	k.compText.TextSize = k.compSize()
	tag := container.NewStack(canvas.NewRectangle(slate), container.NewPadded(k.modeTag))
	k.strut = canvas.NewRectangle(paper)
	k.strut.SetMinSize(fyne.NewSize(0, compositionHeight))
	k.compLine = container.NewHBox(container.NewCenter(tag), k.compText)
	return container.NewStack(k.strut, k.compLine)
}

// compSize is the type size of the letters being composed: a little
// smaller than the keys' letters, in a line lower than a key. On the
// paged keyboard, whose line is most of what a screen in the large mode
// says, it is at least the labels' size, the body text's.
func (k *PinyinKeyboard) compSize() float32 {
	s := k.sz.Letter * 28 / 34
	if k.flip != nil {
		s = max(s, k.sz.Label)
	}
	return s
}

// SetSizes sizes the keys and their type; call it before showing the
// keyboard.
func (k *PinyinKeyboard) SetSizes(s Sizes) {
	k.sz = s
	k.modeTag.TextSize, k.compText.TextSize = s.Label, k.compSize()
	k.strut.SetMinSize(fyne.NewSize(0, max(compositionHeight, 1.5*k.compSize())))
}

// CreateRenderer implements fyne.Widget.
func (k *PinyinKeyboard) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(k.content)
}

// Composition returns the letters typed and not yet converted.
func (k *PinyinKeyboard) Composition() string { return k.comp }

// Page returns the candidates the candidate bar shows.
func (k *PinyinKeyboard) Page() []string { return append([]string(nil), k.cands...) }

// Latin reports whether the keyboard types Latin letters rather than pinyin.
func (k *PinyinKeyboard) Latin() bool { return k.latin }

// Reset empties the composition without committing it, for when the field
// being typed into changes.
func (k *PinyinKeyboard) Reset() {
	k.comp, k.page = "", 0
	k.update()
}

func (k *PinyinKeyboard) commit(s string) {
	if k.OnCommit != nil && s != "" {
		k.OnCommit(s)
	}
}

func (k *PinyinKeyboard) letter(r rune) {
	if k.latin {
		k.commit(string(unicode.ToUpper(r)))
		return
	}
	if len(k.comp) < maxComposition {
		k.comp += string(r)
		k.page = 0
		k.update()
	}
}

// choose commits the i-th candidate on the page.
func (k *PinyinKeyboard) choose(i int) {
	if i >= len(k.cands) {
		return
	}
	_, rest := k.engine.Split(k.comp)
	k.commit(k.cands[i])
	k.comp, k.page = rest, 0
	k.update()
}

// commitFirst commits the page's first candidate or, if the composition
// has none, its letters as they are.
func (k *PinyinKeyboard) commitFirst() {
	if len(k.cands) > 0 {
		k.choose(0)
		return
	}
	k.commit(k.comp)
	k.comp, k.page = "", 0
	k.update()
}

func (k *PinyinKeyboard) spaceBar() {
	if k.comp == "" {
		k.commit(" ")
		return
	}
	k.commitFirst()
}

func (k *PinyinKeyboard) backspace() {
	if k.comp == "" {
		call(k.OnBackspace)
		return
	}
	k.comp, k.page = k.comp[:len(k.comp)-1], 0
	k.update()
}

func (k *PinyinKeyboard) turn(by int) {
	k.page = max(0, k.page+by)
	k.update()
}

// switchMode commits the composition's letters as they are, as other
// input methods do when switched mid-word, and changes mode.
func (k *PinyinKeyboard) switchMode() {
	k.commit(k.comp)
	k.comp, k.page = "", 0
	k.latin = !k.latin
	for i, b := range k.letters {
		r := rune('a' + i)
		if k.latin {
			r = unicode.ToUpper(r)
		}
		b.set(string(r), plain, false)
	}
	k.showHalf()
	if k.latin {
		k.mode.label, k.mode.sub = "中文", "拼音"
	} else {
		k.mode.label, k.mode.sub = "英文", "ABC"
	}
	k.mode.Refresh()
	k.update()
}

func (k *PinyinKeyboard) finish() {
	// Every commitFirst shortens the composition, so this ends.
	for k.comp != "" {
		k.commitFirst()
	}
	call(k.OnDone)
}

// update fetches the page's candidates and redraws what depends on them.
func (k *PinyinKeyboard) update() {
	k.cands, k.more = nil, false
	if k.comp != "" {
		// One more than the page holds tells whether there is a next page.
		all := k.engine.Candidates(k.comp, (k.page+1)*k.per+1)
		for k.page > 0 && k.page*k.per >= len(all) {
			k.page--
		}
		end := min(len(all), (k.page+1)*k.per)
		k.cands, k.more = all[k.page*k.per:end], len(all) > end
	}
	for i, b := range k.candKeys {
		switch {
		case i >= len(k.cands):
			b.set("", plain, true)
		case i == 0:
			b.set(k.cands[i], chosen, false)
		default:
			b.set(k.cands[i], plain, false)
		}
	}
	k.prev.set("", function, k.page == 0)
	k.next.set("", function, !k.more)
	k.showComposition()
}

func (k *PinyinKeyboard) showComposition() {
	k.modeTag.Text = "拼音"
	k.compText.Color = ink
	switch {
	case k.latin:
		k.modeTag.Text = "英文 ABC"
		k.compText.Text, k.compText.Color = "字母直接输入 Letters go straight in", greyText
		if k.flip != nil {
			// The line's type is larger there: the short English fits.
			k.compText.Text = "字母直接输入 Type letters"
		}
	case k.comp == "":
		k.compText.Text, k.compText.Color = "请输入拼音 Type pinyin", greyText
	default:
		k.compText.Text = k.syllables()
	}
	// The tag's and the text's widths change with them: lay the line out
	// again, or the tag stays as wide as 拼音 under 英文 ABC.
	k.compLine.Refresh()
}

// syllables writes the composition as the engine splits it, xiu'lan.
func (k *PinyinKeyboard) syllables() string {
	var parts []string
	for rest := k.comp; rest != ""; {
		first, r := k.engine.Split(rest)
		if first == "" {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, first)
		rest = r
	}
	return strings.Join(parts, "'")
}

package kiosk

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// pager shows a long text (the personal-information notice) a page at a
// time rather than in type smaller than the screen's: the lines that fit
// its height, and 上一页 / 下一页 under them when the text runs to more
// than a page. A scroll would do the same for a mouse; an elderly
// resident's finger finds a button more surely than a drag.
type pager struct {
	widget.BaseWidget
	p          *para
	prev, next *button
	at         *canvas.Text // "2/3"
	page       int
}

func (a *App) newPager(p *para) *pager {
	g := &pager{p: p, at: text("", a.sz.body, muted, false)}
	g.at.Alignment = fyne.TextAlignCenter
	g.prev = a.newButton(a.tr("上一页", "Back"), plain, a.act(func() { g.turn(-1) }))
	g.next = a.newButton(a.tr("下一页", "Next page"), primary, a.act(func() { g.turn(1) }))
	g.ExtendBaseWidget(g)
	return g
}

func (g *pager) turn(by int) {
	g.page += by
	g.Refresh()
}

// navHeight is the height of the page buttons' row.
func (g *pager) navHeight() float32 {
	return max(g.prev.MinSize().Height, g.next.MinSize().Height)
}

// pages splits the text's lines at width into pages of at most height,
// each page its lines' indexes; one page when it all fits.
func (g *pager) pages(width, height float32) [][]int {
	ls := g.p.lines(width, g.p.size)
	lh := lineHeight(g.p.size)
	if g.p.height(width, g.p.size) <= height {
		all := make([]int, len(ls))
		for i := range ls {
			all[i] = i
		}
		return [][]int{all}
	}
	avail := max(height-g.navHeight()-gap, lh)
	var out [][]int
	var cur []int
	used := float32(0)
	for i, l := range ls {
		h := lh
		if l == "" {
			if len(cur) == 0 {
				continue // no gap at the top of a page
			}
			h = lh * paraGap
		}
		if used+h > avail && len(cur) > 0 {
			out = append(out, cur)
			cur, used = nil, 0
			if l == "" {
				continue
			}
		}
		cur = append(cur, i)
		used += h
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// MinSize implements fyne.CanvasObject: three lines and the buttons, at
// the least; a page holds what its height allows.
func (g *pager) MinSize() fyne.Size {
	h := min(g.p.MinSize().Height, 3*lineHeight(g.p.size)+gap+g.navHeight())
	return fyne.NewSize(g.p.wrapAt, h)
}

// CreateRenderer implements fyne.Widget.
func (g *pager) CreateRenderer() fyne.WidgetRenderer {
	r := &pagerRenderer{g: g}
	r.Refresh()
	return r
}

type pagerRenderer struct {
	g     *pager
	lines []*canvas.Text
	objs  []fyne.CanvasObject
}

func (r *pagerRenderer) Destroy() {}

func (r *pagerRenderer) MinSize() fyne.Size { return r.g.MinSize() }

func (r *pagerRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *pagerRenderer) Layout(size fyne.Size) {
	g, p := r.g, r.g.p
	ls := p.lines(size.Width, p.size)
	pages := g.pages(size.Width, size.Height)
	g.page = min(max(g.page, 0), len(pages)-1)
	lh := lineHeight(p.size)
	r.objs = r.objs[:0]
	y := float32(0)
	for n, i := range pages[g.page] {
		if ls[i] == "" {
			y += lh * paraGap
			continue
		}
		for len(r.lines) <= n {
			r.lines = append(r.lines, text("", p.size, p.c, p.bold))
		}
		t := r.lines[n]
		t.Text, t.Color, t.TextSize = ls[i], p.c, p.size
		setBold(t, p.bold)
		t.Move(fyne.NewPos(0, y))
		t.Resize(fyne.NewSize(size.Width, lh))
		r.objs = append(r.objs, t)
		y += lh
	}
	if len(pages) < 2 {
		return
	}
	// The buttons at the foot of the page, 上一页 only past the first and
	// 下一页 only before the last: a greyed button is hard to read.
	nh := g.navHeight()
	ny := size.Height - nh
	bw := max(g.prev.MinSize().Width, g.next.MinSize().Width)
	g.at.Text = fmt.Sprintf("%d/%d", g.page+1, len(pages))
	g.at.Move(fyne.NewPos(bw+gap, ny))
	g.at.Resize(fyne.NewSize(size.Width-2*(bw+gap), nh))
	r.objs = append(r.objs, g.at)
	if g.page > 0 {
		g.prev.Move(fyne.NewPos(0, ny))
		g.prev.Resize(fyne.NewSize(bw, nh))
		r.objs = append(r.objs, g.prev)
	}
	if g.page < len(pages)-1 {
		g.next.Move(fyne.NewPos(size.Width-bw, ny))
		g.next.Resize(fyne.NewSize(bw, nh))
		r.objs = append(r.objs, g.next)
	}
}

func (r *pagerRenderer) Refresh() {
	r.Layout(r.g.Size())
	for _, o := range r.objs {
		o.Refresh()
	}
}

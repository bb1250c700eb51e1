package tech

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// logLines is how many of the latest lines the page keeps.
const logLines = 200

// logPage is the station's recent log lines, newest at the bottom.
type logPage struct {
	s       *Screen
	text    *widget.Label
	scroll  *container.Scroll
	last    string
	content fyne.CanvasObject
}

func newLogPage(s *Screen) *logPage {
	p := &logPage{s: s, text: widget.NewLabel("")}
	p.text.TextStyle.Monospace = true
	p.text.SizeName = theme.SizeNameCaptionText
	p.text.Wrapping = fyne.TextWrapBreak
	p.scroll, p.content = paged(p.text)
	return p
}

func (p *logPage) show(lines []string) {
	if len(lines) > logLines {
		lines = lines[len(lines)-logLines:]
	}
	text := strings.Join(lines, "\n")
	if text == p.last && p.text.Text != "" {
		return // leave the technician's place in the log alone
	}
	p.last = text
	if text == "" {
		text = p.s.tr("（还没有日志）", "(no log lines yet)")
	}
	p.text.SetText(text)
	p.scroll.ScrollToBottom()
}

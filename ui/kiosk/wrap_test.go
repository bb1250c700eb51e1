package kiosk

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/internal/linebreak"
	"github.com/gridkiosk/gridkiosk/ui"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"请核对信息。", []string{"请", "核", "对", "信", "息。"}},
		{"Lay your card", []string{"Lay ", "your ", "card"}},
		{"住址（从证件读取），您", []string{"住", "址", "（从", "证", "件", "读", "取），", "您"}},
		{"保存 30 天", []string{"保", "存 ", "30 ", "天"}},
	}
	for _, tc := range tests {
		if got := tokens(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("tokens(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// Lines never start with closing punctuation and never exceed the width,
// except a single character that is wider on its own.
func TestWrap(t *testing.T) {
	s := "为了给您登记和办事，本站收集：姓名、证件号码、性别、出生日期。To register you, this station collects your name."
	for _, width := range []float32{120, 300, 772} {
		for _, l := range wrap(s, testBody, false, width) {
			if linebreak.NoStart([]rune(l)[0]) {
				t.Errorf("width %.0f: line starts with punctuation: %q", width, l)
			}
		}
	}
	if got := wrap("", testBody, false, 100); len(got) != 1 {
		t.Errorf("wrap of nothing = %q", got)
	}
}

// The screen and the paper break a text the same way: given room for the
// same number of Chinese characters, the kiosk's lines are the receipt
// printer's, punctuation and all.
func TestScreenAndPaperBreakAlike(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.NewTheme())
	texts := []string{
		"为了给您登记和办事，本站收集：姓名、证件号码、性别、出生日期。",
		"住址（从证件读取），您可以修改。请带《身份证》原件！",
		"「办事指南」：一、带好证件；二、排队取号？三、等候叫号！【注意】请稍候。",
	}
	em := fyne.MeasureText("幸", testBody, fyne.TextStyle{}).Width
	for _, s := range texts {
		for _, r := range s {
			// The premise: in the bundled font every character here is
			// one em wide, as each is two columns on the paper.
			if w := fyne.MeasureText(string(r), testBody, fyne.TextStyle{}).Width; w != em {
				t.Fatalf("%q is %v wide on the screen, not one em (%v)", r, w, em)
			}
		}
		for n := 2; n <= 20; n++ {
			paper := printer.Wrap(s, 2*n)
			screen := wrap(s, testBody, false, float32(n)*em+em/2)
			if !slices.Equal(screen, paper) {
				t.Errorf("%d characters a line:\nscreen %q\npaper  %q", n, screen, paper)
			}
		}
	}
}

// Where a Latin word makes the screen's lines and the paper's differ in
// length, both still break only where package linebreak allows.
func TestScreenAndPaperBreakByOneRule(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.NewTheme())
	s := "请在 9:00-17:00 之间来办事（周一至周五），Please come between 9:00 and 17:00 (Mon–Fri), e-mail: help@example.com。"
	allowed := map[int]bool{} // ink offsets where a line may break
	n := 0
	for _, seg := range linebreak.Segments(s) {
		n += len(inkOf(seg))
		allowed[n] = true
	}
	check := func(who string, lines []string) {
		t.Helper()
		at := 0
		for _, l := range lines[:len(lines)-1] {
			at += len(inkOf(l))
			if !allowed[at] {
				t.Errorf("%s broke after %q, where linebreak allows no break: %q", who, l, lines)
			}
		}
		if got, want := inkOf(strings.Join(lines, "")), inkOf(s); got != want {
			t.Errorf("%s lost characters: %q", who, lines)
		}
	}
	em := fyne.MeasureText("幸", testBody, fyne.TextStyle{}).Width
	widest := fyne.MeasureText("help@example.com。", testBody, fyne.TextStyle{}).Width
	for cols := 18; cols <= 60; cols++ { // every piece fits a line: nothing is cut
		check("paper", printer.Wrap(s, cols))
		check("screen", wrap(s, testBody, false, max(float32(cols)*em/2, widest)))
	}
}

// inkOf is s without its spaces, which a break may drop.
func inkOf(s string) string { return strings.ReplaceAll(s, " ", "") }

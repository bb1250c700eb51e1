package linebreak

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The marks of 禁则: every one the printer's and the screen's breakers
// knew before they shared this rule, and the ones neither did.
func TestMarks(t *testing.T) {
	tests := []struct {
		marks          string
		noStart, noEnd bool
	}{
		{"。，、；：？！", true, false},        // Chinese stops and pauses
		{"．｡､", true, false},            // full- and half-width stops, half-width comma
		{"）］｝》」』】〕〉〗〙〛｠｣", true, false}, // closing brackets
		{"”’〞〟", true, false},           // closing quotes
		{"…‥‼⁇⁈⁉", true, false},         // ellipsis, doubled stops
		{"·・％", true, false},            // middle dots of foreign names, per cent
		{",.;:?!)]}%", true, false},     // ASCII, mixed into Chinese text
		{"（［｛《「『【〔〈〖〘〚｟｢", false, true},
		{"“‘〝", false, true},
		{"([{", false, true},
		{"幸福aZ09-—_/#@ ", false, false},
	}
	for _, tt := range tests {
		for _, r := range tt.marks {
			if got := NoStart(r); got != tt.noStart {
				t.Errorf("NoStart(%q) = %v, want %v", r, got, tt.noStart)
			}
			if got := NoEnd(r); got != tt.noEnd {
				t.Errorf("NoEnd(%q) = %v, want %v", r, got, tt.noEnd)
			}
		}
	}
}

func TestWide(t *testing.T) {
	for _, r := range "幸福あア한，。（）《》「」　ＡＢ１" {
		if !Wide(r) {
			t.Errorf("Wide(%q) = false", r)
		}
	}
	for _, r := range "aZ09 ,.-é·…—“”ｱ" {
		if Wide(r) {
			t.Errorf("Wide(%q) = true", r)
		}
	}
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		before, after rune
		spaced        bool
		want          bool
	}{
		{'幸', '福', false, true}, // Chinese breaks anywhere
		{'a', '幸', false, true}, // on either side of a wide character
		{'幸', '1', false, true},
		{'a', 'b', false, false}, // Latin breaks at spaces
		{'a', 'b', true, true},
		{'-', 'm', false, true},  // and after a hyphen in a word
		{'-', '1', false, false}, // but not inside a number range or a minus
		{'站', '，', false, false}, // no closing mark starts a line
		{'站', '。', true, false},  // not even after a space
		{'取', '）', false, false},
		{'）', '，', false, false},
		{'d', '.', false, false},
		{'《', '身', false, false}, // no opening mark ends a line
		{'（', 'A', true, false},
		{'带', '《', false, true},  // before an opening mark is fine
		{'，', '办', false, true},  // after a closing one too
		{'—', '—', false, false}, // a two-em dash stays whole
		{'说', '—', false, true},
		{'—', '走', false, true},
		{'…', '…', false, false}, // and an ellipsis
	}
	for _, tt := range tests {
		if got := Allowed(tt.before, tt.after, tt.spaced); got != tt.want {
			t.Errorf("Allowed(%q, %q, %v) = %v, want %v", tt.before, tt.after, tt.spaced, got, tt.want)
		}
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"请核对信息。", []string{"请", "核", "对", "信", "息。"}},
		{"Lay your card", []string{"Lay ", "your ", "card"}},
		{"住址（从证件读取），您", []string{"住", "址", "（从", "证", "件", "读", "取），", "您"}},
		{"保存 30 天", []string{"保", "存 ", "30 ", "天"}},
		{"  indented text", []string{"  indented ", "text"}},
		{"Hello ，world", []string{"Hello ，", "world"}},
		{"e-mail", []string{"e-", "mail"}},
		{"他说——走了……", []string{"他", "说", "——", "走", "了……"}},
		{"办理ABC业务", []string{"办", "理", "ABC", "业", "务"}},
		{"trailing  ", []string{"trailing  "}},
		{"a\xffb 幸", []string{"a\xffb ", "幸"}},
	}
	for _, tt := range tests {
		if got := Segments(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Segments(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Segments loses nothing, breaks only where Allowed says, and everywhere
// it says.
func FuzzSegments(f *testing.F) {
	for _, s := range []string{"", "hello world", "幸福湾社区党群服务站", "办理ABC业务，请带《身份证》。",
		"  a  b  ", "（从证件读取），您", "他说——走了……", "e-mail 1-2", "\xff\xfe", "Hello ，world"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs := Segments(s)
		if got := strings.Join(segs, ""); got != s {
			t.Fatalf("Segments(%q) = %q: joined %q", s, segs, got)
		}
		for i, seg := range segs {
			if seg == "" {
				t.Fatalf("Segments(%q) = %q: an empty piece", s, segs)
			}
			if i > 0 {
				before, spaced := lastInk(segs[i-1])
				after, _ := utf8.DecodeRuneInString(seg)
				if after == ' ' || NoStart(after) || NoEnd(before) || !Allowed(before, after, spaced) {
					t.Fatalf("Segments(%q) = %q: broken between %q and %q", s, segs, segs[i-1], seg)
				}
			}
			// No place inside a piece where a line may break.
			var prev rune
			have, spaced := false, false
			for _, r := range seg {
				if r == ' ' {
					spaced = have
					continue
				}
				if have && Allowed(prev, r, spaced) {
					t.Fatalf("Segments(%q) = %q: %q may break before %q", s, segs, seg, r)
				}
				prev, have, spaced = r, true, false
			}
		}
	})
}

// lastInk is the last character of s that is not a space, and whether
// spaces follow it.
func lastInk(s string) (rune, bool) {
	t := strings.TrimRight(s, " ")
	r, _ := utf8.DecodeLastRuneInString(t)
	return r, len(t) < len(s)
}

func BenchmarkSegments(b *testing.B) {
	s := "为了给您登记和办事，本站收集：姓名、证件号码、性别、出生日期。To register you, this station collects your name (from the card)."
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Segments(s)
	}
}

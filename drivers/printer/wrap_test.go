package printer

import (
	"slices"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/internal/linebreak"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"幸福", 4},
		{"a幸", 3},
		{"回执 No.1", 9},
		{"，", 2},
		{"é", 2}, // A8 A6 in GB18030: the printer's 24-dot font
		{"·", 2},
		{"😀", 2},
	}
	for _, tt := range tests {
		if got := Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s    string
		cols int
		want []string
	}{
		{"", 32, []string{""}},
		{"\n", 32, []string{""}},
		{"abc", 32, []string{"abc"}},
		{"a\nb\n", 32, []string{"a", "b"}},
		{"a\n\nb", 32, []string{"a", "", "b"}},
		{"hello world foo", 11, []string{"hello world", "foo"}},
		{"hello world", 5, []string{"hello", "world"}},
		{"abc   def", 4, []string{"abc", "def"}},
		{"abcd efgh", 4, []string{"abcd", "efgh"}},
		{"  abc def", 6, []string{"  abc", "def"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"see https://example.com/a/long/path", 12, []string{"see", "https://exam", "ple.com/a/lo", "ng/path"}},
		{"e-mail-address", 8, []string{"e-mail-", "address"}},
		{"幸福湾社区党群服务站", 8, []string{"幸福湾社", "区党群服", "务站"}},
		{"幸福湾", 5, []string{"幸福", "湾"}}, // odd columns: never half a character
		{"办理ABC业务", 6, []string{"办理", "ABC业", "务"}},
		{"服务站，办事", 6, []string{"服务", "站，办", "事"}},   // no "，" at a line's start
		{"请带《身份证》", 6, []string{"请带", "《身份", "证》"}}, // nor "《" at its end
		{"幸福湾社区 Service Station", 16, []string{"幸福湾社区", "Service Station"}},
		{"第1号窗口", 4, []string{"第1", "号窗", "口"}},
		{"ab 幸福", 4, []string{"ab", "幸福"}},                       // the space dropped, not left at the end
		{"幸", 1, []string{"幸"}},                                  // columns below 2 are 2
		{"a Hello ，world", 8, []string{"a", "Hello ，", "world"}}, // nor after a space
		{"Hello ，world", 6, []string{"Hello", "，", "world"}},     // unless it must
		{"【注意】请带证件", 8, []string{"【注意】", "请带证件"}},
		{"see 1( 2", 7, []string{"see", "1( 2"}},  // "(" does not end "see 1("
		{"他说——走了", 6, []string{"他说", "——走", "了"}}, // a dash is not split
		{"请稍候……好了", 8, []string{"请稍", "候……好", "了"}},
	}
	for _, tt := range tests {
		got := Wrap(tt.s, tt.cols)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.s, tt.cols, got, tt.want)
		}
	}
}

func TestWrapWideHalvesColumns(t *testing.T) {
	// Text blocks in Wide style wrap to half the columns.
	s := "幸福湾社区党群服务站" // 20 columns
	if got := Wrap(s, Profile58().Columns); len(got) != 1 {
		t.Errorf("normal width: %q", got)
	}
	if got := Wrap(s, Profile58().Columns/2); !slices.Equal(got, []string{"幸福湾社区党群服", "务站"}) {
		t.Errorf("double width: %q", got)
	}
}

func TestKVLines(t *testing.T) {
	tests := []struct {
		key, value string
		cols       int
		want       []string
	}{
		{"编号", "42", 16, []string{"编号:" + strings.Repeat(" ", 9) + "42"}},
		{"Name", "Zhang San", 16, []string{"Name:  Zhang San"}},
		{"Name", "Zhang San", 15, []string{"Name: Zhang San"}},
		{"Name", "Zhang San", 14, []string{"Name:", "     Zhang San"}}, // no room for a space between
		{"所需材料", "身份证原件及复印件", 16, []string{"所需材料:", "身份证原件及复印", "              件"}},
		{"备注", "", 16, []string{"备注:"}},
		{"a", "x\ny", 16, []string{"a:", strings.Repeat(" ", 15) + "x", strings.Repeat(" ", 15) + "y"}},
	}
	for _, tt := range tests {
		got := kvLines(tt.key, tt.value, tt.cols)
		if !slices.Equal(got, tt.want) {
			t.Errorf("kvLines(%q, %q, %d) = %q, want %q", tt.key, tt.value, tt.cols, got, tt.want)
		}
		for _, l := range got {
			if Width(l) > tt.cols {
				t.Errorf("kvLines(%q, %q, %d): %q is %d columns", tt.key, tt.value, tt.cols, l, Width(l))
			}
		}
	}
}

func FuzzWrap(f *testing.F) {
	for _, s := range []string{"", "hello world", "幸福湾社区党群服务站", "办理ABC业务，请带《身份证》。", "  a  b  ", "\n\n", "\xff\xfe", "e-mail", "Hello ，world", "【注意】请带证件", "他说——走了"} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, cols int) {
		cols = 2 + int(uint(cols)%100)
		lines := Wrap(s, cols)
		if len(lines) == 0 {
			t.Fatal("no lines")
		}
		for _, l := range lines {
			if w := Width(l); w > cols {
				t.Fatalf("Wrap(%q, %d): %q is %d columns", s, cols, l, w)
			}
			if strings.Contains(l, "\n") {
				t.Fatalf("Wrap(%q, %d): %q has a line break", s, cols, l)
			}
		}
		// Only spaces and line breaks may be lost, and nothing reordered.
		// Going through []rune makes invalid UTF-8 compare as U+FFFD, as
		// Wrap returns it.
		if got, want := ink(string([]rune(strings.Join(lines, "")))), ink(string([]rune(s))); got != want {
			t.Fatalf("Wrap(%q, %d) = %q: characters %q, want %q", s, cols, lines, got, want)
		}
		// A closing mark starts a line, or an opening one ends it, only
		// when the line before was full: a piece wider than a line is cut.
		// Full counts the spaces dropped at the break, which the first
		// line would have had to hold too.
		for para := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
			lines := Wrap(para, cols)
			gaps := droppedSpaces([]rune(para), lines)
			for i := 1; i < len(lines); i++ {
				prev, next := []rune(lines[i-1]), []rune(lines[i])
				if len(prev) == 0 || len(next) == 0 {
					continue
				}
				if (linebreak.NoStart(next[0]) || linebreak.NoEnd(prev[len(prev)-1])) && Width(lines[i-1])+gaps[i]+runeWidth(next[0]) <= cols {
					t.Fatalf("Wrap(%q, %d) = %q: %q then %q, with room on the first", para, cols, lines, lines[i-1], lines[i])
				}
			}
		}
	})
}

// droppedSpaces returns, for each line Wrap made of para, how many spaces
// were dropped at the break before it. Lines are para's runes in order,
// less spaces at the breaks, so walking both finds them.
func droppedSpaces(para []rune, lines []string) []int {
	gaps := make([]int, len(lines))
	pos := 0
	for i, l := range lines {
		rs := []rune(l)
		if i > 0 && len(rs) > 0 {
			for pos < len(para) && para[pos] == ' ' && para[pos] != rs[0] {
				gaps[i]++
				pos++
			}
		}
		pos += len(rs)
	}
	return gaps
}

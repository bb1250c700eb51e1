package pinyin

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCandidatesContain(t *testing.T) {
	e := New()
	tests := []struct {
		input  string
		want   string
		within int // want must be among the first within candidates
	}{
		{"wang", "王", 5},
		{"xiu", "秀", 8},
		{"lan", "兰", 8},
		{"zhang", "张", 8},
		{"li", "李", 8},
		{"liu", "刘", 8},
		{"zhao", "赵", 8},
		{"lv", "绿", 8},
		{"lv", "旅", 8},
		{"lv", "律", 8},
		{"lü", "绿", 8},
		{"lü", "旅", 8},
		{"lü", "律", 8},
		{"LÜ", "律", 8},
		{"nv", "女", 8},
		{"lve", "略", 8},
		{"lue", "略", 8},
		{"zh", "中", 3},
		{"zh", "这", 3},
		{"zh", "者", 20},
		{"wangx", "王", 5},
		{"xiulan", "秀", 8},
		{"en", "嗯", 8},
		{"yi", "一", 3},
		{"de", "的", 1},
	}
	for _, tc := range tests {
		got := e.Candidates(tc.input, tc.within)
		if !slices.Contains(got, tc.want) {
			t.Errorf("Candidates(%q, %d) = %v, want %s among them", tc.input, tc.within, got, tc.want)
		}
	}
}

// The surnames of most residents must be on the keyboard's first page.
func TestSurnamesOnFirstPage(t *testing.T) {
	e := New()
	for _, s := range []struct{ name, pinyin string }{
		{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"赵", "zhao"},
		{"陈", "chen"}, {"杨", "yang"}, {"黄", "huang"}, {"周", "zhou"}, {"吴", "wu"},
	} {
		if got := e.Candidates(s.pinyin, 8); !slices.Contains(got, s.name) {
			t.Errorf("%s (%s) not on the first page: %v", s.name, s.pinyin, got)
		}
	}
}

func TestCandidatesOrder(t *testing.T) {
	e := New()
	tests := []struct {
		input string
		want  []string
	}{
		{"wang", []string{"王", "网", "往", "忘", "望"}},
		{"zh", []string{"中", "这", "找", "着", "真"}},
		{"de", []string{"的", "得", "地", "德"}},
	}
	for _, tc := range tests {
		if got := e.Candidates(tc.input, len(tc.want)); !slices.Equal(got, tc.want) {
			t.Errorf("Candidates(%q) = %v, want %v", tc.input, got, tc.want)
		}
	}
}

// Every candidate for a whole syllable is read that way, and every
// candidate for a syllable's start is read as one that starts so.
func TestCandidatesMatchReadings(t *testing.T) {
	e := New()
	for _, input := range []string{"wang", "zh", "x", "xion", "a", "shuang", "lv", "lue", "nve"} {
		first, _ := e.Split(input)
		first = strings.NewReplacer("ü", "v", "nve", "nue", "lve", "lue").Replace(first)
		cs := e.Candidates(input, 0)
		if len(cs) == 0 {
			t.Errorf("Candidates(%q) is empty", input)
		}
		for _, c := range cs {
			r, _ := utf8.DecodeRuneInString(c)
			if !slices.ContainsFunc(e.Readings(r), func(s string) bool { return strings.HasPrefix(s, first) }) {
				t.Errorf("Candidates(%q) has %s, read %v", input, c, e.Readings(r))
			}
		}
	}
}

func TestCandidatesNone(t *testing.T) {
	e := New()
	for _, input := range []string{"", "u", "i", "v", "ng", "1", "中", " wang", "-"} {
		if got := e.Candidates(input, 8); len(got) != 0 {
			t.Errorf("Candidates(%q) = %v, want none", input, got)
		}
	}
}

func TestCandidatesMax(t *testing.T) {
	e := New()
	all := e.Candidates("wang", 0)
	tests := []struct{ max, want int }{{-1, len(all)}, {0, len(all)}, {1, 1}, {3, 3}, {len(all) + 10, len(all)}}
	for _, tc := range tests {
		if got := e.Candidates("wang", tc.max); len(got) != tc.want {
			t.Errorf("Candidates(wang, %d) has %d, want %d", tc.max, len(got), tc.want)
		}
	}
	if len(all) < 15 {
		t.Errorf("wang has only %d characters", len(all))
	}
}

func TestSplit(t *testing.T) {
	e := New()
	tests := []struct{ input, first, rest string }{
		{"wang", "wang", ""},
		{"wangx", "wang", "x"},
		{"xiulan", "xiu", "lan"},
		{"xian", "xian", ""},
		{"xion", "xion", ""},
		{"xiang", "xiang", ""},
		{"zh", "zh", ""},
		{"zhangsan", "zhang", "san"},
		{"zhuangu", "zhuan", "gu"},
		{"fangan", "fang", "an"},
		{"lv", "lv", ""},
		{"lü", "lü", ""},
		{"lüe", "lüe", ""},
		{"lvshi", "lv", "shi"},
		{"wangi", "wang", "i"},
		{"WangXiulan", "Wang", "Xiulan"},
		{"wang1", "wang", "1"},
		{"wang xiu", "wang", " xiu"},
		{"u", "", "u"},
		{"ng", "", "ng"},
		{"", "", ""},
		{"中文", "", "中文"},
	}
	for _, tc := range tests {
		first, rest := e.Split(tc.input)
		if first != tc.first || rest != tc.rest {
			t.Errorf("Split(%q) = %q, %q; want %q, %q", tc.input, first, rest, tc.first, tc.rest)
		}
	}
}

func TestReadings(t *testing.T) {
	e := New()
	tests := []struct {
		r    rune
		want []string
	}{
		{'王', []string{"wang"}},
		{'长', []string{"chang", "zhang"}},
		{'了', []string{"le", "liao"}},
		{'绿', []string{"lv", "lu"}},
		{'略', []string{"lue"}},
		{'嗯', []string{"en"}},
		{'a', nil},
		{'呣', nil},
		{'網', nil}, // traditional: not in the table
	}
	for _, tc := range tests {
		if got := e.Readings(tc.r); !slices.Equal(got, tc.want) {
			t.Errorf("Readings(%c) = %v, want %v", tc.r, got, tc.want)
		}
	}
	e.Readings('长')[0] = "x"
	if e.Readings('长')[0] != "chang" {
		t.Error("Readings shares the engine's slice")
	}
}

func TestTable(t *testing.T) {
	e := New()
	if e.Len() != 7905 {
		t.Errorf("table has %d characters, want 7905", e.Len())
	}
	// A few of the 3,500 common characters, one per stroke count or so.
	for _, r := range "一人口王长鱼秀兰张刘赵鼻罐" {
		if e.Readings(r) == nil {
			t.Errorf("%c is not in the table", r)
		}
	}
	if e.maxLen != 6 || len(e.bySyl) < 400 {
		t.Errorf("longest syllable %d letters, %d syllables", e.maxLen, len(e.bySyl))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "# nothing\n", "no characters"},
		{"no syllable", "王\n", "line 1"},
		{"latin", "w wang\n", "line 1"},
		{"upper", "王 Wang\n", "not lower-case"},
		{"tone", "王 wáng\n", "not lower-case"},
		{"two spaces", "王  wang\n", "not lower-case"},
		{"twice", "王 wang\n王 wang\n", "王 wang listed twice"},
		{"twice apart", "王 wang\n李 li\n王 wang\n", "王 wang listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parse(%q) = %v, want an error with %q", tc.data, err, tc.want)
			}
		})
	}
}

func FuzzCandidates(f *testing.F) {
	for _, s := range []string{"wang", "xiulan", "lü", "zh", "u", "WANGx1", "\xff", "zhuangu", "lvshi"} {
		f.Add(s, 8)
	}
	e := New()
	f.Fuzz(func(t *testing.T, input string, max int) {
		cs := e.Candidates(input, max)
		if max > 0 && len(cs) > max {
			t.Fatalf("Candidates(%q, %d) gave %d", input, max, len(cs))
		}
		seen := map[string]bool{}
		for _, c := range cs {
			r, size := utf8.DecodeRuneInString(c)
			if size != len(c) || e.Readings(r) == nil || seen[c] {
				t.Fatalf("Candidates(%q) has %q: not a table character, or twice", input, c)
			}
			seen[c] = true
		}
		first, rest := e.Split(input)
		if first+rest != input {
			t.Fatalf("Split(%q) = %q + %q", input, first, rest)
		}
		if (first == "") != (len(cs) == 0) && max > 0 {
			t.Fatalf("Split(%q) first %q but %d candidates", input, first, len(cs))
		}
		// What a candidate consumes determines the candidates.
		if again := e.Candidates(first, max); !slices.Equal(again, cs) {
			t.Fatalf("Candidates(%q) = %v but Candidates(%q) = %v", input, cs, first, again)
		}
	})
}

func BenchmarkCandidates(b *testing.B) {
	e := New()
	for _, input := range []string{"wang", "xiulan", "zh", "s"} {
		b.Run(input, func(b *testing.B) {
			for b.Loop() {
				e.Candidates(input, 8)
			}
		})
	}
}

func BenchmarkSplit(b *testing.B) {
	e := New()
	for b.Loop() {
		e.Split("zhangxiulan")
	}
}

// The engine is built at start-up and kept for good: what it holds, after
// a collection, is reported as retained-B.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	var keep *Engine
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		keep = New()
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "retained-B")
	runtime.KeepAlive(keep)
}

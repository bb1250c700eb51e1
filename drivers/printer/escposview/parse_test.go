package escposview

import (
	"strings"
	"testing"
)

type parseTest struct {
	name    string
	in      stream
	dots    int
	text    string
	unknown []string
	qr      []string
	cuts    int
}

func runParseTests(t *testing.T, tests []parseTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in, Options{Dots: tt.dots})
			if err != nil {
				t.Fatal(err)
			}
			if r.Text != tt.text {
				t.Errorf("Text:\n%q\nwant:\n%q", r.Text, tt.text)
			}
			if !equal(r.Unknown, tt.unknown) {
				t.Errorf("Unknown = %q, want %q", r.Unknown, tt.unknown)
			}
			if !equal(r.QRCodes, tt.qr) {
				t.Errorf("QRCodes = %q, want %q", r.QRCodes, tt.qr)
			}
			if r.Cuts != tt.cuts {
				t.Errorf("Cuts = %d, want %d", r.Cuts, tt.cuts)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	runParseTests(t, []parseTest{
		{name: "empty", in: nil, text: ""},
		{name: "lines", in: stream{}.line("ab").line("").line("c"), text: "ab\n\nc"},
		{name: "CR ignored", in: stream{}.text("ab\r\n"), text: "ab"},
		{
			name: "no line feed",
			in:   stream{}.line("ab").text("cd"),
			text: "ab", unknown: []string{"text never printed (no line feed after it) at byte 3"},
		},
		{name: "centre 58mm", in: stream{}.align(1).line("abcd"), text: strings.Repeat(" ", 14) + "abcd"},
		{name: "centre 80mm", in: stream{}.align('1').line("abcd"), dots: 576, text: strings.Repeat(" ", 22) + "abcd"},
		{name: "right CJK", in: stream{}.align(2).line("回执"), text: strings.Repeat(" ", 28) + "回执"},
		{name: "align bad ignored", in: stream{}.align(2).align(7).line("a"), text: strings.Repeat(" ", 31) + "a"},
		{name: "align taken at line start", in: stream{}.text("a").align(2).line("b"), text: "ab"},
		{name: "wrap ASCII", in: stream{}.line(strings.Repeat("a", 40)), text: strings.Repeat("a", 32) + "\n" + strings.Repeat("a", 8)},
		{name: "wrap CJK", in: stream{}.line(strings.Repeat("汉", 17)), text: strings.Repeat("汉", 16) + "\n汉"},
		{name: "wrap double width", in: stream{}.size(2, 1).line(strings.Repeat("a", 20)), text: strings.Repeat("a", 16) + "\n" + strings.Repeat("a", 4)},
		{name: "wrap keeps alignment", in: stream{}.align(1).line(strings.Repeat("a", 34)), text: strings.Repeat("a", 32) + "\n               aa"},
		{name: "exactly full line", in: stream{}.line(strings.Repeat("a", 32)).line("b"), text: strings.Repeat("a", 32) + "\nb"},
		{name: "tab", in: stream{}.line("ab\tc"), text: "ab      c"},
		{name: "ESC d", in: stream{}.text("a").feed(3).line("b"), text: "a\n\n\nb"},
		{name: "ESC d empty buffer", in: stream{}.feed(2).line("b"), text: "\n\nb"},
		{name: "ESC @ clears the buffer", in: stream{}.text("lost").init().line("kept"), text: "kept"},
		{name: "ESC @ resets alignment", in: stream{}.align(2).init().line("a"), text: "a"},
		{name: "GB18030 invalid", in: stream{}.raw(0x81, '\n'), text: "\uFFFD"},
		{name: "GB18030 four bytes", in: stream{}.line("€𠀀"), text: "€𠀀"},
		{
			name: "paper too long",
			in:   stream{}.feed(255).feed(255).line("not printed"),
			text: strings.Repeat("\n", 272), unknown: []string{"paper longer than 8192 dots: the rest not rendered at byte 3"},
		},
	})
}

func TestParseCommands(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "understood commands print nothing",
			in: stream{}.raw(esc, '2', esc, '3', 40, esc, '!', 0x38, esc, 't', 0, fs, '.', fs, '&',
				dle, 4, 1, gs, 'a', 0, gs, 'H', 2, gs, 'h', 80, gs, 'w', 2, esc, 'E', 1, esc, '-', '2').line("ok"),
			text: "ok",
		},
		{
			name: "drawer kick and unknown GS",
			in:   stream{}.line("a").raw(esc, 'p', 0, 25, 250).line("b").raw(gs, 0x99).line("c"),
			text: "a\nb\nc", unknown: []string{"ESC 0x70 at byte 2", "GS 0x99 at byte 9"},
		},
		{
			name: "known lengths skipped",
			in: stream{}.raw(esc, '*', 0, 2, 0, 'A', 'B').raw(esc, 'J', 'C').raw(fs, 'p', 1, 0).
				raw(gs, '(', 'L', 2, 0, 'D', 'E').raw(esc, 'D', 8, 16, 0).line("ok"),
			text: "ok",
			unknown: []string{
				"ESC 0x2A at byte 0", "ESC 0x4A at byte 7", "FS 0x70 at byte 10",
				"GS 0x28 at byte 14", "ESC 0x44 at byte 21",
			},
		},
		{
			name: "stray control bytes",
			in:   stream{}.raw(7, 'a', 0x7F, dle, 'b', '\n'),
			text: "ab", unknown: []string{"0x07 at byte 0", "0x7F at byte 2", "0x10 at byte 3"},
		},
		{name: "lone ESC", in: stream{}.line("a").raw(esc), text: "a", unknown: []string{"ESC truncated at byte 2"}},
		{name: "truncated ESC d", in: stream{}.line("a").raw(esc, 'd'), text: "a", unknown: []string{"ESC 0x64 truncated at byte 2"}},
		{
			name: "truncated ESC p",
			in:   stream{}.raw(esc, 'p', 0, 25),
			text: "", unknown: []string{"ESC 0x70 truncated at byte 0"},
		},
	})
}

func TestParseQR(t *testing.T) {
	long := strings.Repeat("x", maxQRData+1)
	runParseTests(t, []parseTest{
		{
			name: "QR",
			in:   stream{}.qr("hello", 4, '3').qr("world", 3, '0'),
			text: "[QR: hello]\n[QR: world]", qr: []string{"hello", "world"},
		},
		{
			name: "QR printed twice",
			in:   stream{}.qr("a", 3, '0').qrFn('Q', '0'),
			text: "[QR: a]\n[QR: a]", qr: []string{"a", "a"},
		},
		{
			name: "QR control characters quoted",
			in:   stream{}.qr("a\nb", 3, '0'),
			text: `[QR: "a\nb"]`, qr: []string{"a\nb"},
		},
		{
			name: "QR print with no data",
			in:   stream{}.qrFn('Q', '0').line("a"),
			text: "a", unknown: []string{"GS 0x28 0x6B QR print with no data at byte 0"},
		},
		{
			name: "QR data too long",
			in:   stream{}.qrFn('P', append([]byte{'0'}, long...)...).qrFn('Q', '0'),
			text: "",
			unknown: []string{
				"GS 0x28 0x6B cn 0x31 fn 0x50 7090 bytes, more than a QR code holds at byte 0",
				"GS 0x28 0x6B QR print with no data at byte 7098",
			},
		},
		{
			name: "QR too long for level H",
			in:   stream{}.qr(strings.Repeat("x", 3000), 3, '3'),
			text: "",
			unknown: []string{
				"GS 0x28 0x6B QR print: text too long to encode as QR at byte 3033",
			},
		},
		{
			name: "QR bad module size",
			in:   stream{}.qrFn('C', 0).qrFn('P', '0', 'a').qrFn('Q', '0'),
			text: "[QR: a]", qr: []string{"a"},
			unknown: []string{"GS 0x28 0x6B cn 0x31 fn 0x43 bad module size at byte 0"},
		},
		{
			name: "GS ( k length past the end",
			in:   stream{}.line("a").raw(gs, '(', 'k', 200, 0, '1', 'P', '0', 'x'),
			text: "a", unknown: []string{"GS 0x28 truncated at byte 2"},
		},
		{
			name: "GS ( k PDF417 skipped",
			in:   stream{}.raw(gs, '(', 'k', 4, 0, '0', 'P', '0', 'x').line("a"),
			text: "a", unknown: []string{"GS 0x28 0x6B cn 0x30 fn 0x50 at byte 0"},
		},
	})
}

func TestParseBarcodesImagesCuts(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "CODE128",
			in:   stream{}.raw(gs, 'k', 73, 7).text("{BM0043").line("a"),
			text: "[CODE128: M0043]\na",
		},
		{
			name: "CODE128 code set C",
			in:   stream{}.raw(gs, 'k', 73, 4, '{', 'C', 12, 3),
			text: "[CODE128: 1203]",
		},
		{
			name: "CODE39 NUL-terminated",
			in:   stream{}.raw(gs, 'k', 4).text("AB12").raw(0).line("a"),
			text: "[CODE39: AB12]\na",
		},
		{
			name: "barcode without NUL",
			in:   stream{}.raw(gs, 'k', 4).text("AB12"),
			text: "", unknown: []string{"GS 0x6B truncated at byte 0"},
		},
		{
			name: "barcode bad system",
			in:   stream{}.raw(gs, 'k', 30).line("a"),
			text: "a", unknown: []string{"GS 0x6B 0x1E at byte 0"},
		},
		{
			name: "raster",
			in:   stream{}.raster(16, 2, func(x, y int) bool { return x == y }).line("a"),
			text: "[image 16x2]\na",
		},
		{
			name: "raster quadruple",
			in:   stream{}.raw(gs, 'v', '0', '3', 1, 0, 1, 0, 0xFF),
			text: "[image 16x2]",
		},
		{
			name: "raster past the end",
			in:   stream{}.line("a").raw(gs, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3),
			text: "a", unknown: []string{"GS 0x76 0x30 truncated at byte 2"},
		},
		{
			name: "raster bad mode",
			in:   stream{}.raw(gs, 'v', '0', 9, 1, 0, 1, 0, 0xFF).line("a"),
			text: "a", unknown: []string{"GS 0x76 0x30 bad mode 0x09 at byte 0"},
		},
		{
			name: "cuts",
			in:   stream{}.line("a").raw(gs, 'V', 0).raw(gs, 'V', '1').raw(gs, 'V', 'A', 10).text("b").cut(),
			text: "a\n--- ✂ ---\n--- ✂ ---\n--- ✂ ---\nb\n--- ✂ ---", cuts: 4,
		},
		{
			name: "cut bad mode",
			in:   stream{}.raw(gs, 'V', 7).line("a"),
			text: "a", unknown: []string{"GS 0x56 0x07 at byte 0"},
		},
	})
}

// TestChineseMode: the bytes are GB18030 with or without FS &.
func TestChineseMode(t *testing.T) {
	const want = "幸福湾社区党群服务站\n姓名: 王*兰"
	body := stream{}.line("幸福湾社区党群服务站").line("姓名: 王*兰")
	for _, prefix := range []stream{nil, stream{}.chinese(), stream{}.raw(fs, '.'), stream{}.raw(esc, 't', 0)} {
		r, err := Parse(append(prefix, body...), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != want || len(r.Unknown) != 0 {
			t.Errorf("after % X: Text %q, Unknown %q; want %q", []byte(prefix), r.Text, r.Unknown, want)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		dots, width int
		ok          bool
	}{
		{0, 384, true}, {384, 384, true}, {576, 576, true}, {512, 512, true},
		{-1, 0, false}, {8, 0, false}, {1 << 20, 0, false},
	} {
		r, err := Parse([]byte("a\n"), Options{Dots: tt.dots})
		if (err == nil) != tt.ok {
			t.Errorf("Dots %d: error %v, want ok %v", tt.dots, err, tt.ok)
			continue
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "escposview: ") {
				t.Errorf("Dots %d: error %q lacks the package prefix", tt.dots, err)
			}
			continue
		}
		if w := r.Image().Bounds().Dx(); w != tt.width {
			t.Errorf("Dots %d: image %d wide, want %d", tt.dots, w, tt.width)
		}
	}
}

// TestUnknownBounded: garbage gives at most maxUnknown entries and a count.
func TestUnknownBounded(t *testing.T) {
	in := []byte(strings.Repeat("\x07", maxUnknown+5))
	r, err := Parse(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unknown) != maxUnknown+1 || r.Unknown[maxUnknown] != "5 more not listed" {
		t.Errorf("%d entries, last %q", len(r.Unknown), r.Unknown[len(r.Unknown)-1])
	}
}

// Magnified lists text printed larger than normal, by run and size: how a
// test tells that a ticket number printed double size.
func TestParseMagnified(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   stream
		want []Run
	}{
		{"none", stream{}.line("票号 R0042"), nil},
		{"double", stream{}.text("票号 ").size(2, 2).text("R0042").size(1, 1).line(""), []Run{{"R0042", 2, 2}}},
		{"tall only, two lines", stream{}.size(1, 2).line("上").line("下"), []Run{{"上", 1, 2}, {"下", 1, 2}}},
		{"parted by normal text", stream{}.size(2, 2).text("A").size(1, 1).text("-").size(2, 2).line("B"), []Run{{"A", 2, 2}, {"B", 2, 2}}},
		{"sizes change", stream{}.size(2, 2).text("AB").size(3, 3).line("C"), []Run{{"AB", 2, 2}, {"C", 3, 3}}},
	} {
		r, err := Parse(tc.in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Magnified) != len(tc.want) {
			t.Errorf("%s: Magnified = %+v, want %+v", tc.name, r.Magnified, tc.want)
			continue
		}
		for i := range tc.want {
			if r.Magnified[i] != tc.want[i] {
				t.Errorf("%s: Magnified = %+v, want %+v", tc.name, r.Magnified, tc.want)
			}
		}
	}
}

package qrscan

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	gb := []byte{0xD0, 0xD2, 0xB8, 0xA3, 0xCD, 0xE5} // 幸福湾 in GB18030
	tests := []struct {
		raw                     []byte
		data, sym, aim, charset string
	}{
		{[]byte("GK1:R:0190f5e6"), "GK1:R:0190f5e6", "", "", "utf-8"},
		{[]byte("]Q1GK1:R:0190f5e6"), "GK1:R:0190f5e6", "QR", "]Q1", "utf-8"},
		{[]byte("]E06901234567892"), "6901234567892", "EAN-13", "]E0", "utf-8"},
		{[]byte("]C0ABC-123"), "ABC-123", "Code 128", "]C0", "utf-8"},
		{[]byte("]X9data"), "data", "AIM X", "]X9", "utf-8"},
		{[]byte("幸福湾"), "幸福湾", "", "", "utf-8"},
		{append([]byte("]Q1"), gb...), "幸福湾", "QR", "]Q1", "gb18030"},
		{[]byte("]Q"), "]Q", "", "", "utf-8"},
		{[]byte{0xFF, 0xFE, 0x80}, "\uFFFD", "", "", "unknown"},
	}
	for _, tc := range tests {
		c := Decode(tc.raw)
		if c.Data != tc.data || c.Symbology != tc.sym || c.AIM != tc.aim || c.Charset != tc.charset {
			t.Errorf("Decode(% x) = %q %q %q %q; want %q %q %q %q", tc.raw, c.Data, c.Symbology, c.AIM, c.Charset, tc.data, tc.sym, tc.aim, tc.charset)
		}
	}
}

func TestFramer(t *testing.T) {
	tests := []struct {
		name   string
		feeds  []string
		want   []string
		flush  string
		drops  int
		maxLen int
	}{
		{"CR", []string{"abc\r"}, []string{"abc"}, "", 0, 0},
		{"CR LF", []string{"abc\r\ndef\r\n"}, []string{"abc", "def"}, "", 0, 0},
		{"LF", []string{"abc\n"}, []string{"abc"}, "", 0, 0},
		{"split across feeds", []string{"a", "b", "c\r", "\nd"}, []string{"abc"}, "d", 0, 0},
		{"no suffix, ended by the idle gap", []string{"abc"}, nil, "abc", 0, 0},
		{"empty lines skipped", []string{"\r\n\r\nx\r"}, []string{"x"}, "", 0, 0},
		{"too long dropped, next kept", []string{"0123456789", "ab\rok\r"}, []string{"ok"}, "", 1, 8},
		{"too long without end", []string{strings.Repeat("x", 100)}, nil, "", 1, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFramer(tc.maxLen)
			var got []string
			for _, in := range tc.feeds {
				for _, c := range f.Feed([]byte(in)) {
					got = append(got, string(c))
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("codes %q, want %q", got, tc.want)
			}
			if fl := string(f.Flush()); fl != tc.flush {
				t.Fatalf("flush %q, want %q", fl, tc.flush)
			}
			if f.Dropped != tc.drops {
				t.Fatalf("dropped %d, want %d", f.Dropped, tc.drops)
			}
		})
	}
}

func TestFramerLearnsTheSuffix(t *testing.T) {
	f := NewFramer(0)
	if f.Feed([]byte("abc")); f.Suffixed() {
		t.Fatal("suffixed before any CR or LF")
	}
	f.Flush()
	if f.Feed([]byte("\r\n")); f.Suffixed() {
		t.Fatal("an empty line taught a suffix")
	}
	if codes := f.Feed([]byte("def\r\ngh")); len(codes) != 1 || !f.Suffixed() {
		t.Fatalf("codes %q, suffixed %v after a code ending in CR LF", codes, f.Suffixed())
	}
	f.Unlearn()
	if f.Suffixed() || string(f.Flush()) != "gh" {
		t.Fatal("Unlearn lost the code in progress or kept the suffix")
	}
}

func TestParseEnding(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Ending
	}{{"", EndLearn}, {"auto", EndLearn}, {"cr", EndSuffix}, {"lf", EndSuffix}, {"crlf", EndSuffix}, {"none", EndIdle}} {
		if got, err := ParseEnding(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseEnding(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseEnding("CR LF"); err == nil || !strings.Contains(err.Error(), "want cr, lf, crlf, none or auto") {
		t.Errorf("ParseEnding(CR LF) = %v", err)
	}
}

func TestTriggerCommand(t *testing.T) {
	for _, tc := range []struct {
		family string
		on     bool
		want   []byte
	}{
		{"honeywell", true, []byte{0x16, 0x54, 0x0D}},
		{"honeywell", false, []byte{0x16, 0x55, 0x0D}},
		{"gm65", true, []byte{0x7E, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xAB, 0xCD}},
		{"gm65", false, nil},
		{"acme", true, nil},
	} {
		if got := TriggerCommand(tc.family, tc.on); !bytes.Equal(got, tc.want) {
			t.Errorf("TriggerCommand(%s, %v) = % x", tc.family, tc.on, got)
		}
	}
}

func FuzzFramer(f *testing.F) {
	f.Add([]byte("]Q1GK1:R:abc\r\nnext\r"), 16)
	f.Add([]byte(strings.Repeat("x", 100)), 8)
	f.Fuzz(func(t *testing.T, in []byte, maxLen int) {
		maxLen = 1 + abs(maxLen)%64
		fr := NewFramer(maxLen)
		// Feed in two pieces to exercise codes split across reads.
		half := len(in) / 2
		codes := append(fr.Feed(in[:half]), fr.Feed(in[half:])...)
		if len(fr.buf) > maxLen {
			t.Fatalf("buffered %d bytes, limit %d", len(fr.buf), maxLen)
		}
		for _, c := range append(codes, fr.Flush()) {
			if len(c) > maxLen || bytes.ContainsAny(c, "\r\n") {
				t.Fatalf("code %q breaks the limit %d or holds a terminator", c, maxLen)
			}
			Decode(c) // must not panic on anything a line can carry
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

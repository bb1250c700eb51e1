package printer

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// cat joins byte sequences, so that expected streams read command by
// command.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func bs(s ...byte) []byte { return s }

var (
	initCmd = bs(0x1B, 0x40)
	lfCmd   = bs(0x0A)
)

func TestEncodeCommands(t *testing.T) {
	p58 := Profile58()
	chinese := Profile58()
	chinese.ChineseMode = true
	feed2 := Profile58()
	feed2.CutFeed = 2
	tests := []struct {
		name string
		doc  *Doc
		p    Profile
		want []byte
	}{
		{"init", new(Doc), p58, initCmd},
		{"ascii", new(Doc).Text("abc", Style{}), p58, cat(initCmd, []byte("abc"), lfCmd)},
		{"GB18030 without FS &", new(Doc).Text("幸福", Style{}), p58,
			cat(initCmd, bs(0xD0, 0xD2, 0xB8, 0xA3), lfCmd)},
		{"FS & around Chinese", new(Doc).Text("幸福", Style{}), chinese,
			cat(initCmd, bs(0x1C, 0x26), bs(0xD0, 0xD2, 0xB8, 0xA3), lfCmd, bs(0x1C, 0x2E))},
		{"no FS & for ASCII", new(Doc).Text("ab", Style{}), chinese, cat(initCmd, []byte("ab"), lfCmd)},
		{"align left is the default", new(Doc).Text("a", Style{Align: Left}), p58, cat(initCmd, []byte("a"), lfCmd)},
		{"align centre", new(Doc).Text("a", Style{Align: Center}), p58,
			cat(initCmd, bs(0x1B, 0x61, 0x01), []byte("a"), lfCmd)},
		{"align right", new(Doc).Text("a", Style{Align: Right}), p58,
			cat(initCmd, bs(0x1B, 0x61, 0x02), []byte("a"), lfCmd)},
		{"bold on then off", new(Doc).Text("a", Style{Bold: true}).Text("b", Style{}), p58,
			cat(initCmd, bs(0x1B, 0x45, 0x01), []byte("a"), lfCmd, bs(0x1B, 0x45, 0x00), []byte("b"), lfCmd)},
		{"bold sent once", new(Doc).Text("a", Style{Bold: true}).Text("b", Style{Bold: true}), p58,
			cat(initCmd, bs(0x1B, 0x45, 0x01), []byte("a"), lfCmd, []byte("b"), lfCmd)},
		{"double width", new(Doc).Text("a", Style{Wide: true}), p58,
			cat(initCmd, bs(0x1D, 0x21, 0x10), []byte("a"), lfCmd)},
		{"double height", new(Doc).Text("a", Style{Tall: true}), p58,
			cat(initCmd, bs(0x1D, 0x21, 0x01), []byte("a"), lfCmd)},
		{"double size then normal", new(Doc).Text("a", Style{Wide: true, Tall: true}).Text("b", Style{}), p58,
			cat(initCmd, bs(0x1D, 0x21, 0x11), []byte("a"), lfCmd, bs(0x1D, 0x21, 0x00), []byte("b"), lfCmd)},
		{"feed", new(Doc).Feed(3), p58, cat(initCmd, bs(0x1B, 0x64, 0x03))},
		{"feed 0", new(Doc).Feed(0), p58, initCmd},
		{"feed 300", new(Doc).Feed(300), p58, cat(initCmd, bs(0x1B, 0x64, 0xFF), bs(0x1B, 0x64, 45))},
		{"full cut", new(Doc).Cut(false), p58, cat(initCmd, bs(0x1B, 0x64, 0x04), bs(0x1D, 0x56, 0x00))},
		{"partial cut", new(Doc).Cut(true), p58, cat(initCmd, bs(0x1B, 0x64, 0x04), bs(0x1D, 0x56, 0x01))},
		{"cut feed from profile", new(Doc).Cut(false), feed2, cat(initCmd, bs(0x1B, 0x64, 0x02), bs(0x1D, 0x56, 0x00))},
		{"cut feed 0 is 4", new(Doc).Cut(false), Profile{Dots: 384, Columns: 32}, cat(initCmd, bs(0x1B, 0x64, 0x04), bs(0x1D, 0x56, 0x00))},
		{"separator", new(Doc).Separator('-'), p58, cat(initCmd, []byte(strings.Repeat("-", 32)), lfCmd)},
		{"separator of wide characters", new(Doc).Separator('═'), p58,
			cat(initCmd, bytes.Repeat(bs(0xA8, 0x54), 16), lfCmd)},
		{"separator 80 mm", new(Doc).Separator('='), Profile80(), cat(initCmd, []byte(strings.Repeat("=", 48)), lfCmd)},
		{"KV on one line", new(Doc).KV("申请人", "张三"), p58,
			cat(initCmd, bs(0xC9, 0xEA, 0xC7, 0xEB, 0xC8, 0xCB), []byte(":"+strings.Repeat(" ", 21)), bs(0xD5, 0xC5, 0xC8, 0xFD), lfCmd)},
		{"CODE128", new(Doc).Barcode128("GK2024"), p58, cat(initCmd,
			bs(0x1B, 0x61, 0x01), // centred
			bs(0x1D, 0x48, 0x02), // HRI below
			bs(0x1D, 0x68, 80),   // height
			bs(0x1D, 0x77, 0x03), // module width
			bs(0x1D, 0x6B, 0x49, 0x08, '{', 'B'), []byte("GK2024"))},
		{"CODE128 escapes {", new(Doc).Barcode128("a{b"), p58, cat(initCmd,
			bs(0x1B, 0x61, 0x01), bs(0x1D, 0x48, 0x02), bs(0x1D, 0x68, 80), bs(0x1D, 0x77, 0x03),
			bs(0x1D, 0x6B, 0x49, 0x06, '{', 'B'), []byte("a{{b"))},
		{"CODE128 narrower to fit", new(Doc).Barcode128("GK20240517-01"), p58, cat(initCmd,
			bs(0x1B, 0x61, 0x01), bs(0x1D, 0x48, 0x02), bs(0x1D, 0x68, 80), bs(0x1D, 0x77, 0x02),
			bs(0x1D, 0x6B, 0x49, 15, '{', 'B'), []byte("GK20240517-01"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.doc, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % X\nwant % X", got, tt.want)
			}
		})
	}
}

func TestEncodeChineseBytes(t *testing.T) {
	got, err := Encode(new(Doc).Text("幸福湾社区党群服务站", Style{}), Profile58())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := simplifiedchinese.GB18030.NewEncoder().String("幸福湾社区党群服务站")
	if !bytes.Equal(got, cat(initCmd, []byte(want), lfCmd)) {
		t.Errorf("got % X", got)
	}
	// Known bytes, in case the encoder itself were wrong: 幸 D0 D2, 站 D5 BE.
	if !bytes.HasPrefix(got[2:], bs(0xD0, 0xD2)) || !bytes.HasSuffix(got, bs(0xD5, 0xBE, 0x0A)) {
		t.Errorf("幸…站 encoded as % X", got[2:])
	}
}

func TestEncodeWrapsWide(t *testing.T) {
	// Ten Chinese characters are 20 columns, 40 at double width: two
	// lines of 8 and 2 on 58 mm paper's 32 columns.
	got, err := Encode(new(Doc).Text("一二三四五六七八九十", Style{Wide: true}), Profile58())
	if err != nil {
		t.Fatal(err)
	}
	text, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(got[5:]) // after ESC @ and GS ! 0x10
	if want := "一二三四五六七八\n九十\n"; string(text) != want {
		t.Errorf("got %q, want %q", text, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	tall := image.NewGray(image.Rect(0, 0, 1, maxImageRows+1))
	tests := []struct {
		name string
		doc  *Doc
		want string
		char bool // a *CharError
	}{
		{"control character", new(Doc).Feed(1).Text("a\x1bb", Style{}),
			`printer: block 2 (text): cannot print '\x1b' (U+001B): control character`, true},
		{"tab", new(Doc).Text("a\tb", Style{}), `U+0009`, true},
		{"C1 control", new(Doc).Text("a\u0085", Style{}), `U+0085`, true},
		{"private use", new(Doc).Text("\ue0ac", Style{}), `(U+E0AC): private-use character`, true},
		{"invalid UTF-8", new(Doc).Text("a\xffb", Style{}), `printer: block 1 (text): cannot print '�' (U+FFFD): invalid UTF-8 byte 0xFF`, true},
		{"KV control", new(Doc).KV("a", "\x07"), `block 1 (KV)`, true},
		{"separator NUL", new(Doc).Separator(0), `block 1 (separator)`, true},
		{"alignment", new(Doc).Text("a", Style{Align: 3}), `printer: block 1 (text): alignment 3`, false},
		{"QR module 0", new(Doc).QR("x", 0), `printer: block 1 (QR): module size 0: want 1 to 16`, false},
		{"QR module 17", new(Doc).QR("x", 17), `module size 17`, false},
		{"QR empty", new(Doc).QR("", 4), `printer: block 1 (QR): no data`, false},
		{"QR too long", new(Doc).Text("a", Style{}).Feed(1).QR(strings.Repeat("x", 2332), 4),
			`printer: block 3 (QR): data longer than 2331 bytes`, false},
		{"QR numeric too long", new(Doc).QR(strings.Repeat("1", 5597), 4), `data longer than 5596 bytes`, false},
		{"QR longer than any", new(Doc).QR(strings.Repeat("1", 7090), 4), `data longer than 5596 bytes`, false},
		{"barcode empty", new(Doc).Barcode128(""), `printer: block 1 (barcode): no data`, false},
		{"barcode Chinese", new(Doc).Barcode128("条码"), `printer: block 1 (barcode): cannot print '条'`, true},
		{"barcode too long", new(Doc).Barcode128(strings.Repeat("A", 20)), `dots at 2 dots a bar, the paper has 384`, false},
		{"nil image", new(Doc).Image(nil), `printer: block 1 (image): nil image`, false},
		{"empty image", new(Doc).Image(image.NewGray(image.Rect(0, 0, 0, 5))), `empty image`, false},
		{"image too long", new(Doc).Image(tall), `longer than 8192 dots`, false},
		{"feed negative", new(Doc).Feed(-1), `printer: block 1 (feed): -1 lines`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(tt.doc, Profile58())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			var be *BlockError
			if !errors.As(err, &be) {
				t.Errorf("%v is not a *BlockError", err)
			}
			var ce *CharError
			if errors.As(err, &ce) != tt.char {
				t.Errorf("%v: *CharError %v, want %v", err, !tt.char, tt.char)
			}
		})
	}
}

func TestEncodeRejectsBadInput(t *testing.T) {
	if _, err := Encode(nil, Profile58()); err == nil {
		t.Error("nil Doc: no error")
	}
	if _, err := Encode(new(Doc), Profile{}); err == nil || !strings.HasPrefix(err.Error(), "printer: profile") {
		t.Errorf("zero Profile: got %v", err)
	}
}

// logo is a small picture with greys, for dithering, and a transparent
// corner, which must print as paper.
func logo() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			dx, dy := x-32, y-16
			switch {
			case x < 8 && y < 8:
				// transparent
			case dx*dx+dy*dy < 14*14:
				img.Set(x, y, color.Gray{Y: uint8(4 * x)})
			default:
				img.Set(x, y, color.White)
			}
		}
	}
	return img
}

// receipt appends to d a service receipt with most kinds of block.
func receipt(d *Doc) *Doc {
	return d.
		Text("幸福湾社区党群服务站", Style{Align: Center, Bold: true, Wide: true, Tall: true}).
		Text("办事回执 Service receipt", Style{Align: Center}).
		Separator('=').
		KV("回执编号", "GK-20240517-0001").
		KV("办理事项", "居住证申领（首次）").
		KV("申请人", "张三").
		KV("受理时间", "2024-05-17 09:30").
		KV("所需材料", "身份证原件及复印件、近期一寸免冠照片两张、居住登记证明").
		Separator('-').
		Text("请于5个工作日后凭本回执到服务站领取证件。Please collect your card after 5 working days, bringing this receipt.", Style{}).
		QR("https://x/1", 6).
		Barcode128("GK20240517").
		Feed(1).
		Text("咨询电话 0755-12345678", Style{Align: Right}).
		Cut(true)
}

func TestGoldenReceipts(t *testing.T) {
	p80 := Profile80()
	p80.ChineseMode = true
	p80.NativeQR = false
	tests := []struct {
		file string
		doc  *Doc
		p    Profile
	}{
		{"receipt58.bin", receipt(new(Doc)), Profile58()},
		{"receipt80-fs-raster-qr.bin", receipt(new(Doc).Image(logo()).Feed(1)), p80},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Encode(tt.doc, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, initCmd) || !bytes.HasSuffix(got, bs(0x1D, 0x56, 0x01)) {
				t.Errorf("does not start with ESC @ and end with a partial cut")
			}
			if !bytes.Contains(got, bs(0xD0, 0xD2, 0xB8, 0xA3)) { // 幸福
				t.Error("no 幸福 in GB18030")
			}
			compareGolden(t, filepath.Join("testdata", tt.file), got)
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Errorf("%s: %d bytes, want %d; first difference at byte %d (run go test -update if the change is meant)",
			path, len(got), len(want), i)
	}
}

func TestGoldenReceiptChineseMode(t *testing.T) {
	// With FS &, every block with Chinese is bracketed by FS & and FS .,
	// and none without.
	p := Profile80()
	p.ChineseMode = true
	got, err := Encode(receipt(new(Doc)), p)
	if err != nil {
		t.Fatal(err)
	}
	on, off := bytes.Count(got, bs(0x1C, 0x26)), bytes.Count(got, bs(0x1C, 0x2E))
	if on == 0 || on != off {
		t.Errorf("%d FS & and %d FS .", on, off)
	}
}

// FuzzEncodeText checks that any text either is refused or is sent as
// GB18030 text and line feeds only: nothing in it can become a command.
func FuzzEncodeText(f *testing.F) {
	for _, s := range []string{"", "幸福湾社区党群服务站", "a\x1bb", "\xff", "hello world\n第二行", "€é·😀", "\u0085"} {
		f.Add(s, byte(0))
	}
	dec := simplifiedchinese.GB18030.NewDecoder()
	f.Fuzz(func(t *testing.T, s string, style byte) {
		st := Style{Align: Align(style % 3), Bold: style&4 != 0, Wide: style&8 != 0, Tall: style&16 != 0}
		p := Profile58()
		p.ChineseMode = style&32 != 0
		out, err := Encode(new(Doc).Text(s, st), p)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, initCmd) {
			t.Fatalf("does not start with ESC @: % X", out)
		}
		if style != 0 {
			return
		}
		text := out[len(initCmd):]
		for _, c := range text {
			if c < 0x20 && c != '\n' || c == 0x7F {
				t.Fatalf("control byte 0x%02X in text % X", c, text)
			}
		}
		got, err := dec.Bytes(text)
		if err != nil {
			t.Fatal(err)
		}
		if want := ink(s); ink(string(got)) != want {
			t.Fatalf("printed %q, want the characters of %q", got, want)
		}
	})
}

// ink is s without spaces and line breaks, which wrapping may drop.
func ink(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

func BenchmarkEncodeReceipt(b *testing.B) {
	benchmarkEncode(b, Profile58())
}

func BenchmarkEncodeReceiptRaster(b *testing.B) {
	p := Profile58()
	p.Raster = true
	p.NativeQR = false
	benchmarkEncode(b, p)
}

func benchmarkEncode(b *testing.B, p Profile) {
	d := receipt(new(Doc))
	var out []byte
	for b.Loop() {
		var err error
		if out, err = Encode(d, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(out)), "bytes/receipt")
	// What the receipt costs on an RS-232 line at 115200 baud, 8N1: ten
	// bit times a byte. Raster is the price of printers with no font.
	b.ReportMetric(float64(len(out))*10/115200*1000, "wire-ms@115200")
}

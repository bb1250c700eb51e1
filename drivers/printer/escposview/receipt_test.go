package escposview

import (
	"bytes"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const receiptQR = "https://hub.example.org/r/0190f5e6-0000-7000-8000-000000000001"

const separator = "------------------------------------------------"

// exampleReceipt is a service receipt (办事回执) for 80 mm paper, as the
// kiosk prints one.
func exampleReceipt() []byte {
	var s stream
	s = s.init().chinese()
	s = s.align(1).bold(true).size(2, 2).line("幸福湾社区党群服务站")
	s = s.bold(false).size(1, 1).line("办事回执")
	s = s.align(0).line(separator)
	s = s.line("票号: M0043")
	s = s.line("事项: 公共设施报修")
	s = s.line("姓名: 王*兰")
	s = s.line("证件: 1410**********122X")
	s = s.line(separator)
	s = s.align(1).raw('\n').qr(receiptQR, 6, '1').raw('\n')
	s = s.line("扫码查看办理进度")
	s = s.raster(96, 96, seal).raw('\n')
	s = s.align(2).underline(1).line("受理单位: 幸福湾社区")
	s = s.underline(0).align(0)
	return s.feed(3).cut()
}

func parseExample(t testing.TB) *Receipt {
	t.Helper()
	r, err := Parse(exampleReceipt(), Options{Dots: 576})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReceiptText(t *testing.T) {
	r := parseExample(t)
	if len(r.Unknown) != 0 {
		t.Errorf("Unknown = %q, want none", r.Unknown)
	}
	if want := []string{receiptQR}; !equal(r.QRCodes, want) {
		t.Errorf("QRCodes = %q, want %q", r.QRCodes, want)
	}
	if r.Cuts != 1 {
		t.Errorf("Cuts = %d, want 1", r.Cuts)
	}
	golden(t, "receipt.txt", []byte(r.Text), func(want []byte) {
		if r.Text != string(want) {
			t.Errorf("Text:\n%s\nwant:\n%s", r.Text, want)
		}
	})
}

func TestReceiptPNG(t *testing.T) {
	r := parseExample(t)
	var buf bytes.Buffer
	if err := r.PNG(&buf); err != nil {
		t.Fatal(err)
	}
	got := decodePNG(t, buf.Bytes())
	if w := got.Bounds().Dx(); w != 576 {
		t.Errorf("width = %d, want 576", w)
	}
	// Compare pixels, not bytes: the PNG encoder may change.
	golden(t, "receipt.png", buf.Bytes(), func(want []byte) {
		w := decodePNG(t, want)
		if got.Bounds() != w.Bounds() {
			t.Fatalf("size %v, want %v", got.Bounds(), w.Bounds())
		}
		if n := diff(got, w); n > 0 {
			t.Errorf("%d pixels differ from testdata/receipt.png (go test -update to rewrite)", n)
		}
	})
	if img := r.Image(); diff(img, got) != 0 {
		t.Error("Image and PNG differ")
	}
}

// TestReceiptQRReadsBack scans the QR code on the paper as a phone would.
func TestReceiptQRReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := parseExample(t).PNG(&buf); err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(decodePNG(t, buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("reading the QR code: %v", err)
	}
	if res.GetText() != receiptQR {
		t.Errorf("QR code reads %q, want %q", res.GetText(), receiptQR)
	}
}

// TestTruncatedReceipt cuts the receipt at every byte, as a lost
// connection could: the paper is then the receipt's first lines.
func TestTruncatedReceipt(t *testing.T) {
	full := exampleReceipt()
	want := parseExample(t).Text
	for n := range len(full) + 1 {
		r, err := Parse(full[:n], Options{Dots: 576})
		if err != nil {
			t.Fatalf("at %d: %v", n, err)
		}
		rest, ok := strings.CutPrefix(want, r.Text)
		if !ok || r.Text != "" && rest != "" && rest[0] != '\n' {
			t.Fatalf("at %d: text is not the receipt's first lines:\n%s", n, r.Text)
		}
		// Drawing is slower: draw a sample.
		if n%61 == 0 || n == len(full) {
			if err := r.PNG(io.Discard); err != nil {
				t.Fatalf("at %d: PNG: %v", n, err)
			}
		}
	}
}

func golden(t *testing.T, name string, got []byte, check func(want []byte)) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check(want)
}

func decodePNG(t testing.TB, b []byte) *image.Gray {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

func diff(a, b *image.Gray) int {
	if a.Rect != b.Rect {
		return a.Rect.Dx() * a.Rect.Dy()
	}
	n := 0
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		for x := a.Rect.Min.X; x < a.Rect.Max.X; x++ {
			if a.GrayAt(x, y) != b.GrayAt(x, y) {
				n++
			}
		}
	}
	return n
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

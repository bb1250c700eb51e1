package printer

import (
	"bytes"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

func TestQRNative(t *testing.T) {
	got, err := Encode(new(Doc).QR("https://x/1", 6), Profile58())
	if err != nil {
		t.Fatal(err)
	}
	want := cat(
		bs(0x1B, 0x40),
		bs(0x1B, 0x61, 0x01), // centred
		bs(0x1B, 0x64, 0x01), // a line above: the quiet zone, 4 × 6 dots
		bs(0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00), // model 2
		bs(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06),       // module 6 dots
		bs(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31),       // level M
		bs(0x1D, 0x28, 0x6B, 0x0E, 0x00, 0x31, 0x50, 0x30),       // store 11 bytes + 3
		bs('h', 't', 't', 'p', 's', ':', '/', '/', 'x', '/', '1'),
		bs(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30), // print
		bs(0x1B, 0x64, 0x01), // and below
	)
	if !bytes.Equal(got, want) {
		t.Errorf("got  % X\nwant % X", got, want)
	}
}

func TestQRNativeLong(t *testing.T) {
	// 300 bytes: pL pH = 303 = 0x012F.
	data := strings.Repeat("a", 300)
	got := appendQR(nil, data, 3)
	store := bs(0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30)
	if i := bytes.Index(got, store); i < 0 || !bytes.HasPrefix(got[i+len(store):], []byte(data)) {
		t.Errorf("no store command % X for 300 bytes in % X", store, got[:40])
	}
}

// decodeQR reads img with gozxing, a port of ZXing, which phones use.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	})
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return res.GetText()
}

func TestQRImage(t *testing.T) {
	tests := []struct {
		data   string
		module int
	}{
		{"https://x/1", 4},
		{"https://x/1", 2},
		{"GK20240517", 3},
		{"12345678901234567890", 2},
		{"https://gridkiosk.example/r?id=GK-20240517-0001&站=幸福湾社区党群服务站", 3},
		{strings.Repeat("回执", 200), 2},
	}
	for _, tt := range tests {
		img, err := QRImage(tt.data, tt.module)
		if err != nil {
			t.Fatal(err)
		}
		side := img.Rect.Dx()
		if side != img.Rect.Dy() || side%tt.module != 0 || (side/tt.module-2*quietZone-17)%4 != 0 {
			t.Errorf("%q at %d: %v is no QR code with a quiet zone", tt.data, tt.module, img.Rect)
		}
		// The quiet zone is white.
		if n, _ := inked(img.SubImage(image.Rect(0, 0, side, quietZone*tt.module)).(*image.Gray)); n != 0 {
			t.Errorf("%q: %d dots in the quiet zone", tt.data, n)
		}
		if got := decodeQR(t, img); got != tt.data {
			t.Errorf("QRImage(%q, %d) decodes to %q", tt.data, tt.module, got)
		}
	}
}

func TestQRImageErrors(t *testing.T) {
	for _, tt := range []struct {
		data   string
		module int
	}{{"x", 0}, {"x", 17}, {"", 4}, {strings.Repeat("x", 3000), 1}} {
		if _, err := QRImage(tt.data, tt.module); err == nil || !strings.HasPrefix(err.Error(), "printer: QR image") {
			t.Errorf("QRImage(%d bytes, %d): got %v", len(tt.data), tt.module, err)
		}
	}
}

func TestQRRaster(t *testing.T) {
	p := Profile58()
	p.NativeQR = false
	tests := []struct {
		data   string
		module int
	}{
		{"https://x/1", 6},
		{strings.Repeat("https://x/", 50), 16}, // too big at 16 dots a module
	}
	for _, tt := range tests {
		got, err := Encode(new(Doc).QR(tt.data, tt.module), p)
		if err != nil {
			t.Fatal(err)
		}
		names, images := commands(t, got)
		if want := []string{"1B40", "1B61", "1D76"}; !slices.Equal(names, want) {
			t.Fatalf("commands %v, want %v", names, want)
		}
		one, err := QRImage(tt.data, 1)
		if err != nil {
			t.Fatal(err)
		}
		// The requested size, or the largest that fits; padded to bytes.
		side := one.Rect.Dx() * min(tt.module, p.Dots/one.Rect.Dx())
		img := images[0]
		if want := (side + 7) / 8 * 8; img.Rect.Dx() != want || img.Rect.Dy() != side {
			t.Errorf("%d bytes at module %d: %v, want %d×%d", len(tt.data), tt.module, img.Rect, want, side)
		}
		if got := decodeQR(t, img); got != tt.data {
			t.Errorf("printed QR decodes to %q", got)
		}
	}
}

package printer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"testing"
)

func TestAppendRaster(t *testing.T) {
	// 16×2: the first row's left half black, the second row alternating.
	img := image.NewGray(image.Rect(0, 0, 16, 2))
	for x := range 16 {
		img.SetGray(x, 0, color.Gray{Y: 0xFF * uint8(x/8)})
		img.SetGray(x, 1, color.Gray{Y: 0xFF * uint8(x%2)})
	}
	want := []byte{0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0xFF, 0x00, 0xAA, 0xAA}
	if got := AppendRaster(nil, img); !bytes.Equal(got, want) {
		t.Errorf("16×2: got % X\nwant % X", got, want)
	}
	if got := AppendRaster([]byte{1, 2}, img); !bytes.Equal(got, append([]byte{1, 2}, want...)) {
		t.Errorf("appended: got % X", got)
	}
}

func TestAppendRasterImages(t *testing.T) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 10, 1))
	rgba.Set(0, 0, color.Black)
	rgba.Set(1, 0, color.NRGBA{A: 0})             // transparent black: paper
	rgba.Set(2, 0, color.NRGBA{R: 0x20, A: 0xFF}) // dark red: printed
	rgba.Set(3, 0, color.NRGBA{A: 0x40})          // mostly transparent: paper
	rgba.Set(9, 0, color.Gray{Y: 0x7F})           // just darker than mid-grey
	gray := whiteGray(20, 20)
	gray.SetGray(5, 5, color.Gray{})
	tests := []struct {
		name string
		img  image.Image
		want []byte
	}{
		{"padded to 16 dots", rgba, []byte{0x1D, 0x76, 0x30, 0, 2, 0, 1, 0, 0xA0, 0x40}},
		{"sub-image", gray.SubImage(image.Rect(4, 5, 12, 6)), []byte{0x1D, 0x76, 0x30, 0, 1, 0, 1, 0, 0x40}},
		{"empty", image.NewGray(image.Rect(0, 0, 8, 0)), nil},
	}
	for _, tt := range tests {
		if got := AppendRaster(nil, tt.img); !bytes.Equal(got, tt.want) {
			t.Errorf("%s: got % X, want % X", tt.name, got, tt.want)
		}
	}
}

func TestAppendRasterBands(t *testing.T) {
	img := whiteGray(8, maxBand+6)
	got := AppendRaster(nil, img)
	rows := maxBand
	first := []byte{0x1D, 0x76, 0x30, 0, 1, 0, byte(rows), byte(rows >> 8)}
	second := []byte{0x1D, 0x76, 0x30, 0, 1, 0, 6, 0}
	if !bytes.HasPrefix(got, first) || !bytes.Equal(got[8+maxBand:8+maxBand+8], second) || len(got) != 16+maxBand+6 {
		t.Errorf("got %d bytes starting % X", len(got), got[:8])
	}
}

// inked returns the number of printed pixels and their bounds.
func inked(g *image.Gray) (n int, r image.Rectangle) {
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		for x := g.Rect.Min.X; x < g.Rect.Max.X; x++ {
			if g.GrayAt(x, y).Y < 0x80 {
				n++
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return n, r
}

func TestRasterizerText(t *testing.T) {
	r, err := NewRasterizer()
	if err != nil {
		t.Fatal(err)
	}
	text := func(s string, st Style) *image.Gray {
		t.Helper()
		img, err := r.Text([]string{s}, st, 384)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	cn := text("幸福湾社区党群服务站", Style{})
	if cn.Rect != image.Rect(0, 0, 384, 24) {
		t.Errorf("one line on 58 mm is %v", cn.Rect)
	}
	n, ink := inked(cn)
	if n < 500 || ink.Min.X > 2 || ink.Max.X < 20*cellW-3 || ink.Max.X > 20*cellW {
		t.Errorf("幸福湾社区党群服务站: %d dots printed in %v, want many across 240 dots", n, ink)
	}
	if other := text("幸福湾社区党群服务中心", Style{}); bytes.Equal(other.Pix, cn.Pix) {
		t.Error("different text, same image")
	}
	if ascii := text("Receipt No. 42", Style{}); func() bool { n, _ := inked(ascii); return n < 100 }() {
		t.Error("no ink for ASCII text")
	}
	if n, _ := inked(text("   ", Style{})); n != 0 {
		t.Errorf("spaces printed %d dots", n)
	}

	_, right := inked(text("幸福", Style{Align: Right}))
	_, centre := inked(text("幸福", Style{Align: Center}))
	if right.Max.X < 380 || centre.Min.X < 384/2-26 || centre.Max.X > 384/2+26 {
		t.Errorf("幸福 right-aligned in %v, centred in %v", right, centre)
	}

	big := text("幸福", Style{Wide: true, Tall: true})
	_, plain := inked(text("幸福", Style{}))
	if _, ink := inked(big); big.Rect.Dy() != 48 || ink.Dx() < 2*plain.Dx()-1 || ink.Dy() < 2*plain.Dy()-1 {
		t.Errorf("double size 幸福 in %v on %v; normal in %v", ink, big.Rect, plain)
	}
	nb, _ := inked(text("幸福", Style{Bold: true}))
	np, _ := inked(text("幸福", Style{}))
	if nb <= np {
		t.Errorf("bold: %d dots, plain: %d", nb, np)
	}
}

func TestRenderText(t *testing.T) {
	img, err := RenderText([]string{"办事回执", "", "第3行"}, Style{}, 576)
	if err != nil {
		t.Fatal(err)
	}
	if img.Rect != image.Rect(0, 0, 576, 72) {
		t.Errorf("three lines on 80 mm: %v", img.Rect)
	}
	if n, _ := inked(img.SubImage(image.Rect(0, 24, 576, 48)).(*image.Gray)); n != 0 {
		t.Errorf("empty line has %d dots", n)
	}
	if _, err := RenderText([]string{"x"}, Style{}, 0); err == nil || !strings.HasPrefix(err.Error(), "printer: text image 0 dots wide") {
		t.Errorf("0 dots wide: got %v", err)
	}
	p := Profile58()
	p.Raster = true
	_, err = Encode(new(Doc).Text(strings.Repeat("x\n", 400), Style{}), p)
	if want := "printer: block 1 (text): 400 lines of text: more than 8192 dots"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("400 raster lines: got %v, want %q", err, want)
	}
}

func TestRasterizerConcurrent(t *testing.T) {
	r, err := NewRasterizer()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	imgs := make([]*image.Gray, 4)
	for i := range imgs {
		wg.Go(func() {
			imgs[i], _ = r.Text([]string{"幸福湾社区 Bold"}, Style{Bold: i%2 == 0}, 384)
		})
	}
	wg.Wait()
	if imgs[0] == nil || !bytes.Equal(imgs[0].Pix, imgs[2].Pix) {
		t.Error("same text drawn differently at once")
	}
}

func TestEncodeImage(t *testing.T) {
	// 768×100 on 384 dots: halved.
	wide := whiteGray(768, 100)
	got, err := Encode(new(Doc).Image(wide), Profile58())
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x1B, 0x40, 0x1B, 0x61, 0x01, 0x1D, 0x76, 0x30, 0, 48, 0, 50, 0}
	if !bytes.HasPrefix(got, want) || len(got) != len(want)+48*50 {
		t.Errorf("got %d bytes starting % X", len(got), got[:min(len(got), 16)])
	}
}

func TestDither(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range g.Pix {
		g.Pix[i] = 0x80
	}
	out, err := printable(g, 384)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := inked(out)
	if n < 64*64*4/10 || n > 64*64*6/10 {
		t.Errorf("mid-grey printed as %d of %d dots", n, 64*64)
	}
	for _, p := range out.Pix {
		if p != 0 && p != 0xFF {
			t.Fatalf("grey %d left after dithering", p)
		}
	}
}

// commands splits an ESC/POS stream, as Encode writes it, into command
// names, with "text" for a run of printable bytes, and returns the GS v 0
// images in it.
func commands(t *testing.T, s []byte) (names []string, images []*image.Gray) {
	t.Helper()
	lengths := map[string]int{"1B40": 2, "1B61": 3, "1B45": 3, "1B64": 3, "1D21": 3, "1D56": 3, "1D48": 3, "1D68": 3, "1D77": 3, "1C26": 2, "1C2E": 2}
	for i := 0; i < len(s); {
		if s[i] >= 0x20 {
			j := i
			for j < len(s) && s[j] >= 0x20 {
				j++
			}
			names, i = append(names, "text"), j
			continue
		}
		if s[i] == '\n' {
			names, i = append(names, "LF"), i+1
			continue
		}
		if i+2 > len(s) {
			t.Fatalf("truncated at %d", i)
		}
		name := fmt.Sprintf("%02X%02X", s[i], s[i+1])
		switch n, ok := lengths[name]; {
		case ok:
			i += n
		case name == "1D76" && i+8 <= len(s):
			w, h := int(s[i+4])|int(s[i+5])<<8, int(s[i+6])|int(s[i+7])<<8
			img := whiteGray(8*w, h)
			for y := range h {
				for x := range 8 * w {
					if s[i+8+y*w+x/8]&(0x80>>(x%8)) != 0 {
						img.Pix[y*img.Stride+x] = 0
					}
				}
			}
			images = append(images, img)
			i += 8 + w*h
		case name == "1D6B" && i+4 <= len(s):
			i += 4 + int(s[i+3])
		case name == "1D28" && i+5 <= len(s):
			i += 5 + (int(s[i+3]) | int(s[i+4])<<8)
		default:
			t.Fatalf("unknown command %s at byte %d", name, i)
		}
		names = append(names, name)
	}
	return names, images
}

func TestEncodeRasterMode(t *testing.T) {
	p := Profile58()
	p.Raster = true
	got, err := Encode(receipt(new(Doc)), p)
	if err != nil {
		t.Fatal(err)
	}
	names, images := commands(t, got)
	for _, n := range names {
		switch n {
		case "text", "LF", "1C26", "1C2E", "1D28":
			t.Errorf("%s in a raster receipt: %v", n, names)
		}
	}
	// A picture for each block of text and the QR code; the first, the
	// title, is two lines of double size on the full width.
	if len(images) < 12 || images[0].Rect != image.Rect(0, 0, 384, 2*48) {
		t.Errorf("%d images, the first %v", len(images), images[0].Rect)
	}
}

package escposview

import (
	"bytes"
	"image"
	"io"
	"runtime"
	"testing"
)

func render(t testing.TB, in stream, dots int) *image.Gray {
	t.Helper()
	r, err := Parse(in, Options{Dots: dots})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unknown) > 0 {
		t.Fatalf("Unknown: %q", r.Unknown)
	}
	return r.Image()
}

// ink is the bounding box of the black dots, and their number.
func ink(img *image.Gray) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if img.GrayAt(x, y).Y == black {
				box = box.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return box, n
}

func TestDrawRaster(t *testing.T) {
	diag := func(x, y int) bool { return x == y }
	img := render(t, stream{}.raster(16, 16, diag), 384)
	if got := img.Bounds(); got != image.Rect(0, 0, 384, 16+2*margin) {
		t.Fatalf("bounds %v", got)
	}
	for y := range 16 {
		for x := range 16 {
			if got, want := img.GrayAt(x, margin+y).Y == black, x == y; got != want {
				t.Fatalf("dot (%d, %d) black %v, want %v", x, y, got, want)
			}
		}
	}
	// Mode 3 doubles both ways; a centred image is centred.
	img = render(t, stream{}.align(1).raw(gs, 'v', '0', 3, 1, 0, 1, 0, 0x81), 384)
	box, n := ink(img)
	if want := image.Rect(184, margin, 200, margin+2); box != want || n != 8 {
		t.Errorf("ink %v (%d dots), want %v (8 dots)", box, n, want)
	}
}

func TestDrawQR(t *testing.T) {
	for _, module := range []byte{1, 4, 8} {
		img := render(t, stream{}.qr("hello", module, '0'), 384)
		box, _ := ink(img)
		// "hello" is a version 1 code: 21 modules a side.
		side := 21 * int(module)
		if want := image.Rect(0, margin, side, margin+side); box != want {
			t.Errorf("module %d: QR at %v, want %v", module, box, want)
		}
	}
}

func TestDrawText(t *testing.T) {
	_, normal := ink(render(t, stream{}.line("a"), 384))
	_, bold := ink(render(t, stream{}.bold(true).line("a"), 384))
	if bold <= normal {
		t.Errorf("bold has %d dots, normal %d", bold, normal)
	}

	small, _ := ink(render(t, stream{}.line("汉"), 384))
	big, _ := ink(render(t, stream{}.size(2, 3).line("汉"), 384))
	if big.Dx() != 2*small.Dx() || big.Dy() != 3*small.Dy() {
		t.Errorf("size 2×3 is %v, normal %v", big.Size(), small.Size())
	}

	// The underline runs under both cells, two dots thick.
	img := render(t, stream{}.underline(2).line("a汉"), 384)
	for _, y := range []int{margin + cellH - 2, margin + cellH - 1} {
		for x := range 3 * cellW {
			if img.GrayAt(x, y).Y != black {
				t.Fatalf("underline missing at (%d, %d)", x, y)
			}
		}
	}

	box, _ := ink(render(t, stream{}.align(1).line("汉字"), 384))
	if box.Min.X < 168 || box.Max.X > 216 {
		t.Errorf("centred text at %v, want within x 168 to 216", box)
	}
	box, _ = ink(render(t, stream{}.align(2).line("汉字"), 576))
	if box.Min.X < 576-48 || box.Max.X > 576 {
		t.Errorf("right-aligned text at %v, want within x 528 to 576", box)
	}
}

func TestDrawCutAndBarcode(t *testing.T) {
	img := render(t, stream{}.raw(gs, 'V', 'A', 10), 384)
	y := margin + 10 + cellH/2 - 1
	dashes := 0
	for x := range 384 {
		if img.GrayAt(x, y).Y == black {
			dashes++
		}
	}
	if dashes < 384/2 || dashes == 384 {
		t.Errorf("cut line has %d black dots of 384: want a dashed line", dashes)
	}

	img = render(t, stream{}.raw(gs, 'k', 73, 7).text("{BM0043"), 384)
	greys := 0
	for _, v := range img.Pix {
		if v == grey {
			greys++
		}
	}
	if greys == 0 {
		t.Error("barcode drew no grey box")
	}
}

// TestImageIsFresh: a caller may draw on the image it is given.
func TestImageIsFresh(t *testing.T) {
	r, err := Parse(stream{}.line("a"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Image()
	for i := range a.Pix {
		a.Pix[i] = black
	}
	if _, n := ink(r.Image()); n == len(a.Pix) {
		t.Error("Image returned the same image twice")
	}
	if err := (&Receipt{}).PNG(io.Discard); err != nil {
		t.Errorf("zero Receipt: %v", err)
	}
}

// TestConcurrentImages: a receipt is drawn by the simulation and a preview
// at once (go test -race).
func TestConcurrentImages(t *testing.T) {
	r := parseExample(t)
	want := r.Image()
	done := make(chan *image.Gray)
	for range 4 {
		go func() { done <- r.Image() }()
	}
	for range 4 {
		if n := diff(<-done, want); n != 0 {
			t.Errorf("%d pixels differ between two drawings", n)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(exampleReceipt())
	f.Add([]byte(stream{}.qr("hello", 4, '3').raster(16, 2, func(x, y int) bool { return x == y })))
	f.Add([]byte(stream{}.raw(gs, 'k', 73, 7).text("{BM0043").raw(gs, 'V', 'A', 10)))
	f.Add([]byte(stream{}.raw(esc, '&', 3, 32, 33, 2, 1, 2, 3, 4, 5, 6).raw(fs, 'q', 1, 1, 0, 1, 0)))
	f.Add([]byte(stream{}.raw(gs, '8', 'L', 1, 0, 0, 0, 'x').feed(20).size(8, 8).line("汉字")))
	f.Fuzz(func(t *testing.T, in []byte) {
		dots := 384
		if len(in) > 0 && in[0]&1 == 1 {
			dots = 576
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := Parse(in, Options{Dots: dots})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := r.PNG(&buf); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		// The paper is at most 576×8224 dots (4.7 MB) and its PNG about
		// as much again at worst; the parse keeps at most about the input.
		const limit = 16 << 20
		if n := after.TotalAlloc - before.TotalAlloc; n > limit+16*uint64(len(in)) {
			t.Fatalf("allocated %d bytes for %d bytes of input", n, len(in))
		}
	})
}

func BenchmarkRender(b *testing.B) {
	in := exampleReceipt()
	b.ReportAllocs()
	for b.Loop() {
		r, err := Parse(in, Options{Dots: 576})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.PNG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImage is the drawing alone, without the PNG.
func BenchmarkImage(b *testing.B) {
	r := parseExample(b)
	for b.Loop() {
		r.Image()
	}
}

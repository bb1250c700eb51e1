package escposview_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
)

// The renderer must read back what the encoder wrote: the same Chinese
// text and the same QR code, for each printer profile.
func TestEncoderRoundTrip(t *testing.T) {
	const code = "GK1:R:0190f5e6-0000-7000-8000-000000000001"
	lines := []string{"幸福湾社区党群服务站", "事项：公共设施报修", "7号楼2单元楼道灯不亮，老人晚上上下楼不便"}
	p80 := printer.Profile80()
	p80.ChineseMode, p80.NativeQR = true, false
	rasterAll := printer.Profile58()
	rasterAll.Raster = true
	for _, tc := range []struct {
		name     string
		prof     printer.Profile
		textBack bool // full raster prints text as pictures: no text to read back
	}{
		{"58mm native", printer.Profile58(), true},
		{"80mm FS & raster QR", p80, true},
		{"58mm full raster", rasterAll, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &printer.Doc{}
			for _, l := range lines {
				d.Text(l, printer.Style{})
			}
			d.QR(code, 6).Cut(false)
			job, err := printer.Encode(d, tc.prof)
			if err != nil {
				t.Fatal(err)
			}
			r, err := escposview.Parse(job, escposview.Options{Dots: tc.prof.Dots})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Unknown) > 0 {
				t.Errorf("renderer did not know: %v", r.Unknown)
			}
			if tc.textBack {
				var want []string
				for _, l := range lines {
					want = append(want, printer.Wrap(l, tc.prof.Columns)...)
				}
				got := strings.Join(strings.Fields(r.Text), "")
				if !strings.Contains(got, strings.Join(want, "")) {
					t.Fatalf("text back:\n%s\nwant lines %q", r.Text, want)
				}
			}
			if r.Cuts != 1 {
				t.Errorf("cuts = %d", r.Cuts)
			}
			var buf bytes.Buffer
			if err := r.PNG(&buf); err != nil {
				t.Fatal(err)
			}
			img, _ := png.Decode(&buf)
			bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
			res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
			if err != nil || res.GetText() != code {
				t.Fatalf("QR read back from the paper: %v %v", res, err)
			}
		})
	}
}

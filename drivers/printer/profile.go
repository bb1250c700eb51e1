package printer

import (
	"fmt"
	"time"
)

// A Profile describes a printer model: its paper and what its firmware
// can do.
type Profile struct {
	Name        string
	Dots        int  // printable width in dots: 384 (58 mm) or 576 (80 mm)
	Columns     int  // characters per line at normal size: 32 or 48
	ChineseMode bool // send FS & before Chinese text (and FS . after)
	NativeQR    bool // GS ( k; false → QR as a raster image
	Raster      bool // print everything as raster images (printers with no Chinese font): text is rendered with the bundled CJK font
	CutFeed     int  // lines to feed before a cut; 0 means 4
	// Confirm is how the printer says a job has printed.
	Confirm Confirm
	// ASB: the printer sends its status on every change (GS a), so a
	// stop is seen at once rather than at the next status query.
	ASB bool
	// Speed is the fewest bytes a second the printer prints (0 means
	// 1000): with the job's length, it bounds the wait for confirmation.
	Speed int
}

const (
	// defaultCutFeed clears the last printed line past the cutter on the
	// printers the kiosks use, whose cutter sits about four lines above
	// the print head.
	defaultCutFeed = 4

	// The paper widths accepted: anything outside is a mistake, being
	// narrower or wider than any receipt printer's (80 mm at 300 dpi
	// would be 864 dots).
	minDots = 96
	maxDots = 1024

	// minColumns lets a double-width Chinese character (four columns)
	// fit on a line.
	minColumns = 4

	cellW = 12 // dots per column in the printer's Font A and in raster text
	fontB = 9  // dots per column in Font B, the narrowest printer font
)

// Profile58 is a 58 mm printer: 384 dots, 32 columns, printing GB18030
// without FS & and QR codes with GS ( k, confirming jobs with GS r.
func Profile58() Profile {
	return Profile{Name: "58mm", Dots: 384, Columns: 32, NativeQR: true, CutFeed: defaultCutFeed, Confirm: ConfirmStatus}
}

// Profile80 is an 80 mm printer: 576 dots, 48 columns, otherwise as
// [Profile58].
func Profile80() Profile {
	return Profile{Name: "80mm", Dots: 576, Columns: 48, NativeQR: true, CutFeed: defaultCutFeed, Confirm: ConfirmStatus}
}

// Validate reports whether p describes a printer that Encode can print on.
func (p Profile) Validate() error {
	if p.Dots < minDots || p.Dots > maxDots || p.Dots%8 != 0 {
		return fmt.Errorf("printer: profile %q: width %d dots: want a multiple of 8 from %d to %d (384 for 58 mm, 576 for 80 mm)", p.Name, p.Dots, minDots, maxDots)
	}
	// Native text may use a narrower font than raster text, which is
	// drawn in 12-dot columns and would otherwise run off the paper.
	dotsPerColumn := fontB
	if p.Raster {
		dotsPerColumn = cellW
	}
	if p.Columns < minColumns || p.Columns*dotsPerColumn > p.Dots {
		return fmt.Errorf("printer: profile %q: %d columns: want %d to %d on %d dots", p.Name, p.Columns, minColumns, p.Dots/dotsPerColumn, p.Dots)
	}
	if p.Speed < 0 {
		return fmt.Errorf("printer: profile %q: speed %d bytes/s: want 0 (the default) or more", p.Name, p.Speed)
	}
	if p.Confirm < ConfirmNone || p.Confirm > ConfirmProcessID {
		return fmt.Errorf("printer: profile %q: unknown confirmation %d", p.Name, p.Confirm)
	}
	if p.CutFeed < 0 || p.CutFeed > 255 {
		return fmt.Errorf("printer: profile %q: cut feed %d lines: want 0 to 255", p.Name, p.CutFeed)
	}
	return nil
}

// cutFeed is the number of lines to feed before a cut.
func (p Profile) cutFeed() int {
	if p.CutFeed == 0 {
		return defaultCutFeed
	}
	return p.CutFeed
}

// TestPage is the printer test a technician prints on site: large and
// normal Chinese text, the paper width and a QR code, so one look at the
// paper shows the encoding, the fonts and the QR mode are right.
func TestPage(p Profile, at time.Time) *Doc {
	d := &Doc{}
	d.Text("网格服务站 打印测试", Style{Align: Center, Bold: true, Wide: true, Tall: true}).
		Text("Printer test 打印机测试", Style{Align: Center}).Separator('-').
		KV("纸宽 Paper", p.Name).KV("时间 Time", at.Format("2006-01-02 15:04:05")).
		Text("中文 GB18030：幸福湾社区 乡宁县 昌宁镇", Style{}).
		QR("GK1:TEST", 6).Feed(1).Cut(false)
	return d
}

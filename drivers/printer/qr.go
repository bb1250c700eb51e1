package printer

import (
	"errors"
	"fmt"
	"image"
	"strings"

	"rsc.io/qr"
)

const (
	minModule = 1
	maxModule = 16
	quietZone = 4 // modules of white around a QR code, as the standard asks

	// GS ( k error correction level M (byte 0x31): 15% of the code may be
	// lost, enough for a crumpled receipt without making the code large.
	qrLevelM = 0x31
)

// The most data a version 40 QR code holds at level M, by mode. The
// printer, like rsc.io/qr, picks the mode from the data.
const (
	qrMaxNumeric = 5596
	qrMaxAlnum   = 3391
	qrMaxBytes   = 2331
	qrAlnumChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
)

// checkQR reports whether data fits in a level M QR code.
func checkQR(data string) error {
	if data == "" {
		return errors.New("no data")
	}
	limit, mode := qrMaxBytes, "byte"
	switch {
	case strings.Trim(data, "0123456789") == "":
		limit, mode = qrMaxNumeric, "numeric"
	case strings.Trim(data, qrAlnumChars) == "":
		limit, mode = qrMaxAlnum, "alphanumeric"
	}
	if len(data) > limit {
		return fmt.Errorf("data longer than %d bytes (the most a level M QR code holds in %s mode)", limit, mode)
	}
	return nil
}

func checkModule(module int) error {
	if module < minModule || module > maxModule {
		return fmt.Errorf("module size %d: want %d to %d", module, minModule, maxModule)
	}
	return nil
}

// qr prints a QR code, with GS ( k if the printer has it, else as a
// picture.
func (e *encoder) qr(data string, module int) error {
	if err := checkModule(module); err != nil {
		return err
	}
	if err := checkQR(data); err != nil {
		return err
	}
	e.setAlign(Center)
	if e.p.NativeQR && !e.p.Raster {
		// GS ( k prints the symbol alone, so the text above and below
		// would touch it: readers need the quiet zone to find the code
		// (gozxing missed 2 % of receipt links without it).
		quiet := quietLines(module)
		e.feed(quiet)
		e.out = appendQR(e.out, data, module)
		e.feed(quiet)
		return nil
	}
	code, err := qr.Encode(data, qr.M)
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	side := code.Size + 2*quietZone
	if side > e.p.Dots {
		return fmt.Errorf("%d modules wide, the paper has %d dots", side, e.p.Dots)
	}
	e.out = AppendRaster(e.out, drawQR(code, min(module, e.p.Dots/side)))
	return nil
}

// quietLines is how many blank lines at the printers' power-on spacing
// (ESC 2: 30 dots) make a quiet zone for modules of module dots.
func quietLines(module int) int {
	const lineDots = 30
	return (quietZone*module + lineDots - 1) / lineDots
}

// appendQR appends the GS ( k commands that print data as a model 2 QR
// code at level M. data must fit; see checkQR.
func appendQR(dst []byte, data string, module int) []byte {
	n := len(data) + 3 // with cn, fn and m
	dst = append(dst,
		gs, '(', 'k', 4, 0, 0x31, 0x41, 0x32, 0x00, // model 2
		gs, '(', 'k', 3, 0, 0x31, 0x43, byte(module),
		gs, '(', 'k', 3, 0, 0x31, 0x45, qrLevelM,
		gs, '(', 'k', byte(n), byte(n>>8), 0x31, 0x50, 0x30)
	dst = append(dst, data...)
	return append(dst, gs, '(', 'k', 3, 0, 0x31, 0x51, 0x30)
}

// QRImage draws data as a QR code at level M with a 4-module quiet zone,
// module dots to a module (1 to 16): black on white.
func QRImage(data string, module int) (*image.Gray, error) {
	if err := checkModule(module); err != nil {
		return nil, fmt.Errorf("printer: QR image: %w", err)
	}
	if data == "" {
		return nil, errors.New("printer: QR image: no data")
	}
	code, err := qr.Encode(data, qr.M)
	if err != nil {
		return nil, fmt.Errorf("printer: QR image of %d bytes: %w", len(data), err)
	}
	return drawQR(code, module), nil
}

func drawQR(code *qr.Code, module int) *image.Gray {
	side := (code.Size + 2*quietZone) * module
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y := range code.Size {
		for x := range code.Size {
			if !code.Black(x, y) {
				continue
			}
			x0, y0 := (x+quietZone)*module, (y+quietZone)*module
			for dy := range module {
				row := img.Pix[(y0+dy)*img.Stride:]
				for dx := range module {
					row[x0+dx] = 0
				}
			}
		}
	}
	return img
}

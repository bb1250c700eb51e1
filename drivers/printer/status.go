package printer

import "fmt"

// Status is what a printer reports about itself.
type Status struct {
	Online          bool
	CoverOpen       bool
	PaperNearEnd    bool // a few metres left: print, but tell staff
	PaperOut        bool
	CutterError     bool // usually a paper jam in the cutter
	Unrecoverable   bool // needs the printer switched off and on
	AutoRecoverable bool // e.g. the head too hot; clears by itself
	Error           bool // some error; the fields above say which, if the printer does
	PaperNotTorn    bool // the last receipt is still in the slot (some Chinese printers only)
}

// A NotReadyError says why a print cannot start.
type NotReadyError struct {
	Reason string // "paper out", "cover open", "offline", "cutter error" or "error"
	Msg    string // for staff, in Chinese and English
}

func (e *NotReadyError) Error() string { return "printer: not ready: " + e.Reason }

// Ready returns nil if a print may start, else a [*NotReadyError]. Paper
// near its end and a receipt not torn away do not stop a print. When the
// printer reports several problems, the one staff can fix is named: a
// printer out of paper is offline too, and "load paper" is the useful
// message.
func (s Status) Ready() error {
	switch {
	case s.PaperOut:
		return &NotReadyError{"paper out", "打印纸用完，请装纸 / out of paper: load a new roll"}
	case s.CoverOpen:
		return &NotReadyError{"cover open", "打印机盖没有合上，请合好 / printer cover open: close it"}
	case s.CutterError:
		return &NotReadyError{"cutter error", "切纸刀卡住，请关闭打印机电源，清理切刀后重新开机 / cutter jammed: switch the printer off, clear the cutter and switch it on"}
	case s.Unrecoverable:
		return &NotReadyError{"error", "打印机故障，请关闭电源后重新开机 / printer fault: switch it off and on again"}
	case s.AutoRecoverable:
		return &NotReadyError{"error", "打印机暂时故障（可能过热），请稍候再打印 / printer paused (perhaps too hot): wait a minute and print again"}
	case s.Error:
		return &NotReadyError{"error", "打印机故障，请检查打印机 / printer error: check the printer"}
	case !s.Online:
		return &NotReadyError{"offline", "打印机离线，请检查打印机 / printer offline: check the printer"}
	}
	return nil
}

// StatusQuery returns DLE EOT 1, 2, 3 and 4: the real-time status
// requests, whose four one-byte replies [ParseRealTimeStatus] decodes.
// The printer answers them even while busy or offline.
func StatusQuery() []byte {
	return []byte{dle, 4, 1, dle, 4, 2, dle, 4, 3, dle, 4, 4}
}

// ParseRealTimeStatus decodes the replies to DLE EOT n for n = 1 to 4, in
// order. Each has bits 1 and 4 set and bits 0 and 7 clear; a reply that
// does not is an error, most likely a byte out of step. Bit 7 of the
// reply to n = 1 is allowed: some Chinese printers set it while the last
// receipt has not been torn away (PaperNotTorn).
//
// Error is set by n = 2 bit 6 (an error occurred) and n = 3 bit 2 (a
// mechanical error).
func ParseRealTimeStatus(replies [4]byte) (Status, error) {
	for i, b := range replies {
		mask := byte(0x93)
		if i == 0 {
			mask = 0x13 // bit 7 may be PaperNotTorn
		}
		if b&mask != 0x12 {
			return Status{}, fmt.Errorf("printer: reply to DLE EOT %d is 0x%02X: want bits 1 and 4 set and bits 0 and 7 clear", i+1, b)
		}
	}
	// Epson's names for the four: printer, offline cause, error cause and
	// paper sensor status.
	prt, offline, errs, paper := replies[0], replies[1], replies[2], replies[3]
	return Status{
		Online:          prt&0x08 == 0,
		PaperNotTorn:    prt&0x80 != 0,
		CoverOpen:       offline&0x04 != 0,
		PaperOut:        offline&0x20 != 0 || paper&0x60 != 0,
		Error:           offline&0x40 != 0 || errs&0x04 != 0,
		CutterError:     errs&0x08 != 0,
		Unrecoverable:   errs&0x20 != 0,
		AutoRecoverable: errs&0x40 != 0,
		PaperNearEnd:    paper&0x0C != 0,
	}, nil
}

// EnableASB returns GS a 0x0F, which makes the printer send a 4-byte
// status (Automatic Status Back) whenever the drawer, online, error or
// paper status changes, and once straight away. These are the four groups that
// Epson defines; the higher bits are reserved. The drawer group costs
// nothing at a kiosk without a drawer: its bit never changes.
func EnableASB() []byte {
	return []byte{gs, 'a', 0x0F}
}

// The fixed bits of ASB bytes: byte 0 has bit 4 set and bits 0, 1 and 7
// clear; bytes 1 to 3 have bits 4 and 7 clear. Byte 0 alone has bit 4
// set, so a byte can never be taken for the wrong part of a status.
const (
	asbFirstMask = 0x93
	asbFirst     = 0x10
	asbRestMask  = 0x90
)

// An ASBReader picks the 4-byte automatic statuses ([EnableASB]) out of
// what a printer sends. Bytes that cannot be part of a status, such as
// the replies to DLE EOT (which have bit 1 of their first byte set) or
// line noise, are skipped, and reading starts again at the next byte that
// can start a status. It holds at most three bytes between calls. The
// zero ASBReader is ready to use.
type ASBReader struct {
	frame [4]byte
	n     int // bytes of frame filled
}

// Feed reads bytes as they come and returns every status completed by
// them, in order. A status may be split across calls.
func (a *ASBReader) Feed(b []byte) []Status {
	var out []Status
	for _, c := range b {
		switch {
		case c&asbFirstMask == asbFirst:
			// A new status, whether or not the last was complete: a
			// status cut short is lost rather than mixed with this one.
			a.frame[0], a.n = c, 1
		case a.n > 0 && c&asbRestMask == 0:
			a.frame[a.n] = c
			a.n++
			if a.n == len(a.frame) {
				out = append(out, parseASB(a.frame))
				a.n = 0
			}
		default:
			a.n = 0
		}
	}
	return out
}

// parseASB decodes a status laid out as Epson's: byte 0 bit 3 offline,
// bit 5 cover open; byte 1 bit 2 mechanical error, bit 3 cutter error,
// bit 5 unrecoverable, bit 6 auto-recoverable; byte 2 bits 0–1 paper near
// end, bits 2–3 paper end. ASB has no summary error bit, so Error is set
// by any error, as DLE EOT 2 bit 6 is. Bit 6 of byte 0 (the feed button)
// and the reserved bits are ignored.
func parseASB(f [4]byte) Status {
	errs := f[1] & 0x6C
	return Status{
		Online:          f[0]&0x08 == 0,
		CoverOpen:       f[0]&0x20 != 0,
		Error:           errs != 0,
		CutterError:     f[1]&0x08 != 0,
		Unrecoverable:   f[1]&0x20 != 0,
		AutoRecoverable: f[1]&0x40 != 0,
		PaperNearEnd:    f[2]&0x03 != 0,
		PaperOut:        f[2]&0x0C != 0,
	}
}

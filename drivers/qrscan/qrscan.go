// Package qrscan reads codes from serial QR and barcode scanners (RS-232
// or USB CDC): it splits the stream into codes on CR, LF or CR LF, and on
// an idle gap for scanners that send no suffix (configured, or learned
// from the first code that ends in CR or LF); strips the AIM code-ID
// prefix and names the symbology; decodes UTF-8, or GB18030 from Chinese
// scanners; and bounds a code's length, so a stuck scanner or line noise
// cannot grow memory.
package qrscan

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// DefaultMaxLen bounds one code. A QR code holds at most 7089 digits; a
// longer "code" is noise or a scanner stuck sending.
const DefaultMaxLen = 8192

// Code is one code read.
type Code struct {
	Data      string // the content, decoded
	Symbology string // "QR", "EAN-13", "Code 128", … or "" when the scanner sent no AIM prefix
	AIM       string // the AIM code ID as sent, e.g. "]Q1"
	Charset   string // "utf-8" or "gb18030"
	Raw       []byte // the bytes as received, without the prefix and suffix
}

// aimNames maps the AIM code ID's symbology letter to a name.
var aimNames = map[byte]string{
	'Q': "QR", 'E': "EAN-13", 'C': "Code 128", 'A': "Code 39", 'd': "Data Matrix",
	'L': "PDF417", 'I': "ITF", 'F': "Codabar", 'z': "Aztec", 'e': "GS1 DataBar",
}

// Decode turns one code's bytes into a Code: the AIM prefix (']', a
// symbology letter, a modifier digit) is stripped and named, and the rest
// decoded as UTF-8 when it is valid UTF-8, else as GB18030.
func Decode(raw []byte) Code {
	c := Code{Raw: raw}
	if len(raw) >= 3 && raw[0] == ']' && isAlpha(raw[1]) && isAlnum(raw[2]) {
		c.AIM = string(raw[:3])
		c.Symbology = aimNames[raw[1]]
		if c.Symbology == "" {
			c.Symbology = "AIM " + string(raw[1])
		}
		raw = raw[3:]
		c.Raw = raw
	}
	if utf8.Valid(raw) {
		c.Data, c.Charset = string(raw), "utf-8"
		return c
	}
	// x/text replaces what GB18030 cannot decode with U+FFFD rather than
	// failing, so a replacement character means it was not GB18030.
	if s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err == nil && !bytes.ContainsRune(s, utf8.RuneError) {
		c.Data, c.Charset = string(s), "gb18030"
		return c
	}
	// Neither: keep what is printable so staff see something, and the
	// bytes in Raw for a technician.
	c.Data, c.Charset = string(bytes.ToValidUTF8(raw, []byte("\uFFFD"))), "unknown"
	return c
}

func isAlpha(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isAlnum(b byte) bool { return isAlpha(b) || b >= '0' && b <= '9' }

// Ending says how a scanner ends a code, and so what may end one here.
type Ending int

const (
	// EndLearn: the idle gap ends a code until a code ends in CR or LF;
	// from then on only CR or LF does (see Options.StaleGap).
	EndLearn Ending = iota
	// EndSuffix: the scanner ends every code with CR, LF or CR LF, and
	// only they end a code, however long the line pauses inside one.
	EndSuffix
	// EndIdle: the scanner sends no suffix; the idle gap ends a code
	// (CR and LF still do).
	EndIdle
)

// ParseEnding reads devices.scanner.suffix: "" or "auto" (learn it), "cr",
// "lf" or "crlf" (the scanner is set to send one; all three end a code
// alike), or "none".
func ParseEnding(s string) (Ending, error) {
	switch s {
	case "", "auto":
		return EndLearn, nil
	case "cr", "lf", "crlf":
		return EndSuffix, nil
	case "none":
		return EndIdle, nil
	}
	return 0, fmt.Errorf("qrscan: suffix %q: want cr, lf, crlf, none or auto", s)
}

// Framer splits a scanner's byte stream into codes. It holds at most
// max bytes of an unfinished code; past that it drops the code and
// counts it, until the next terminator.
type Framer struct {
	max      int
	buf      []byte
	skipping bool // inside an over-long code: drop until its end
	suffixed bool // a code has ended in CR or LF
	// Dropped counts codes dropped for being longer than max.
	Dropped int
}

// NewFramer returns a Framer bounding codes to max bytes (0: DefaultMaxLen).
func NewFramer(max int) *Framer {
	if max <= 0 {
		max = DefaultMaxLen
	}
	return &Framer{max: max}
}

// Feed takes bytes as they arrive and returns the codes they complete.
// CR, LF and CR LF end a code; empty codes are not returned.
func (f *Framer) Feed(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			f.add(b)
			break
		}
		f.add(b[:i])
		if code := f.end(); code != nil {
			out = append(out, code)
			f.suffixed = true
		}
		b = b[i+1:]
	}
	return out
}

// Flush ends the code in progress, as an idle gap does on a scanner that
// sends no suffix, and returns it (nil if there is none).
func (f *Framer) Flush() []byte { return f.end() }

// Pending reports whether part of a code is waiting for its end.
func (f *Framer) Pending() bool { return len(f.buf) > 0 }

// Suffixed reports whether a code has ended in CR or LF since the framer
// started or Unlearn was called: the scanner sends a suffix.
func (f *Framer) Suffixed() bool { return f.suffixed }

// Unlearn forgets that a code ended in CR or LF: the CR or LF was inside
// a code of a scanner that sends no suffix.
func (f *Framer) Unlearn() { f.suffixed = false }

func (f *Framer) add(b []byte) {
	if f.skipping {
		return
	}
	if len(f.buf)+len(b) > f.max {
		f.buf, f.skipping = f.buf[:0], true
		f.Dropped++
		return
	}
	f.buf = append(f.buf, b...)
}

func (f *Framer) end() []byte {
	f.skipping = false
	if len(f.buf) == 0 {
		return nil
	}
	code := bytes.Clone(f.buf)
	f.buf = f.buf[:0]
	return code
}

// TriggerCommand returns the bytes that start (on) or stop a scan on a
// scanner of the given family: "honeywell" (SYN T CR / SYN U CR) or
// "gm65" (one-shot; stop is not needed). It returns nil for an unknown
// family or a stop the family has none of.
func TriggerCommand(family string, on bool) []byte {
	switch {
	case family == "honeywell" && on:
		return []byte{0x16, 'T', '\r'} // SYN T CR
	case family == "honeywell":
		return []byte{0x16, 'U', '\r'} // SYN U CR
	case family == "gm65" && on:
		return []byte{0x7E, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xAB, 0xCD}
	}
	return nil
}

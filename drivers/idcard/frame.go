package idcard

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// MaxLen bounds the LEN field of a frame. The longest frame the protocol
// has, the read reply with a fingerprint, has LEN 2314; anything above the
// bound is line noise or a torn frame, and calling it a length error keeps
// one bad byte from making the caller wait for, or allocate, 64 KiB.
const MaxLen = 4096

// Sizes of the blocks a read command returns.
const (
	TextLen        = 256  // text block, UTF-16LE
	PhotoLen       = 1024 // photo, encrypted WLT
	FingerprintLen = 1024 // fingerprint data, when the card has it
)

// The frame layout: preamble, two LEN bytes, then LEN bytes that end with
// the checksum.
const (
	preamble    = "\xAA\xAA\xAA\x96\x69"
	headerLen   = len(preamble) + 2
	minFrameLen = 3 // LEN of the shortest frame: CMD PARA CHK
)

// Command is a command and its parameter byte, CMD<<8 | PARA.
type Command uint16

// The commands of GA 467 the driver uses.
const (
	CmdResetSAM        Command = 0x10FF // reset the SAM
	CmdSAMStatus       Command = 0x11FF // SAM self-check
	CmdSAMID           Command = 0x12FF // read the SAM's serial number
	CmdFind            Command = 0x2001 // is a card on the reader?
	CmdSelect          Command = 0x2002 // select the card found
	CmdReadText        Command = 0x3001 // read text and photo
	CmdReadNewAddress  Command = 0x3003 // read the address added after issue
	CmdReadFingerprint Command = 0x3010 // read text, photo and fingerprint
	CmdSetMaxRF        Command = 0x61FF // set the largest RF frame; one data byte
)

func (c Command) describe() string {
	switch c {
	case CmdResetSAM:
		return "reset SAM"
	case CmdSAMStatus:
		return "SAM status"
	case CmdSAMID:
		return "read SAM ID"
	case CmdFind:
		return "find card"
	case CmdSelect:
		return "select card"
	case CmdReadText:
		return "read text and photo"
	case CmdReadNewAddress:
		return "read new address"
	case CmdReadFingerprint:
		return "read text, photo and fingerprint"
	case CmdSetMaxRF:
		return "set max RF frame bytes"
	}
	return "command"
}

// String names the command and gives its bytes as manuals write them:
// "find card (20 01)".
func (c Command) String() string {
	return fmt.Sprintf("%s (%02X %02X)", c.describe(), byte(c>>8), byte(c))
}

// AppendCommand appends to dst the whole frame that sends c with data, which
// is nil for every command but CmdSetMaxRF. It panics if the frame would be
// longer than MaxLen allows, which no command of the protocol is.
func AppendCommand(dst []byte, c Command, data []byte) []byte {
	return appendFrame(dst, []byte{byte(c >> 8), byte(c)}, data)
}

// Reply is a reader's answer to a command.
type Reply struct {
	SW1, SW2 byte // 00 00 in practice
	Status   Status
	Data     []byte
}

// AppendReply appends to dst the whole frame that carries r, as a reader
// sends it. Emulators use it. It panics if r.Data does not fit in MaxLen.
func AppendReply(dst []byte, r Reply) []byte {
	return appendFrame(dst, []byte{r.SW1, r.SW2, byte(r.Status)}, r.Data)
}

func appendFrame(dst, head, data []byte) []byte {
	n := len(head) + len(data) + 1
	if n > MaxLen {
		panic(fmt.Sprintf("idcard: frame LEN %d exceeds MaxLen %d", n, MaxLen))
	}
	dst = slices.Grow(dst, headerLen+n)
	start := len(dst)
	dst = append(dst, preamble...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	dst = append(dst, head...)
	dst = append(dst, data...)
	return append(dst, checksum(dst[start+len(preamble):]))
}

// checksum is the XOR of b: the frame checksum when b runs from LEN_H to the
// last data byte.
func checksum(b []byte) byte {
	var x byte
	for _, v := range b {
		x ^= v
	}
	return x
}

// errShort is a string error type so that ErrShort can be a constant: no
// package variable that a caller could reassign.
type errShort string

func (e errShort) Error() string { return string(e) }

// ErrShort means the buffer ends inside a frame: read more and try again.
const ErrShort = errShort("idcard: frame incomplete")

// The reasons a FrameError gives.
const (
	reasonChecksum     = "checksum"
	reasonLength       = "length"
	reasonTorn         = "torn"
	reasonShortReply   = "short reply"
	reasonShortCommand = "short command"
)

// FrameError is a frame that cannot be used. Reason is one of
//
//	"checksum"       CHK does not match the frame's bytes
//	"length"         LEN is below 3 or above MaxLen
//	"torn"           the frame is cut short: a complete frame starts inside it
//	"short reply"    ParseReply was given fewer than 3 bytes
//	"short command"  ParseCommand was given fewer than 2 bytes
type FrameError struct {
	Reason  string
	Len     int  // the LEN field, or the LEN the body given to a Parse function implies
	Want    byte // checksum computed from the frame's bytes
	Got     byte // checksum the frame carries
	Skipped int  // bytes of noise before the frame's preamble
}

func (e *FrameError) Error() string {
	switch e.Reason {
	case reasonChecksum:
		return fmt.Sprintf("idcard: frame checksum 0x%02X, computed 0x%02X", e.Got, e.Want)
	case reasonLength:
		return fmt.Sprintf("idcard: frame length %d outside %d..%d", e.Len, minFrameLen, MaxLen)
	case reasonTorn:
		return fmt.Sprintf("idcard: frame of length %d torn: another frame starts inside it", e.Len)
	case reasonShortReply:
		return fmt.Sprintf("idcard: frame length %d too short for a reply", e.Len)
	case reasonShortCommand:
		return fmt.Sprintf("idcard: frame length %d too short for a command", e.Len)
	}
	return "idcard: bad frame: " + e.Reason
}

// DecodeFrame looks for one frame in buf, skipping any noise before its
// preamble. It returns the frame's body, the bytes between LEN and CHK, and
// n, the number of bytes of buf it consumed: noise and frame. The body
// aliases buf.
//
// If buf ends inside a frame, DecodeFrame returns ErrShort and n is the
// count of leading noise the caller may drop before reading more.
//
// On a *FrameError, n goes just past the bad frame's preamble, not past the
// whole frame its LEN claims: that LEN cannot be trusted, and a frame that
// was torn off part way is followed by a good one that starts inside the
// span the LEN claims. Dropping n bytes and calling again resynchronises
// on the next preamble. A frame whose end has not arrived is reported torn
// when a complete, valid frame already starts inside it, so that a reply
// that follows a torn one is not held up waiting for bytes that never come.
func DecodeFrame(buf []byte) (body []byte, n int, err error) {
	i := bytes.Index(buf, []byte(preamble))
	if i < 0 {
		return nil, len(buf) - partialPreamble(buf), ErrShort
	}
	frame := buf[i:]
	if len(frame) < headerLen {
		return nil, i, ErrShort
	}
	past := i + len(preamble)
	l := int(binary.BigEndian.Uint16(frame[len(preamble):]))
	if l < minFrameLen || l > MaxLen {
		return nil, past, &FrameError{Reason: reasonLength, Len: l, Skipped: i}
	}
	end := headerLen + l
	if len(frame) < end {
		if completeFrameAt(buf, past) {
			return nil, past, &FrameError{Reason: reasonTorn, Len: l, Skipped: i}
		}
		return nil, i, ErrShort
	}
	got := frame[end-1]
	want := checksum(frame[len(preamble) : end-1])
	if got != want {
		return nil, past, &FrameError{Reason: reasonChecksum, Len: l, Want: want, Got: got, Skipped: i}
	}
	return frame[headerLen : end-1 : end-1], i + end, nil
}

// partialPreamble returns the length of the longest tail of buf that is
// the start of a preamble: bytes that must be kept for the next read.
func partialPreamble(buf []byte) int {
	for k := min(len(preamble)-1, len(buf)); k > 0; k-- {
		if string(buf[len(buf)-k:]) == preamble[:k] {
			return k
		}
	}
	return 0
}

// completeFrameAt reports whether a complete frame with a good length and
// checksum starts in buf at or after from.
func completeFrameAt(buf []byte, from int) bool {
	for from < len(buf) {
		j := bytes.Index(buf[from:], []byte(preamble))
		if j < 0 {
			return false
		}
		f := buf[from+j:]
		if len(f) >= headerLen {
			l := int(binary.BigEndian.Uint16(f[len(preamble):]))
			end := headerLen + l
			if l >= minFrameLen && l <= MaxLen && len(f) >= end &&
				checksum(f[len(preamble):end-1]) == f[end-1] {
				return true
			}
		}
		from += j + len(preamble)
	}
	return false
}

// ParseReply splits the body of a reply frame into its status words and
// data. Data aliases body.
func ParseReply(body []byte) (Reply, error) {
	if len(body) < 3 {
		return Reply{}, &FrameError{Reason: reasonShortReply, Len: len(body) + 1}
	}
	return Reply{SW1: body[0], SW2: body[1], Status: Status(body[2]), Data: body[3:]}, nil
}

// ParseCommand splits the body of a command frame into the command and its
// data, for emulators. The data aliases body.
func ParseCommand(body []byte) (Command, []byte, error) {
	if len(body) < 2 {
		return 0, nil, &FrameError{Reason: reasonShortCommand, Len: len(body) + 1}
	}
	return Command(body[0])<<8 | Command(body[1]), body[2:], nil
}

// ParseReadData splits the data of a successful read reply. The reply to
// read text (30 01) starts with two big-endian lengths, text and photo; the
// reply to read fingerprint (30 10) with three, the third the fingerprint's.
// Which form it is follows from the lengths adding up to the data's size.
// The text must be TextLen bytes, the photo PhotoLen, and the fingerprint
// 0 or FingerprintLen. Fingerprint is nil in the two-length form and empty
// but not nil when the three-length form carries none. The blocks alias
// data.
func ParseReadData(data []byte) (text, photo, fingerprint []byte, err error) {
	var lens [3]int
	nlens := 0
	for _, k := range [...]int{2, 3} {
		if len(data) < 2*k {
			break
		}
		sum := 2 * k
		for j := range k {
			lens[j] = int(binary.BigEndian.Uint16(data[2*j:]))
			sum += lens[j]
		}
		if sum == len(data) {
			nlens = k
			break
		}
	}
	if nlens == 0 {
		return nil, nil, nil, fmt.Errorf("idcard: read data: %d bytes do not match the block lengths they start with", len(data))
	}
	if lens[0] != TextLen {
		return nil, nil, nil, fmt.Errorf("idcard: read data: text block is %d bytes, want %d", lens[0], TextLen)
	}
	if lens[1] != PhotoLen {
		return nil, nil, nil, fmt.Errorf("idcard: read data: photo is %d bytes, want %d", lens[1], PhotoLen)
	}
	if nlens == 3 && lens[2] != 0 && lens[2] != FingerprintLen {
		return nil, nil, nil, fmt.Errorf("idcard: read data: fingerprint is %d bytes, want 0 or %d", lens[2], FingerprintLen)
	}
	p := 2 * nlens
	text, p = data[p:p+TextLen:p+TextLen], p+TextLen
	photo, p = data[p:p+PhotoLen:p+PhotoLen], p+PhotoLen
	if nlens == 3 {
		fingerprint = data[p:len(data):len(data)]
	}
	return text, photo, fingerprint, nil
}

// AppendReadData appends to dst the data of a read reply: the two-length
// form of read text when fingerprint is nil, else the three-length form of
// read fingerprint. It does not check the blocks' sizes, so that emulators
// can send wrong ones; it panics if one is longer than 65535 bytes.
func AppendReadData(dst []byte, text, photo, fingerprint []byte) []byte {
	blocks := [3][]byte{text, photo, fingerprint}
	n := 2
	if fingerprint != nil {
		n = 3
	}
	for _, b := range blocks[:n] {
		if len(b) > 0xFFFF {
			panic(fmt.Sprintf("idcard: read data block of %d bytes does not fit its length field", len(b)))
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(b)))
	}
	for _, b := range blocks[:n] {
		dst = append(dst, b...)
	}
	return dst
}

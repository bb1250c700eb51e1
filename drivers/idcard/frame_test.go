package idcard_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
)

// unhex turns "AA AA 96" into bytes.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestAppendCommandGolden(t *testing.T) {
	tests := []struct {
		cmd  idcard.Command
		data []byte
		want string
	}{
		{idcard.CmdResetSAM, nil, "AA AA AA 96 69 00 03 10 FF EC"},
		{idcard.CmdSAMStatus, nil, "AA AA AA 96 69 00 03 11 FF ED"},
		{idcard.CmdSAMID, nil, "AA AA AA 96 69 00 03 12 FF EE"},
		{idcard.CmdFind, nil, "AA AA AA 96 69 00 03 20 01 22"},
		{idcard.CmdSelect, nil, "AA AA AA 96 69 00 03 20 02 21"},
		{idcard.CmdReadText, nil, "AA AA AA 96 69 00 03 30 01 32"},
		{idcard.CmdReadNewAddress, nil, "AA AA AA 96 69 00 03 30 03 30"},
		{idcard.CmdReadFingerprint, nil, "AA AA AA 96 69 00 03 30 10 23"},
		{idcard.CmdSetMaxRF, []byte{0x50}, "AA AA AA 96 69 00 04 61 FF 50 CA"},
	}
	for _, tc := range tests {
		want := unhex(t, tc.want)
		if got := idcard.AppendCommand(nil, tc.cmd, tc.data); !bytes.Equal(got, want) {
			t.Errorf("%v: % X, want % X", tc.cmd, got, want)
		}
		// Appending keeps what dst held.
		got := idcard.AppendCommand([]byte{1, 2}, tc.cmd, tc.data)
		if !bytes.Equal(got[:2], []byte{1, 2}) || !bytes.Equal(got[2:], want) {
			t.Errorf("%v appended to 01 02: % X", tc.cmd, got)
		}
		body, n, err := idcard.DecodeFrame(want)
		if err != nil || n != len(want) {
			t.Fatalf("%v: DecodeFrame: n=%d err=%v", tc.cmd, n, err)
		}
		cmd, data, err := idcard.ParseCommand(body)
		if err != nil || cmd != tc.cmd || !bytes.Equal(data, tc.data) {
			t.Errorf("ParseCommand(% X) = %v, % X, %v", body, cmd, data, err)
		}
	}
}

func TestAppendReplyGolden(t *testing.T) {
	tests := []struct {
		name  string
		reply idcard.Reply
		want  string
	}{
		{"find OK", idcard.Reply{Status: idcard.StatusFound, Data: make([]byte, 4)},
			"AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"},
		{"no card", idcard.Reply{Status: idcard.StatusNoCard},
			"AA AA AA 96 69 00 04 00 00 80 84"},
		{"select OK", idcard.Reply{Status: idcard.StatusOK, Data: make([]byte, 8)},
			"AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"},
		{"select failed", idcard.Reply{Status: idcard.StatusSelectFailed},
			"AA AA AA 96 69 00 04 00 00 81 85"},
		{"read failed", idcard.Reply{Status: idcard.StatusReadFailed},
			"AA AA AA 96 69 00 04 00 00 41 45"},
		{"SAM ID", idcard.Reply{Status: idcard.StatusOK, Data: samIDExample()},
			"AA AA AA 96 69 00 14 00 00 90 05 00 01 00 05 B4 32 01 15 CD 5B 07 D2 02 96 49 89"},
	}
	for _, tc := range tests {
		want := unhex(t, tc.want)
		if got := idcard.AppendReply(nil, tc.reply); !bytes.Equal(got, want) {
			t.Errorf("%s: % X\nwant % X", tc.name, got, want)
		}
		body, n, err := idcard.DecodeFrame(want)
		if err != nil || n != len(want) {
			t.Fatalf("%s: DecodeFrame: n=%d err=%v", tc.name, n, err)
		}
		r, err := idcard.ParseReply(body)
		if err != nil || r.Status != tc.reply.Status || r.SW1 != 0 || r.SW2 != 0 ||
			!bytes.Equal(r.Data, tc.reply.Data) {
			t.Errorf("%s: ParseReply = %+v, %v", tc.name, r, err)
		}
	}
}

// readReply builds the reply to a read command around blocks of the right
// sizes.
func readReply(fingerprint bool) []byte {
	text := bytes.Repeat([]byte{' ', 0}, idcard.TextLen/2)
	photo := bytes.Repeat([]byte{0x57}, idcard.PhotoLen)
	var fp []byte
	if fingerprint {
		fp = bytes.Repeat([]byte{0x43}, idcard.FingerprintLen)
	}
	data := idcard.AppendReadData(nil, text, photo, fp)
	return idcard.AppendReply(nil, idcard.Reply{Status: idcard.StatusOK, Data: data})
}

func TestReadReplyGolden(t *testing.T) {
	tests := []struct {
		fingerprint bool
		size        int
		head        string
	}{
		{false, 1295, "AA AA AA 96 69 05 08 00 00 90 01 00 04 00"},
		{true, 2321, "AA AA AA 96 69 09 0A 00 00 90 01 00 04 00 04 00"},
	}
	for _, tc := range tests {
		frame := readReply(tc.fingerprint)
		head := unhex(t, tc.head)
		if len(frame) != tc.size || !bytes.HasPrefix(frame, head) {
			t.Errorf("fingerprint %v: %d bytes starting % X, want %d starting % X",
				tc.fingerprint, len(frame), frame[:len(head)], tc.size, head)
		}
		var x byte
		for _, b := range frame[5 : len(frame)-1] {
			x ^= b
		}
		if frame[len(frame)-1] != x {
			t.Errorf("fingerprint %v: CHK %02X, want %02X", tc.fingerprint, frame[len(frame)-1], x)
		}
		body, n, err := idcard.DecodeFrame(frame)
		if err != nil || n != len(frame) {
			t.Fatalf("DecodeFrame: n=%d err=%v", n, err)
		}
		r, _ := idcard.ParseReply(body)
		text, photo, fp, err := idcard.ParseReadData(r.Data)
		if err != nil || len(text) != 256 || len(photo) != 1024 || (fp != nil) != tc.fingerprint {
			t.Errorf("ParseReadData: %d %d %d %v", len(text), len(photo), len(fp), err)
		}
	}
}

func TestCommandString(t *testing.T) {
	for c, want := range map[idcard.Command]string{
		idcard.CmdFind:            "find card (20 01)",
		idcard.CmdResetSAM:        "reset SAM (10 FF)",
		idcard.CmdReadFingerprint: "read text, photo and fingerprint (30 10)",
		idcard.CmdSetMaxRF:        "set max RF frame bytes (61 FF)",
		0xAB0C:                    "command (AB 0C)",
	} {
		if got := c.String(); got != want {
			t.Errorf("Command(%#04x) = %q, want %q", uint16(c), got, want)
		}
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		s   idcard.Status
		str string
		ok  bool
	}{
		{idcard.StatusOK, "0x90 success", true},
		{idcard.StatusFound, "0x9F card found", true},
		{idcard.StatusEmpty, "0x91 item empty on the card", false},
		{idcard.StatusNoCard, "0x80 find failed: no card on the reader", false},
		{idcard.StatusChecksum, "0x10 checksum error", false},
		{idcard.StatusCommFault, "0xFF communication fault", false},
		{0x05, "0x05 unknown status", false},
	}
	for _, tc := range tests {
		if got := tc.s.String(); got != tc.str {
			t.Errorf("String() = %q, want %q", got, tc.str)
		}
		if tc.s.OK() != tc.ok {
			t.Errorf("%v.OK() = %v", tc.s, !tc.ok)
		}
	}
	// Every code of the protocol has its own description.
	seen := map[string]bool{}
	for _, s := range []idcard.Status{0x90, 0x9F, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31,
		0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81, 0xFF} {
		d := s.String()[5:]
		if d == "unknown status" || seen[d] {
			t.Errorf("%02X: %q", byte(s), d)
		}
		seen[d] = true
	}
	var err error = &idcard.StatusError{Cmd: idcard.CmdFind, Status: idcard.StatusNoCard}
	if got, want := err.Error(), "idcard: find card (20 01): 0x80 find failed: no card on the reader"; got != want {
		t.Errorf("StatusError = %q, want %q", got, want)
	}
	var se *idcard.StatusError
	if !errors.As(err, &se) || se.Status != idcard.StatusNoCard {
		t.Error("errors.As does not find the StatusError")
	}
}

func TestDecodeFrame(t *testing.T) {
	find := unhex(t, "AA AA AA 96 69 00 03 20 01 22")
	found := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name string
		buf  []byte
		body []byte
		n    int
	}{
		{"clean", find, find[7:9], len(find)},
		{"noise", cat([]byte{0x00, 0xAA, 0x96, 0xAA, 0xAA}, find), find[7:9], 5 + len(find)},
		{"noise that is almost a preamble", cat(unhex(t, "AA AA AA AA 96"), found), found[7:14], 5 + len(found)},
		{"two frames: the first", cat(find, found), find[7:9], len(find)},
		{"trailing bytes", cat(found, []byte{0xAA, 0xAA}), found[7:14], len(found)},
	}
	for _, tc := range tests {
		body, n, err := idcard.DecodeFrame(tc.buf)
		if err != nil || n != tc.n || !bytes.Equal(body, tc.body) {
			t.Errorf("%s: % X, %d, %v; want % X, %d", tc.name, body, n, err, tc.body, tc.n)
		}
	}

	// Back to back frames come out one after the other.
	buf := cat(find, found, find)
	var got [][]byte
	for len(buf) > 0 {
		body, n, err := idcard.DecodeFrame(buf)
		if err != nil {
			t.Fatalf("frame %d: %v", len(got), err)
		}
		got = append(got, body)
		buf = buf[n:]
	}
	if len(got) != 3 || !bytes.Equal(got[1], found[7:14]) {
		t.Errorf("back to back: % X", got)
	}
}

func TestDecodeFrameShort(t *testing.T) {
	tests := []struct {
		name string
		buf  string
		n    int // noise that may be dropped
	}{
		{"empty", "", 0},
		{"noise", "01 02 03", 3},
		{"noise and a preamble's start", "01 02 AA AA", 2},
		{"noise ending in AA AA AA 96", "01 AA AA AA 96", 1},
		{"noise ending in a stray 96", "01 AA 96", 3},
		{"preamble only", "05 AA AA AA 96 69", 1},
		{"preamble and LEN_H", "AA AA AA 96 69 00", 0},
	}
	for _, tc := range tests {
		body, n, err := idcard.DecodeFrame(unhex(t, tc.buf))
		if !errors.Is(err, idcard.ErrShort) || n != tc.n || body != nil {
			t.Errorf("%s: %v, n=%d; want ErrShort, n=%d", tc.name, err, n, tc.n)
		}
	}
	if idcard.ErrShort.Error() != "idcard: frame incomplete" {
		t.Errorf("ErrShort = %q", idcard.ErrShort)
	}
}

// TestDecodeFrameSplit feeds a frame in two reads split at every position.
func TestDecodeFrameSplit(t *testing.T) {
	noise := []byte{0x13, 0x37}
	frame := readReply(false)
	stream := append(append([]byte{}, noise...), frame...)
	for k := range len(stream) {
		_, n, err := idcard.DecodeFrame(stream[:k])
		want := min(k, len(noise))
		if !errors.Is(err, idcard.ErrShort) || n != want {
			t.Fatalf("first %d bytes: n=%d err=%v; want ErrShort, n=%d", k, n, err, want)
		}
		body, n2, err := idcard.DecodeFrame(stream[n:])
		if err != nil || n+n2 != len(stream) || !bytes.Equal(body, frame[7:len(frame)-1]) {
			t.Fatalf("split at %d: rest gives n=%d err=%v", k, n2, err)
		}
	}
}

// drain calls DecodeFrame until buf is used up or short, returning the
// bodies and errors in order.
func drain(buf []byte) (bodies [][]byte, errs []error) {
	for {
		body, n, err := idcard.DecodeFrame(buf)
		if n < 0 || n > len(buf) {
			panic("n out of range")
		}
		buf = buf[n:]
		if errors.Is(err, idcard.ErrShort) {
			return bodies, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		bodies = append(bodies, body)
	}
}

func TestDecodeFrameResync(t *testing.T) {
	good := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
	badSum := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 98")
	read := readReply(false)
	tests := []struct {
		name   string
		stream []byte
		reason string
	}{
		{"bad checksum", append(append([]byte{}, badSum...), good...), "checksum"},
		// A read reply torn off after its header: its LEN promises 1288
		// bytes that never come, and the next reply starts inside them.
		{"torn long frame", append(append([]byte{}, read[:20]...), good...), "torn"},
		// Torn before LEN is complete: the next frame's first byte is
		// taken for LEN_L, and the LEN is 0x00AA.
		{"torn in LEN", append(unhex(t, "AA AA AA 96 69 00"), good...), "torn"},
		{"LEN too large", append(unhex(t, "AA AA AA 96 69 FF FF 00"), good...), "length"},
		{"LEN too small", append(unhex(t, "AA AA AA 96 69 00 02 00"), good...), "length"},
	}
	for _, tc := range tests {
		bodies, errs := drain(tc.stream)
		if len(bodies) != 1 || !bytes.Equal(bodies[0], good[7:14]) {
			t.Errorf("%s: bodies % X, errors %v", tc.name, bodies, errs)
			continue
		}
		var fe *idcard.FrameError
		if len(errs) != 1 || !errors.As(errs[0], &fe) || fe.Reason != tc.reason {
			t.Errorf("%s: errors %v, want one %q", tc.name, errs, tc.reason)
		}
	}
}

func TestFrameErrors(t *testing.T) {
	tests := []struct {
		buf    string
		reason string
		n      int
		msg    string
	}{
		{"01 AA AA AA 96 69 00 04 00 00 80 85", "checksum", 6, "idcard: frame checksum 0x85, computed 0x84"},
		{"AA AA AA 96 69 FF FF", "length", 5, "idcard: frame length 65535 outside 3..4096"},
		{"AA AA AA 96 69 10 01", "length", 5, "idcard: frame length 4097 outside 3..4096"},
		{"AA AA AA 96 69 00 02 00 02", "length", 5, "idcard: frame length 2 outside 3..4096"},
		{"AA AA AA 96 69 00 00", "length", 5, "idcard: frame length 0 outside 3..4096"},
	}
	for _, tc := range tests {
		_, n, err := idcard.DecodeFrame(unhex(t, tc.buf))
		var fe *idcard.FrameError
		if !errors.As(err, &fe) || fe.Reason != tc.reason || n != tc.n || err.Error() != tc.msg {
			t.Errorf("% s: n=%d err=%v; want %q, n=%d", tc.buf, n, err, tc.msg, tc.n)
		}
	}
	// A LEN of 0xFFFF must not make DecodeFrame allocate for it.
	huge := unhex(t, "AA AA AA 96 69 FF FF")
	if a := testing.AllocsPerRun(100, func() { _, _, _ = idcard.DecodeFrame(huge) }); a > 1 {
		t.Errorf("LEN 0xFFFF: %v allocations per call", a)
	}
	// Waiting for the rest of a frame allocates nothing at all.
	part := readReply(false)[:600]
	if a := testing.AllocsPerRun(100, func() { _, _, _ = idcard.DecodeFrame(part) }); a != 0 {
		t.Errorf("incomplete frame: %v allocations per call", a)
	}
}

func TestParseShortBodies(t *testing.T) {
	for _, body := range [][]byte{nil, {0}, {0, 0}} {
		if _, err := idcard.ParseReply(body); err == nil ||
			err.Error() != "idcard: frame length "+string(rune('1'+len(body)))+" too short for a reply" {
			t.Errorf("ParseReply(% X): %v", body, err)
		}
	}
	for _, body := range [][]byte{nil, {0x20}} {
		if _, _, err := idcard.ParseCommand(body); err == nil {
			t.Errorf("ParseCommand(% X) accepted", body)
		}
	}
}

func TestParseReadData(t *testing.T) {
	text := bytes.Repeat([]byte{1}, 256)
	photo := bytes.Repeat([]byte{2}, 1024)
	fp := bytes.Repeat([]byte{3}, 1024)
	for _, tc := range []struct {
		name string
		fp   []byte
	}{{"text", nil}, {"fingerprint", fp}, {"no fingerprint on the card", []byte{}}} {
		data := idcard.AppendReadData(nil, text, photo, tc.fp)
		gt, gp, gf, err := idcard.ParseReadData(data)
		if err != nil || !bytes.Equal(gt, text) || !bytes.Equal(gp, photo) ||
			!bytes.Equal(gf, tc.fp) || (gf == nil) != (tc.fp == nil) {
			t.Errorf("%s: %d %d %v %v", tc.name, len(gt), len(gp), gf == nil, err)
		}
		if again := idcard.AppendReadData(nil, gt, gp, gf); !bytes.Equal(again, data) {
			t.Errorf("%s: re-encoding differs", tc.name)
		}
	}
	bad := []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", nil, "do not match"},
		{"lengths only", unhex(t, "01 00 04 00"), "do not match"},
		{"one byte missing", idcard.AppendReadData(nil, text, photo, nil)[:1283], "do not match"},
		{"short text", idcard.AppendReadData(nil, text[:255], photo, nil), "text block is 255 bytes, want 256"},
		{"short photo", idcard.AppendReadData(nil, text, photo[:1000], nil), "photo is 1000 bytes, want 1024"},
		{"odd fingerprint", idcard.AppendReadData(nil, text, photo, fp[:512]), "fingerprint is 512 bytes, want 0 or 1024"},
	}
	for _, tc := range bad {
		_, _, _, err := idcard.ParseReadData(tc.data)
		if err == nil || !strings.HasPrefix(err.Error(), "idcard: read data: ") || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	frame := readReply(false)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, _, err := idcard.DecodeFrame(frame); err != nil {
			b.Fatal(err)
		}
	}
}

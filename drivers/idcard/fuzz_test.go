package idcard_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
)

const preamble = "\xAA\xAA\xAA\x96\x69"

func FuzzDecodeFrame(f *testing.F) {
	f.Add(idcard.AppendCommand(nil, idcard.CmdFind, nil))
	f.Add(idcard.AppendCommand([]byte{0xAA, 0x00}, idcard.CmdSetMaxRF, []byte{0x50}))
	f.Add(idcard.AppendReply(nil, idcard.Reply{Status: idcard.StatusNoCard}))
	f.Add(readReply(false)[:40])
	f.Add([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF})
	f.Add([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x80, 0x85})
	f.Add([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22})
	f.Fuzz(func(t *testing.T, buf []byte) {
		body, n, err := idcard.DecodeFrame(buf)
		if n < 0 || n > len(buf) {
			t.Fatalf("n = %d for %d bytes", n, len(buf))
		}
		first := bytes.Index(buf, []byte(preamble))
		var fe *idcard.FrameError
		switch {
		case err == nil:
			cmd, data, perr := idcard.ParseCommand(body)
			if perr != nil {
				t.Fatalf("body of %d bytes: %v", len(body), perr)
			}
			frame := idcard.AppendCommand(nil, cmd, data)
			if len(frame) > n || !bytes.Equal(buf[n-len(frame):n], frame) {
				t.Fatalf("re-encoded % X, consumed % X", frame, buf[:n])
			}
			if first != n-len(frame) {
				t.Fatalf("frame at %d, first preamble at %d", n-len(frame), first)
			}
		case errors.Is(err, idcard.ErrShort):
			// Only noise may be dropped: the first preamble must survive.
			if first >= 0 && first < n || body != nil {
				t.Fatalf("ErrShort dropped %d bytes, preamble at %d", n, first)
			}
		case errors.As(err, &fe):
			// Progress: a caller that drops n bytes must not loop for ever.
			if n != first+len(preamble) || fe.Skipped != first {
				t.Fatalf("%v: n = %d, Skipped %d, preamble at %d", err, n, fe.Skipped, first)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func FuzzDecodeText(f *testing.F) {
	for _, fx := range idcardsim.Cards() {
		b, err := idcard.EncodeText(fx.Card)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(make([]byte, 256))
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, block []byte) {
		c, err := idcard.DecodeText(block)
		if err != nil {
			return
		}
		again, err := idcard.EncodeText(c)
		if err != nil {
			t.Fatalf("EncodeText of a decoded card: %v\n%+v", err, c)
		}
		c2, err := idcard.DecodeText(again)
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, c2, c)
		}
	})
}

func FuzzParseReadData(f *testing.F) {
	text, photo, fp := make([]byte, 256), make([]byte, 1024), make([]byte, 1024)
	f.Add(idcard.AppendReadData(nil, text, photo, nil))
	f.Add(idcard.AppendReadData(nil, text, photo, fp))
	f.Add(idcard.AppendReadData(nil, text, photo, []byte{}))
	f.Add(idcard.AppendReadData(nil, text[:3], photo[:4], nil))
	f.Add([]byte{1, 0, 4, 0, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		text, photo, fp, err := idcard.ParseReadData(data)
		if err != nil {
			return
		}
		if len(text) != idcard.TextLen || len(photo) != idcard.PhotoLen ||
			(len(fp) != 0 && len(fp) != idcard.FingerprintLen) {
			t.Fatalf("block sizes %d %d %d", len(text), len(photo), len(fp))
		}
		if again := idcard.AppendReadData(nil, text, photo, fp); !bytes.Equal(again, data) {
			t.Fatalf("re-encoded % X\nfrom % X", again, data)
		}
	})
}

package printer

import (
	"bytes"
	"testing"
)

func TestReplyReader(t *testing.T) {
	stream := bytes.Join([][]byte{
		{0x12},                                 // DLE EOT reply
		{0x37, 0x22, '0', '0', '4', '2', 0x00}, // process ID 0042
		{0x0C},                                 // GS r: paper end
		{0x10, 0x00, 0x0F, 0x00},               // ASB: paper out
		{0x92},                                 // DLE EOT 1 with "paper not torn"
		{0x37, 0x22, '0', 'x'},                 // a broken process ID response …
		{0x1E},                                 // … then a DLE EOT reply
	}, nil)
	want := []reply{
		{kind: replyRealTime, b: 0x12},
		{kind: replyProcessID, id: [4]byte{'0', '0', '4', '2'}},
		{kind: replyPaper, b: 0x0C},
		{kind: replyASB, st: Status{Online: true, PaperOut: true, PaperNearEnd: true}},
		{kind: replyRealTime, b: 0x92},
		{kind: replyRealTime, b: 0x1E},
	}
	for split := 0; split <= len(stream); split++ {
		r := replyReader{asb: true}
		got := append(r.feed(stream[:split]), r.feed(stream[split:])...)
		if len(got) != len(want) {
			t.Fatalf("split %d: %d replies %+v, want %d", split, len(got), got, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("split %d: reply %d = %+v, want %+v", split, i, got[i], want[i])
			}
		}
	}
}

func FuzzReplyReader(f *testing.F) {
	f.Add([]byte{0x12, 0x37, 0x22, '1', '2', '3', '4', 0x00, 0x10, 0, 0x0C, 0})
	f.Add([]byte{0x37, 0x37, 0x22, 0x10, 0x10})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := replyReader{asb: len(b) > 0 && b[0]&1 == 1}
		for _, rep := range r.feed(b) {
			switch rep.kind {
			case replyRealTime:
				if rep.b&0x13 != 0x12 {
					t.Fatalf("%#x taken for a DLE EOT reply", rep.b)
				}
			case replyPaper:
				if rep.b&0x90 != 0 {
					t.Fatalf("%#x taken for a GS r reply", rep.b)
				}
			case replyProcessID:
				for _, d := range rep.id {
					if d < '0' || d > '9' {
						t.Fatalf("process ID %q", rep.id)
					}
				}
			case replyASB:
				if !r.asb {
					t.Fatal("an automatic status with ASB off")
				}
			}
		}
	})
}

package printersim

import (
	"bytes"
	"testing"
)

func TestStreamParser(t *testing.T) {
	raster := append([]byte{0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00}, 0x10, 0x04, 0x01, 0x1D) // image data that looks like a query and a GS
	qr := []byte{0x1D, 0x28, 0x6B, 0x06, 0x00, 0x31, 0x50, 0x30, 0x1D, 0x56, 0x00}                   // stored QR data that looks like a cut
	stream := bytes.Join([][]byte{
		{0x1B, 0x40},
		{0x10, 0x04, 0x01}, // a real status query
		[]byte("abc"),
		raster,
		qr,
		{0x1B, 0x64, 0x10}, // ESC d with a parameter that looks like DLE
		{0x1D, 0x56, 0x41, 0x03},
		[]byte("next"),
	}, nil)
	for split := 0; split <= len(stream); split++ {
		var p streamParser
		evs := append(p.parse(stream[:split]), p.parse(stream[split:])...)
		var data []byte
		var statuses, cuts int
		for _, e := range evs {
			switch e.kind {
			case evData:
				data = append(data, e.b...)
			case evStatus:
				statuses++
				if e.n != 1 {
					t.Fatalf("split %d: status n = %d", split, e.n)
				}
			case evCut:
				cuts++
				data = append(data, e.b...)
			}
		}
		if statuses != 1 || cuts != 1 {
			t.Fatalf("split %d: %d status queries, %d cuts; want 1 and 1", split, statuses, cuts)
		}
		want := bytes.Replace(stream, []byte{0x10, 0x04, 0x01, 'a'}, []byte{'a'}, 1)
		if !bytes.Equal(data, want) {
			t.Fatalf("split %d: data\n% x\nwant\n% x", split, data, want)
		}
	}
}

func TestStatusBytes(t *testing.T) {
	tests := []struct {
		st   State
		n    byte
		want byte
	}{
		{State{}, 1, 0x12}, {State{}, 2, 0x12}, {State{}, 3, 0x12}, {State{}, 4, 0x12},
		{State{CoverOpen: true}, 1, 0x1A}, {State{CoverOpen: true}, 2, 0x56},
		{State{PaperOut: true}, 2, 0x32}, {State{PaperOut: true}, 4, 0x7E},
		{State{PaperNearEnd: true}, 4, 0x1E}, {State{Offline: true}, 1, 0x1A},
	}
	for _, tc := range tests {
		if got := statusByte(tc.st, tc.n); got != tc.want {
			t.Errorf("statusByte(%+v, %d) = %#x, want %#x", tc.st, tc.n, got, tc.want)
		}
	}
}

func FuzzStreamParser(f *testing.F) {
	f.Add([]byte{0x1B, 0x40, 'a', 0x10, 0x04, 0x02, 0x1D, 0x56, 0x00})
	f.Add([]byte{0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p streamParser
		total := 0
		for _, e := range p.parse(b) {
			switch e.kind {
			default:
				total += len(e.b)
			}
		}
		if total+len(p.pend) != len(b) {
			t.Fatalf("parser lost or invented bytes: %d out + %d pending, %d in", total, len(p.pend), len(b))
		}
	})
}

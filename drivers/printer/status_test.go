package printer

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestStatusQuery(t *testing.T) {
	want := []byte{0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04}
	if got := StatusQuery(); !bytes.Equal(got, want) {
		t.Errorf("StatusQuery() = % X, want % X", got, want)
	}
	StatusQuery()[0] = 0 // each call's slice is the caller's
	if got := StatusQuery(); !bytes.Equal(got, want) {
		t.Error("StatusQuery's result shared between calls")
	}
	if got := EnableASB(); !bytes.Equal(got, []byte{0x1D, 0x61, 0x0F}) {
		t.Errorf("EnableASB() = % X", got)
	}
}

func TestParseRealTimeStatus(t *testing.T) {
	ready := Status{Online: true}
	tests := []struct {
		name    string
		replies [4]byte
		want    Status
	}{
		{"ready", [4]byte{0x12, 0x12, 0x12, 0x12}, ready},
		{"n=1 bit 3 offline", [4]byte{0x1A, 0x12, 0x12, 0x12}, Status{}},
		{"n=1 bit 7 paper not torn", [4]byte{0x92, 0x12, 0x12, 0x12}, Status{Online: true, PaperNotTorn: true}},
		{"n=1 other bits ignored", [4]byte{0x12 | 0x04 | 0x20 | 0x40, 0x12, 0x12, 0x12}, ready},
		{"n=2 bit 2 cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}, Status{CoverOpen: true}},
		{"n=2 bit 5 stopped by paper end", [4]byte{0x12, 0x32, 0x12, 0x12}, Status{Online: true, PaperOut: true}},
		{"n=2 bit 6 error", [4]byte{0x12, 0x52, 0x12, 0x12}, Status{Online: true, Error: true}},
		{"n=2 bit 3 feed button ignored", [4]byte{0x12, 0x1A, 0x12, 0x12}, ready},
		{"n=3 bit 2 mechanical error", [4]byte{0x12, 0x12, 0x16, 0x12}, Status{Online: true, Error: true}},
		{"n=3 bit 3 cutter", [4]byte{0x12, 0x12, 0x1A, 0x12}, Status{Online: true, CutterError: true}},
		{"n=3 bit 5 unrecoverable", [4]byte{0x12, 0x12, 0x32, 0x12}, Status{Online: true, Unrecoverable: true}},
		{"n=3 bit 6 auto-recoverable", [4]byte{0x12, 0x12, 0x52, 0x12}, Status{Online: true, AutoRecoverable: true}},
		{"n=4 bit 2 near end", [4]byte{0x12, 0x12, 0x12, 0x16}, Status{Online: true, PaperNearEnd: true}},
		{"n=4 bit 3 near end", [4]byte{0x12, 0x12, 0x12, 0x1A}, Status{Online: true, PaperNearEnd: true}},
		{"n=4 bits 2-3 near end", [4]byte{0x12, 0x12, 0x12, 0x1E}, Status{Online: true, PaperNearEnd: true}},
		{"n=4 bit 5 paper end", [4]byte{0x12, 0x12, 0x12, 0x32}, Status{Online: true, PaperOut: true}},
		{"n=4 bit 6 paper end", [4]byte{0x12, 0x12, 0x12, 0x52}, Status{Online: true, PaperOut: true}},
		{"out of paper", [4]byte{0x1A, 0x32, 0x12, 0x7E}, Status{PaperOut: true, PaperNearEnd: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRealTimeStatus(tt.replies)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseRealTimeStatusFixedBits(t *testing.T) {
	tests := []struct {
		replies [4]byte
		want    string
	}{
		{[4]byte{0x00, 0x12, 0x12, 0x12}, "DLE EOT 1 is 0x00"},
		{[4]byte{0x13, 0x12, 0x12, 0x12}, "DLE EOT 1 is 0x13"}, // bit 0
		{[4]byte{0x10, 0x12, 0x12, 0x12}, "DLE EOT 1 is 0x10"}, // bit 1 clear
		{[4]byte{0x12, 0x92, 0x12, 0x12}, "DLE EOT 2 is 0x92"}, // bit 7 only allowed on n=1
		{[4]byte{0x12, 0x12, 0x02, 0x12}, "DLE EOT 3 is 0x02"}, // bit 4 clear
		{[4]byte{0x12, 0x12, 0x12, 0xFF}, "DLE EOT 4 is 0xFF"},
	}
	for _, tt := range tests {
		_, err := ParseRealTimeStatus(tt.replies)
		if err == nil || !strings.HasPrefix(err.Error(), "printer: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRealTimeStatus(% X) error = %v, want one with %q", tt.replies, err, tt.want)
		}
	}
}

func TestReady(t *testing.T) {
	tests := []struct {
		s      Status
		reason string // "" for ready
	}{
		{Status{Online: true}, ""},
		{Status{Online: true, PaperNearEnd: true, PaperNotTorn: true}, ""},
		{Status{Online: true, PaperOut: true}, "paper out"},
		{Status{PaperOut: true, CoverOpen: true}, "paper out"},
		{Status{CoverOpen: true}, "cover open"},
		{Status{Online: false}, "offline"},
		{Status{CutterError: true, Error: true}, "cutter error"},
		{Status{Online: true, Unrecoverable: true}, "error"},
		{Status{Online: true, AutoRecoverable: true}, "error"},
		{Status{Online: true, Error: true}, "error"},
	}
	for _, tt := range tests {
		err := tt.s.Ready()
		if tt.reason == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.s, err)
			}
			continue
		}
		var nr *NotReadyError
		if !errors.As(err, &nr) {
			t.Errorf("%+v: got %v, want a *NotReadyError", tt.s, err)
			continue
		}
		if nr.Reason != tt.reason {
			t.Errorf("%+v: reason %q, want %q", tt.s, nr.Reason, tt.reason)
		}
		if !strings.Contains(nr.Msg, " / ") || nr.Msg == "" {
			t.Errorf("%+v: message %q is not Chinese / English", tt.s, nr.Msg)
		}
		if err.Error() != "printer: not ready: "+tt.reason {
			t.Errorf("%+v: Error() = %q", tt.s, err.Error())
		}
	}
}

func TestASBReader(t *testing.T) {
	ready := Status{Online: true}
	tests := []struct {
		name  string
		feeds [][]byte
		want  []Status
	}{
		{"ready", [][]byte{{0x10, 0x00, 0x00, 0x00}}, []Status{ready}},
		{"byte 0 bit 3 offline", [][]byte{{0x18, 0x00, 0x00, 0x00}}, []Status{{}}},
		{"byte 0 bit 5 cover open", [][]byte{{0x38, 0x00, 0x00, 0x00}}, []Status{{CoverOpen: true}}},
		{"byte 0 bits 2 and 6 ignored", [][]byte{{0x54, 0x00, 0x00, 0x00}}, []Status{ready}},
		{"byte 1 bit 2 mechanical", [][]byte{{0x10, 0x04, 0x00, 0x00}}, []Status{{Online: true, Error: true}}},
		{"byte 1 bit 3 cutter", [][]byte{{0x10, 0x08, 0x00, 0x00}}, []Status{{Online: true, Error: true, CutterError: true}}},
		{"byte 1 bit 5 unrecoverable", [][]byte{{0x10, 0x20, 0x00, 0x00}}, []Status{{Online: true, Error: true, Unrecoverable: true}}},
		{"byte 1 bit 6 auto-recoverable", [][]byte{{0x10, 0x40, 0x00, 0x00}}, []Status{{Online: true, Error: true, AutoRecoverable: true}}},
		{"byte 2 bits 0-1 near end", [][]byte{{0x10, 0x00, 0x03, 0x00}}, []Status{{Online: true, PaperNearEnd: true}}},
		{"byte 2 bits 2-3 paper end", [][]byte{{0x18, 0x00, 0x0C, 0x00}}, []Status{{PaperOut: true}}},
		{"byte 3 ignored", [][]byte{{0x10, 0x00, 0x00, 0x6F}}, []Status{ready}},
		{"two", [][]byte{{0x10, 0, 0, 0, 0x18, 0, 0x0F, 0}}, []Status{ready, {PaperOut: true, PaperNearEnd: true}}},
		{"noise first", [][]byte{{0xFF, 0x00, 0x12, 0x16, 0x7E, 0x10, 0, 0, 0}}, []Status{ready}},
		{"DLE EOT replies between", [][]byte{{0x12, 0x10, 0, 0, 0, 0x12, 0x1A, 0x10, 0, 0, 0}}, []Status{ready, ready}},
		{"split", [][]byte{{0x18, 0x00}, {0x0C}, {}, {0x00}}, []Status{{PaperOut: true}}},
		{"split a byte at a time", [][]byte{{0x10}, {0x00}, {0x00}, {0x00}}, []Status{ready}},
		{"cut short by a new status", [][]byte{{0x18, 0x00}, {0x10, 0, 0, 0}}, []Status{ready}},
		{"cut short by noise", [][]byte{{0x10, 0x00, 0x80, 0x00, 0x00}}, nil},
		{"bad bit 7 in byte 2", [][]byte{{0x10, 0x00, 0x00, 0x80, 0x10, 0, 0, 0}}, []Status{ready}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a ASBReader
			var got []Status
			for _, f := range tt.feeds {
				got = append(got, a.Feed(f)...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzASBReader(f *testing.F) {
	f.Add([]byte{0x10, 0, 0, 0}, uint8(2))
	f.Add([]byte{0xFF, 0x18, 0x00, 0x0C, 0x00, 0x12, 0x10}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		var whole, pieces ASBReader
		want := whole.Feed(data)
		if len(want) > len(data)/4 {
			t.Fatalf("%d statuses from %d bytes", len(want), len(data))
		}
		// Fed in pieces of any size, the same statuses come out.
		step := 1 + int(split)%8
		var got []Status
		for i := 0; i < len(data); i += step {
			got = append(got, pieces.Feed(data[i:min(i+step, len(data))])...)
			if pieces.n < 0 || pieces.n >= len(pieces.frame) {
				t.Fatalf("%d bytes held", pieces.n)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("in pieces of %d: %+v, at once: %+v", step, got, want)
		}
	})
}

package idcard_test

import (
	"encoding/binary"
	"testing"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
)

// samIDExample returns the data of the SAM ID reply for
// 05.01-20100101-0123456789-1234567890.
func samIDExample() []byte {
	return []byte{
		0x05, 0x00, 0x01, 0x00,
		0x05, 0xB4, 0x32, 0x01, // 20100101
		0x15, 0xCD, 0x5B, 0x07, // 123456789
		0xD2, 0x02, 0x96, 0x49, // 1234567890
	}
}

func TestSAMIDString(t *testing.T) {
	// Build the bytes from the numbers too, so that the table above is checked.
	var built idcard.SAMID
	binary.LittleEndian.PutUint16(built[0:], 5)
	binary.LittleEndian.PutUint16(built[2:], 1)
	binary.LittleEndian.PutUint32(built[4:], 20100101)
	binary.LittleEndian.PutUint32(built[8:], 123456789)
	binary.LittleEndian.PutUint32(built[12:], 1234567890)
	if idcard.SAMID(samIDExample()) != built {
		t.Fatalf("samIDExample % X, built % X", samIDExample(), built)
	}
	tests := []struct {
		id   idcard.SAMID
		want string
	}{
		{built, "05.01-20100101-0123456789-1234567890"},
		{idcard.SAMID{}, "00.00-00000000-0000000000-0000000000"},
		{idcard.SAMID{0x0C, 0, 0x02, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
			"12.02-4294967295-4294967295-4294967295"},
	}
	for _, tc := range tests {
		if got := tc.id.String(); got != tc.want {
			t.Errorf("% X: %q, want %q", tc.id[:], got, tc.want)
		}
	}
}

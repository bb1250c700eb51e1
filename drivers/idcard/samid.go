package idcard

import (
	"encoding/binary"
	"fmt"
)

// SAMID is the serial number of a reader's security module (SAM), the 16
// data bytes of the reply to CmdSAMID. Stations record it because the
// public security bureau registers readers by it.
//
// The bytes are five little-endian integers: two of 2 bytes, then three of
// 4 bytes.
type SAMID [16]byte

// String formats the ID as vendors' tools print it:
// "05.01-20100101-0123456789-1234567890".
func (s SAMID) String() string {
	le := binary.LittleEndian
	return fmt.Sprintf("%02d.%02d-%08d-%010d-%010d",
		le.Uint16(s[0:]), le.Uint16(s[2:]), le.Uint32(s[4:]), le.Uint32(s[8:]), le.Uint32(s[12:]))
}

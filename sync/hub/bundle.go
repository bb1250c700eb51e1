package hub

import (
	"encoding/binary"
	"fmt"
	"io"
)

// A RAUC bundle is a squashfs image (with, in the verity format, its
// hash tree after it), then the CMS signature in DER, then the
// signature's size as 8 bytes big-endian. CheckBundle checks that frame,
// so that a file that is not a bundle (an image, a tarball, a truncated
// copy) is refused when it is added, not by every station after it
// downloaded it. The signature itself is checked by RAUC.
const (
	squashfsMagic     = "hsqs"
	squashfsSuperSize = 96       // a squashfs 4.0 superblock
	maxSignature      = 64 << 20 // far beyond a CMS signature with its certificate chain
)

// CheckBundle returns why the size bytes of r are not a RAUC bundle, or
// nil: the squashfs magic at 0 and a superblock whose image fits, a
// signature size at the end that fits beside it, and a DER SEQUENCE of
// exactly that size before it.
func CheckBundle(r io.ReaderAt, size int64) error {
	if size < squashfsSuperSize+8+2 {
		return fmt.Errorf("not a RAUC bundle: %d bytes is too short", size)
	}
	var sb [squashfsSuperSize]byte
	if _, err := r.ReadAt(sb[:], 0); err != nil {
		return fmt.Errorf("read the squashfs superblock: %w", err)
	}
	if string(sb[:4]) != squashfsMagic {
		return fmt.Errorf("not a RAUC bundle: no squashfs magic %q at offset 0 (found % x)", squashfsMagic, sb[:4])
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("read the signature size: %w", err)
	}
	sig := binary.BigEndian.Uint64(tail[:])
	if sig < 2 || sig > maxSignature || sig > uint64(size-8-squashfsSuperSize) {
		return fmt.Errorf("not a signed RAUC bundle: the last 8 bytes give a signature of %d bytes, which does not fit a %d-byte file (unsigned, or cut short?)", sig, size)
	}
	sigAt := size - 8 - int64(sig)
	if used := binary.LittleEndian.Uint64(sb[40:48]); used < squashfsSuperSize || used > uint64(sigAt) {
		return fmt.Errorf("not a RAUC bundle: the squashfs image says it is %d bytes, but the signature starts at %d", used, sigAt)
	}
	var head [6]byte
	n, err := r.ReadAt(head[:min(int64(len(head)), int64(sig))], sigAt)
	if err != nil && n < 2 {
		return fmt.Errorf("read the signature: %w", err)
	}
	total, ok := derLength(head[:n])
	if !ok || total != sig {
		return fmt.Errorf("not a signed RAUC bundle: the %d bytes before the size are not one DER-encoded CMS signature", sig)
	}
	return nil
}

// derLength returns the encoded size of the DER SEQUENCE that b starts
// with (header and contents), from its header alone.
func derLength(b []byte) (uint64, bool) {
	if len(b) < 2 || b[0] != 0x30 {
		return 0, false
	}
	if b[1] < 0x80 {
		return 2 + uint64(b[1]), true
	}
	n := int(b[1] & 0x7f)
	if n == 0 || n > 4 || len(b) < 2+n {
		return 0, false
	}
	var l uint64
	for _, c := range b[2 : 2+n] {
		l = l<<8 | uint64(c)
	}
	if l < 0x80 || l>>(8*(n-1)) == 0 { // DER uses the shortest form
		return 0, false
	}
	return 2 + uint64(n) + l, true
}

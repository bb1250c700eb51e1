package flash

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Partition is a partition's place on the disk, in bytes.
type Partition struct {
	Offset, Size int64
}

// sectorSize is the sector size partition tables in images are written
// for; 4 KiB-sector images are not made for SD cards.
const sectorSize = 512

// FirstPartition reads the MBR, or the GPT behind a protective MBR, and
// returns the partition listed first: the boot partition of the images
// that gridflash writes.
func FirstPartition(r io.ReaderAt) (Partition, error) {
	mbr := make([]byte, sectorSize)
	if _, err := r.ReadAt(mbr, 0); err != nil {
		return Partition{}, fmt.Errorf("flash: read partition table: %w", err)
	}
	if mbr[510] != 0x55 || mbr[511] != 0xAA {
		return Partition{}, errors.New("flash: no partition table (no MBR signature)")
	}
	for i := 0; i < 4; i++ {
		e := mbr[446+16*i:][:16]
		typ := e[4]
		start := int64(binary.LittleEndian.Uint32(e[8:])) * sectorSize
		size := int64(binary.LittleEndian.Uint32(e[12:])) * sectorSize
		switch {
		case typ == 0xEE:
			return firstGPT(r)
		case typ == 0 || size == 0:
			continue
		case typ == 0x05 || typ == 0x0F || typ == 0x85:
			return Partition{}, errors.New("flash: the first partition is an extended partition, not a boot partition")
		}
		return Partition{start, size}, nil
	}
	return Partition{}, errors.New("flash: the partition table lists no partition")
}

func firstGPT(r io.ReaderAt) (Partition, error) {
	h := make([]byte, sectorSize)
	if _, err := r.ReadAt(h, sectorSize); err != nil {
		return Partition{}, fmt.Errorf("flash: read GPT header: %w", err)
	}
	le32 := func(o int) uint32 { return binary.LittleEndian.Uint32(h[o:]) }
	hsize := le32(12)
	if string(h[:8]) != "EFI PART" || hsize < 92 || hsize > sectorSize {
		return Partition{}, errors.New("flash: protective MBR but no GPT header")
	}
	want := le32(16)
	check := bytes.Clone(h[:hsize])
	clear(check[16:20])
	if crc32.ChecksumIEEE(check) != want {
		return Partition{}, errors.New("flash: GPT header checksum is wrong")
	}
	entLBA, n, esize := int64(binary.LittleEndian.Uint64(h[72:])), int64(le32(80)), int64(le32(84))
	if esize < 128 || esize > 4096 || n > 1024 {
		return Partition{}, fmt.Errorf("flash: GPT lists %d entries of %d bytes: implausible", n, esize)
	}
	ents := make([]byte, n*esize)
	if _, err := r.ReadAt(ents, entLBA*sectorSize); err != nil {
		return Partition{}, fmt.Errorf("flash: read GPT entries: %w", err)
	}
	if crc32.ChecksumIEEE(ents) != le32(88) {
		return Partition{}, errors.New("flash: GPT entries checksum is wrong")
	}
	zero := make([]byte, 16)
	for i := int64(0); i < n; i++ {
		e := ents[i*esize:][:esize]
		if bytes.Equal(e[:16], zero) {
			continue
		}
		first, last := int64(binary.LittleEndian.Uint64(e[32:])), int64(binary.LittleEndian.Uint64(e[40:]))
		if last < first {
			return Partition{}, fmt.Errorf("flash: GPT entry %d ends before it starts", i+1)
		}
		return Partition{first * sectorSize, (last - first + 1) * sectorSize}, nil
	}
	return Partition{}, errors.New("flash: the GPT lists no partition")
}

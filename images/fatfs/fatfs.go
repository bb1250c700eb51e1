// Package fatfs reads and adds files in an existing FAT16 or FAT32 file
// system held in an io.ReaderAt, without mounting it, so that gridflash
// can put a station's provisioning file on a card's boot partition on any
// OS and without root.
//
// It never formats and never moves what is there: a new file or directory
// takes directory slots that were never used (all zero) and clusters that
// are free and all zero, and the FSInfo free count is lowered by what was
// taken. Everything it writes therefore replaced zeros, which is what lets
// [FS.Unwrite] say exactly how the file system looked before, and so lets
// gridflash check a provisioned card against the signed image.
package fatfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxFATBytes bounds the FAT that Open loads into memory: far above any
// boot partition's (a 2 GiB FAT32 with 4 KiB clusters has a 2 MiB FAT).
const maxFATBytes = 64 << 20

// FS is an open FAT16 or FAT32 file system.
type FS struct {
	dev  io.ReaderAt
	size int64

	Type        int   // 16 or 32
	SectorSize  int64 // bytes per sector
	ClusterSize int64 // bytes per cluster
	numFATs     int
	fatOff      int64 // first FAT
	fatBytes    int64 // bytes per FAT copy
	rootOff     int64 // FAT16 root directory region
	rootLen     int64
	rootCluster uint32 // FAT32 root directory's first cluster
	dataOff     int64  // cluster 2
	clusters    uint32 // count of data clusters
	fsinfoOff   int64  // FAT32 FSInfo sector, 0 if none

	fat []uint32 // the first FAT, decoded
}

// Patch is a run of bytes to be written at Off, relative to the start of
// the file system.
type Patch struct {
	Off  int64
	Data []byte
}

// Open reads the boot sector and the first FAT of the size-byte file
// system in dev. To add files, dev must also be an io.WriterAt.
func Open(dev io.ReaderAt, size int64) (*FS, error) {
	bs := make([]byte, 512)
	if _, err := dev.ReadAt(bs, 0); err != nil {
		return nil, fmt.Errorf("fatfs: read boot sector: %w", err)
	}
	fs, err := parseBoot(bs, size)
	if err != nil {
		return nil, err
	}
	fs.dev = dev
	if err := fs.loadFAT(); err != nil {
		return nil, err
	}
	return fs, nil
}

func parseBoot(b []byte, size int64) (*FS, error) {
	le16 := func(o int) int64 { return int64(binary.LittleEndian.Uint16(b[o:])) }
	le32 := func(o int) int64 { return int64(binary.LittleEndian.Uint32(b[o:])) }
	if b[510] != 0x55 || b[511] != 0xAA {
		return nil, errors.New("fatfs: no boot sector signature: not a FAT file system")
	}
	bps, spc := le16(11), int64(b[13])
	if bps < 512 || bps > 4096 || bps&(bps-1) != 0 || spc == 0 || spc&(spc-1) != 0 {
		return nil, fmt.Errorf("fatfs: bad geometry (%d bytes per sector, %d sectors per cluster): not a FAT file system", bps, spc)
	}
	fs := &FS{size: size, SectorSize: bps, ClusterSize: bps * spc, numFATs: int(b[16])}
	reserved, rootEnts := le16(14), le16(17)
	fatSecs, total := le16(22), le16(19)
	if fatSecs == 0 {
		fatSecs = le32(36)
	}
	if total == 0 {
		total = le32(32)
	}
	rootSecs := (rootEnts*32 + bps - 1) / bps
	meta := reserved + int64(fs.numFATs)*fatSecs + rootSecs
	if reserved == 0 || fs.numFATs == 0 || fatSecs == 0 || total <= meta || total*bps > size {
		return nil, fmt.Errorf("fatfs: bad layout (%d sectors, %d reserved, %d FATs of %d sectors) for a %d-byte partition", total, reserved, fs.numFATs, fatSecs, size)
	}
	count := (total - meta) / spc
	switch {
	case count < 4085:
		return nil, errors.New("fatfs: FAT12 is not supported: the boot partition must be FAT16 or FAT32")
	case count < 65525:
		fs.Type = 16
	default:
		fs.Type = 32
	}
	fs.clusters = uint32(count)
	fs.fatOff, fs.fatBytes = reserved*bps, fatSecs*bps
	fs.rootOff, fs.rootLen = fs.fatOff+int64(fs.numFATs)*fs.fatBytes, rootSecs*bps
	fs.dataOff = fs.rootOff + fs.rootLen
	if fs.Type == 32 {
		fs.rootCluster = uint32(le32(44)) & 0x0FFFFFFF
		if !fs.valid(fs.rootCluster) {
			return nil, fmt.Errorf("fatfs: root cluster %d out of range", fs.rootCluster)
		}
		if s := le16(48); s > 0 && s < reserved {
			fs.fsinfoOff = s * bps
		}
	}
	if need := int64(count+2) * int64(fs.Type/8); need > fs.fatBytes || fs.fatBytes > maxFATBytes {
		return nil, fmt.Errorf("fatfs: FAT of %d bytes cannot map %d clusters", fs.fatBytes, count)
	}
	return fs, nil
}

func (fs *FS) loadFAT() error {
	n := int64(fs.clusters) + 2
	raw := make([]byte, n*int64(fs.Type/8))
	if _, err := fs.dev.ReadAt(raw, fs.fatOff); err != nil {
		return fmt.Errorf("fatfs: read FAT: %w", err)
	}
	fs.fat = make([]uint32, n)
	for i := range fs.fat {
		if fs.Type == 16 {
			fs.fat[i] = uint32(binary.LittleEndian.Uint16(raw[2*i:]))
		} else {
			fs.fat[i] = binary.LittleEndian.Uint32(raw[4*i:])
		}
	}
	return nil
}

// valid reports whether c names a data cluster.
func (fs *FS) valid(c uint32) bool { return c >= 2 && c < fs.clusters+2 }

// next returns the cluster after c in its chain, or 0 at the chain's end.
func (fs *FS) next(c uint32) (uint32, error) {
	v := fs.fat[c]
	if fs.Type == 32 {
		v &= 0x0FFFFFFF
	}
	eoc := uint32(0xFFF8)
	if fs.Type == 32 {
		eoc = 0x0FFFFFF8
	}
	switch {
	case v >= eoc:
		return 0, nil
	case fs.valid(v):
		return v, nil
	}
	return 0, fmt.Errorf("fatfs: cluster %d links to %#x: broken chain", c, v)
}

// chain returns the clusters of the chain that starts at first.
func (fs *FS) chain(first uint32) ([]uint32, error) {
	var out []uint32
	for c := first; c != 0; {
		if !fs.valid(c) {
			return nil, fmt.Errorf("fatfs: chain reaches cluster %d, out of range", c)
		}
		if len(out) > int(fs.clusters) {
			return nil, fmt.Errorf("fatfs: chain from cluster %d loops", first)
		}
		out = append(out, c)
		var err error
		if c, err = fs.next(c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// clusterOff is where cluster c starts.
func (fs *FS) clusterOff(c uint32) int64 { return fs.dataOff + int64(c-2)*fs.ClusterSize }

// fatEntryPatches returns the bytes of cluster c's entry in every FAT
// copy, holding v.
func (fs *FS) fatEntryPatches(c, v uint32) []Patch {
	w := int64(fs.Type / 8)
	out := make([]Patch, 0, fs.numFATs)
	for i := 0; i < fs.numFATs; i++ {
		b := make([]byte, w)
		if w == 2 {
			binary.LittleEndian.PutUint16(b, uint16(v))
		} else {
			binary.LittleEndian.PutUint32(b, v)
		}
		out = append(out, Patch{Off: fs.fatOff + int64(i)*fs.fatBytes + int64(c)*w, Data: b})
	}
	return out
}

// freeCount reads the FSInfo free cluster count: ok is false when there
// is no FSInfo or it does not know the count.
func (fs *FS) freeCount() (n uint32, ok bool, err error) {
	if fs.fsinfoOff == 0 {
		return 0, false, nil
	}
	b := make([]byte, 512)
	if _, err := fs.dev.ReadAt(b, fs.fsinfoOff); err != nil {
		return 0, false, fmt.Errorf("fatfs: read FSInfo: %w", err)
	}
	if string(b[0:4]) != "RRaA" || string(b[484:488]) != "rrAa" {
		return 0, false, nil
	}
	n = binary.LittleEndian.Uint32(b[488:])
	return n, n != 0xFFFFFFFF, nil
}

// freeCountPatch sets the FSInfo free count to n.
func (fs *FS) freeCountPatch(n uint32) Patch {
	return Patch{Off: fs.fsinfoOff + 488, Data: binary.LittleEndian.AppendUint32(nil, n)}
}

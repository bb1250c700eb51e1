// Package flashtest builds small disk images for the tests of gridflash
// and its packages: an MBR partition table, a FAT boot partition made by
// mkfs.vfat, and a data partition with scattered non-zero blocks between
// holes, written sparsely so that a large image costs little disk.
package flashtest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Options shape an image. Zero values take the defaults in brackets.
type Options struct {
	Size       int64 // whole image [boot partition + 5 MiB]
	FAT        int   // 16 or 32 [16]
	FATSize    int64 // boot partition [4 MiB; 34 MiB for FAT32: about the least each can be]
	DataBlocks int   // 4 KiB blocks of random data in the data partition [64]
	Seed       uint64
}

// Image is a built image: its file and, for comparison, its bytes.
type Image struct {
	Path     string
	Data     []byte
	PartOff  int64 // the FAT partition
	PartSize int64
}

// PartStart is where the boot partition starts, as partitioning tools
// place it: at 1 MiB.
const PartStart = 1 << 20

// NeedTool fails the test when a program it needs is missing, naming the
// Debian package to install.
func NeedTool(t testing.TB, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("%s not found: install %s (apt-get install %s)", prog, pkg, pkg)
	}
	return p
}

// NewImage builds an image in a temporary directory.
func NewImage(t testing.TB, o Options) *Image {
	t.Helper()
	if o.FAT == 0 {
		o.FAT = 16
	}
	if o.FATSize == 0 {
		o.FATSize = map[int]int64{16: 4 << 20, 32: 34 << 20}[o.FAT]
	}
	if o.Size == 0 {
		o.Size = PartStart + o.FATSize + 4<<20
	}
	if o.DataBlocks == 0 {
		o.DataBlocks = 64
	}
	dir := t.TempDir()
	img := &Image{Path: filepath.Join(dir, "test.img"), Data: make([]byte, o.Size), PartOff: PartStart, PartSize: o.FATSize}
	writeMBR(img.Data, o)
	copy(img.Data[PartStart:], formatFAT(t, dir, o))
	rng := rand.New(rand.NewPCG(o.Seed, 42))
	dataStart := PartStart + o.FATSize
	for i := 0; i < o.DataBlocks; i++ {
		off := dataStart + rng.Int64N((o.Size-dataStart)/4096)*4096
		blk := img.Data[off : off+4096]
		for j := range blk {
			blk[j] = byte(rng.Uint32())
		}
	}
	writeSparse(t, img.Path, img.Data)
	return img
}

// DataImage builds an image of size bytes with no partition table: only
// blocks of random data between holes, for tests that need no file system
// and must stay small (xz is slow under the race detector).
func DataImage(t testing.TB, size int64, blocks int, seed uint64) *Image {
	t.Helper()
	img := &Image{Path: filepath.Join(t.TempDir(), "data.img"), Data: make([]byte, size)}
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < blocks; i++ {
		off := rng.Int64N(size/4096) * 4096
		blk := img.Data[off:min(off+4096, size)]
		for j := range blk {
			blk[j] = byte(rng.Uint32())
		}
	}
	writeSparse(t, img.Path, img.Data)
	return img
}

func writeMBR(b []byte, o Options) {
	entry := func(i int, typ byte, start, size int64) {
		e := b[446+16*i:]
		e[4] = typ
		binary.LittleEndian.PutUint32(e[8:], uint32(start/512))
		binary.LittleEndian.PutUint32(e[12:], uint32(size/512))
	}
	binary.LittleEndian.PutUint32(b[440:], 0x6b69736b) // disk id
	entry(0, map[int]byte{16: 0x0E, 32: 0x0C}[o.FAT], PartStart, o.FATSize)
	entry(1, 0x83, PartStart+o.FATSize, o.Size-PartStart-o.FATSize)
	b[510], b[511] = 0x55, 0xAA
}

func formatFAT(t testing.TB, dir string, o Options) []byte {
	t.Helper()
	mkfs := NeedTool(t, "mkfs.vfat", "dosfstools")
	part := filepath.Join(dir, "boot.part")
	if err := os.WriteFile(part, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(part, o.FATSize); err != nil {
		t.Fatal(err)
	}
	args := []string{"-F", strconv.Itoa(o.FAT), "-n", "GKBOOT", "-i", "20261125", "--invariant"}
	args = append(args, "-s", "1") // small clusters: enough of them in a small partition
	out, err := exec.Command(mkfs, append(args, part)...).CombinedOutput()
	if err != nil {
		t.Fatalf("mkfs.vfat: %v\n%s", err, out)
	}
	b, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeSparse writes data to path leaving its zero 4 KiB blocks as holes.
func writeSparse(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(len(data))); err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 4096)
	for off := 0; off < len(data); off += 4096 {
		blk := data[off:min(off+4096, len(data))]
		if bytes.Equal(blk, zero[:len(blk)]) {
			continue
		}
		if _, err := f.WriteAt(blk, int64(off)); err != nil {
			t.Fatal(err)
		}
	}
}

// Key returns a fixed test key pair; seed tells keys apart.
func Key(seed byte) (ed25519.PrivateKey, ed25519.PublicKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv, priv.Public().(ed25519.PublicKey)
}

// Fsck runs fsck.vfat -n on the size bytes at off of the file at path
// and returns its output, failing the test if it finds anything wrong.
func Fsck(t testing.TB, path string, off, size int64) string {
	t.Helper()
	fsck := NeedTool(t, "fsck.vfat", "dosfstools")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(t.TempDir(), "part.img")
	if err := os.WriteFile(part, src[off:off+size], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(fsck, "-n", "-v", part).CombinedOutput()
	if err != nil {
		t.Fatalf("fsck.vfat -n: %v\n%s", err, out)
	}
	return string(out)
}

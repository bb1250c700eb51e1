package flash

import (
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
	"github.com/gridkiosk/gridkiosk/images/manifest"
)

// benchImage is a 256 MiB sparse image holding about 20 MiB of data: a
// few contiguous runs, as a file system's files lie, and scattered
// blocks, as its metadata does.
func benchImage(b *testing.B) (string, *manifest.Manifest) {
	b.Helper()
	const size = 256 << 20
	path := filepath.Join(b.TempDir(), "bench.img")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	f.Truncate(size)
	run := make([]byte, 1<<20)
	for i := int64(0); i < 16; i++ { // 16 MiB in 1 MiB runs, every 16 MiB
		rand.Read(run)
		f.WriteAt(run, i*16<<20)
	}
	blk := make([]byte, 4096)
	for i := int64(0); i < 1024; i++ { // 4 MiB in blocks, every 240 KiB
		rand.Read(blk)
		f.WriteAt(blk, i*240<<10+8<<20)
	}
	m, err := manifest.BuildFile(path, manifest.Meta{Version: "bench", Arch: "arm64"})
	if err != nil {
		b.Fatal(err)
	}
	priv, _ := flashtest.Key(1)
	manifest.Sign(m, priv)
	return path, m
}

// BenchmarkWrite compares gridflash writing and verifying an image file
// with dd and cmp of the same image, and with bmaptool copy. MB/s are of
// the image's full size. gridflash reads back past the page cache;
// dd+cmp reads the target back from it; bmaptool checks the image as it
// reads it but reads nothing back.
func BenchmarkWrite(b *testing.B) {
	img, m := benchImage(b)
	_, pub := flashtest.Key(1)
	dir := b.TempDir()
	target := filepath.Join(dir, "card.img")
	b.Logf("image %d MiB, %d MiB mapped in %d ranges", m.ImageSize>>20, m.MappedBytes()>>20, len(m.Ranges))

	b.Run("gridflash", func(b *testing.B) {
		b.SetBytes(m.ImageSize)
		for b.Loop() {
			os.Remove(target)
			gridflashWriteVerify(b, img, target, m)
		}
		_ = pub
	})
	b.Run("dd+cmp", func(b *testing.B) {
		b.SetBytes(m.ImageSize)
		for b.Loop() {
			os.Remove(target)
			run(b, "dd", "if="+img, "of="+target, "bs=4M", "conv=fsync", "status=none")
			run(b, "cmp", img, target)
		}
	})
	b.Run("bmaptool", func(b *testing.B) {
		bmaptool, err := exec.LookPath("bmaptool")
		if err != nil {
			b.Skip("bmaptool not on PATH (apt-get install bmap-tools): no bmaptool figure")
		}
		bmap := filepath.Join(dir, "bench.bmap")
		run(b, bmaptool, "-q", "create", "-o", bmap, img)
		b.SetBytes(m.ImageSize)
		b.ResetTimer()
		for b.Loop() {
			os.Remove(target)
			run(b, bmaptool, "-q", "copy", "--bmap", bmap, img, target)
		}
	})
}

func gridflashWriteVerify(b *testing.B, img, target string, m *manifest.Manifest) {
	_, pub := flashtest.Key(1)
	dst, err := Create(target, m.ImageSize)
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()
	src, err := OpenImage(img)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := Write(dst, src, m, pub, Options{}); err != nil {
		b.Fatal(err)
	}
	if _, err := Verify(dst, m, pub, nil); err != nil {
		b.Fatal(err)
	}
}

func run(b *testing.B, prog string, args ...string) {
	b.Helper()
	if out, err := exec.Command(prog, args...).CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

// BenchmarkCheckProvisionFits is the check gridflash makes before it
// writes anything: the FAT32 boot partition (34 MiB) of a zstd image read
// as far as its FAT and root directory.
func BenchmarkCheckProvisionFits(b *testing.B) {
	img := flashtest.NewImage(b, flashtest.Options{FAT: 32})
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		b.Fatal(err)
	}
	path := img.Path + ".zst"
	if err := os.WriteFile(path, enc.EncodeAll(img.Data, nil), 0o644); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 4<<10)
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckProvisionFits(path, data); err != nil {
			b.Fatal(err)
		}
	}
}

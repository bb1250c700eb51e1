package flash

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/images/fatfs"
	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
	"github.com/gridkiosk/gridkiosk/images/manifest"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

const provisionTOML = "[station]\nid = \"141029-xfw-01\"\nname = \"幸福湾社区党群服务站\"\n"

// signedImage builds a test image and its signed manifest.
func signedImage(t *testing.T, o flashtest.Options) (*flashtest.Image, *manifest.Manifest, ed25519.PublicKey) {
	t.Helper()
	img := flashtest.NewImage(t, o)
	m, err := manifest.BuildFile(img.Path, manifest.Meta{Version: "2026.11.1", Arch: "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	priv, pub := flashtest.Key(1)
	if err := manifest.Sign(m, priv); err != nil {
		t.Fatal(err)
	}
	return img, m, pub
}

// write writes the image file at src to a new file target and returns the
// target's path.
func write(t *testing.T, src string, m *manifest.Manifest, pub ed25519.PublicKey, opt Options) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "card.img")
	dst, err := Create(path, m.ImageSize)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	im, err := OpenImage(src)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	return path, Write(dst, im, m, pub, opt)
}

func verify(t *testing.T, path string, m *manifest.Manifest, pub ed25519.PublicKey) (*Result, error) {
	t.Helper()
	tg, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	return Verify(tg, m, pub, nil)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteExact(t *testing.T) {
	t.Parallel()
	img, m, pub := signedImage(t, flashtest.Options{})
	path, err := write(t, img.Path, m, pub, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), img.Data) {
		t.Fatal("target differs from the image")
	}
	res, err := verify(t, path, m, pub)
	if err != nil || res.Provision != nil {
		t.Fatalf("verify: %v %+v", err, res)
	}
}

func TestWriteProvision(t *testing.T) {
	t.Parallel()
	stamp := func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	for _, fat := range []int{16, 32} {
		t.Run("FAT"+strconv.Itoa(fat), func(t *testing.T) {
			img, m, pub := signedImage(t, flashtest.Options{FAT: fat})
			path, err := write(t, img.Path, m, pub, Options{Provision: []byte(provisionTOML), Now: stamp})
			if err != nil {
				t.Fatal(err)
			}
			got := readFile(t, path)
			end := img.PartOff + img.PartSize
			if !bytes.Equal(got[:img.PartOff], img.Data[:img.PartOff]) || !bytes.Equal(got[end:], img.Data[end:]) {
				t.Error("provisioning changed bytes outside the boot partition")
			}
			fs, err := fatfs.Open(io.NewSectionReader(bytes.NewReader(got), img.PartOff, img.PartSize), img.PartSize)
			if err != nil {
				t.Fatal(err)
			}
			if b, err := fs.ReadFile(ProvisionPath); err != nil || string(b) != provisionTOML {
				t.Errorf("read back: %v %q", err, b)
			}
			mtype(t, path, img.PartOff, ProvisionPath, provisionTOML)
			flashtest.Fsck(t, path, img.PartOff, img.PartSize)
			res, err := verify(t, path, m, pub)
			if err != nil || string(res.Provision) != provisionTOML {
				t.Fatalf("verify a provisioned card: %v %+v", err, res)
			}
			// A change to the boot partition that is not the provisioning
			// file is still caught.
			f, _ := os.OpenFile(path, os.O_RDWR, 0)
			f.WriteAt([]byte{0x5A}, img.PartOff+3) // the OEM name in the boot sector
			f.Close()
			var re *RangeError
			if _, err := verify(t, path, m, pub); !errors.As(err, &re) || re.Range.Offset > img.PartOff {
				t.Fatalf("tampered boot sector: %v", err)
			}
		})
	}
}

func mtype(t *testing.T, path string, off int64, name, want string) {
	t.Helper()
	prog, err := exec.LookPath("mtype")
	if err != nil {
		t.Logf("mtype not found (apt-get install mtools): not cross-checking with mtools")
		return
	}
	cmd := exec.Command(prog, "-i", path+"@@"+strconv.FormatInt(off, 10), "::"+name)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != want {
		t.Errorf("mtype %s: %v %q", name, err, out)
	}
}

func TestCompressed(t *testing.T) {
	t.Parallel()
	img := flashtest.DataImage(t, 256<<10, 8, 1)
	m, err := manifest.BuildFile(img.Path, manifest.Meta{Version: "1", Arch: "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	priv, pub := flashtest.Key(1)
	manifest.Sign(m, priv)
	compressors := map[string]func(w io.Writer) (io.WriteCloser, error){
		".xz":  func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) },
		".zst": func(w io.Writer) (io.WriteCloser, error) { return zstd.NewWriter(w) },
		".gz":  func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil },
	}
	for ext, newW := range compressors {
		src := img.Path + ext
		f, _ := os.Create(src)
		w, err := newW(f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(img.Data)
		w.Close()
		f.Close()
		path, err := write(t, src, m, pub, Options{})
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		if !bytes.Equal(readFile(t, path), img.Data) {
			t.Errorf("%s: target differs from the image", ext)
		}
	}
	// A compressed file under a raw name, or the reverse, is refused.
	os.Rename(img.Path+".xz", img.Path+".zst.img")
	if _, err := write(t, img.Path+".zst.img", m, pub, Options{}); err != nil {
		t.Errorf("xz under a raw name: %v", err)
	}
	os.Rename(img.Path+".zst.img", img.Path+".img.zst")
	if _, err := OpenImage(img.Path + ".img.zst"); err == nil || !strings.Contains(err.Error(), "not zstd") {
		t.Errorf("misnamed: %v", err)
	}
}

func TestTamperedImage(t *testing.T) {
	t.Parallel()
	img, m, pub := signedImage(t, flashtest.Options{})
	r := m.Ranges[len(m.Ranges)/2]
	tests := []struct {
		name string
		at   int64
		cut  bool
	}{
		{"mapped byte", r.Offset + r.Length/2, false},
		{"unmapped byte", m.Ranges[0].End() + 10, false},
		{"first block", 100, false},
		{"truncated", m.ImageSize - 4096, true},
	}
	for _, tc := range tests {
		bad := filepath.Join(t.TempDir(), "bad.img")
		data := bytes.Clone(img.Data)
		if tc.cut {
			data = data[:tc.at]
		} else {
			data[tc.at] ^= 0x01
		}
		os.WriteFile(bad, data, 0o644)
		path, err := write(t, bad, m, pub, Options{Provision: []byte(provisionTOML)})
		if !errors.Is(err, ErrImageMismatch) {
			t.Errorf("%s: write: %v", tc.name, err)
		}
		// The target must not pass for a good card: its first block was
		// zeroed and is written only at the end.
		var re *RangeError
		if _, err := verify(t, path, m, pub); !errors.As(err, &re) || re.Index != 0 {
			t.Errorf("%s: verify after a refused write: %v", tc.name, err)
		}
	}
}

func TestKeysAndManifest(t *testing.T) {
	t.Parallel()
	img, m, _ := signedImage(t, flashtest.Options{DataBlocks: 4})
	_, other := flashtest.Key(2)
	if _, err := write(t, img.Path, m, other, Options{}); !errors.Is(err, manifest.ErrWrongKey) {
		t.Errorf("wrong key: %v", err)
	}
	_, pub := flashtest.Key(1)
	m.Ranges[0].SHA256[0] ^= 1
	path, err := write(t, img.Path, m, pub, Options{})
	if !errors.Is(err, manifest.ErrBadSignature) {
		t.Errorf("tampered manifest: %v", err)
	}
	if st, _ := os.Stat(path); st.Size() != m.ImageSize || bytes.Count(readFile(t, path), []byte{0}) != int(m.ImageSize) {
		t.Error("something was written before the signature was checked")
	}
	if _, err := verify(t, path, m, pub); !errors.Is(err, manifest.ErrBadSignature) {
		t.Errorf("verify with a tampered manifest: %v", err)
	}
}

func TestTooSmall(t *testing.T) {
	t.Parallel()
	img, m, pub := signedImage(t, flashtest.Options{DataBlocks: 4})
	f, err := os.Create(filepath.Join(t.TempDir(), "small"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dst := &Target{f: f, Path: "/dev/sdz", Device: true, Size: m.ImageSize - 512}
	im, _ := OpenImage(img.Path)
	defer im.Close()
	if err := Write(dst, im, m, pub, Options{}); !errors.Is(err, ErrTooSmall) {
		t.Fatalf("too small: %v", err)
	}
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Fatal("wrote to a device too small")
	}
}

func TestInterrupted(t *testing.T) {
	t.Parallel()
	img, m, pub := signedImage(t, flashtest.Options{})
	path, err := write(t, img.Path, m, pub, Options{})
	if err != nil {
		t.Fatal(err)
	}
	last := len(m.Ranges) - 1
	mid := len(m.Ranges) / 2
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt([]byte{0xFF}, m.Ranges[mid].Offset+1)
	f.Close()
	var re *RangeError
	if _, err := verify(t, path, m, pub); !errors.As(err, &re) || re.Index != mid || !strings.Contains(err.Error(), "range "+strconv.Itoa(mid+1)+" of") {
		t.Fatalf("corrupt range: %v", err)
	}
	f, _ = os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt([]byte{img.Data[m.Ranges[mid].Offset+1]}, m.Ranges[mid].Offset+1)
	f.Truncate(m.Ranges[last].Offset + 10)
	f.Close()
	if _, err := verify(t, path, m, pub); !errors.As(err, &re) || re.Index != last || !strings.Contains(re.Reason, "cut short") {
		t.Fatalf("truncated: %v", err)
	}
}

func TestProvisionErrors(t *testing.T) {
	t.Parallel()
	img, m, pub := signedImage(t, flashtest.Options{DataBlocks: 4})
	path, err := write(t, img.Path, m, pub, Options{Provision: []byte(provisionTOML)})
	if err != nil {
		t.Fatal(err)
	}
	// An image that already has the file is refused: the recipe must
	// leave it to gridflash.
	again, m2, _ := signedImageFrom(t, path)
	if _, err := write(t, again, m2, pub, Options{Provision: []byte("x")}); err == nil || !strings.Contains(err.Error(), "already has") {
		t.Errorf("already provisioned: %v", err)
	}
	// An image without a partition table cannot be provisioned.
	data := bytes.Clone(img.Data)
	clear(data[:512])
	os.WriteFile(again, data, 0o644)
	bare, m3, _ := signedImageFrom(t, again)
	if _, err := write(t, bare, m3, pub, Options{Provision: []byte("x")}); err == nil || !strings.Contains(err.Error(), "partition table") {
		t.Errorf("no partition table: %v", err)
	}
}

// signedImageFrom signs an existing image file with key 1.
func signedImageFrom(t *testing.T, path string) (string, *manifest.Manifest, ed25519.PublicKey) {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "copy.img")
	os.WriteFile(cp, readFile(t, path), 0o644)
	m, err := manifest.BuildFile(cp, manifest.Meta{Version: "1", Arch: "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	priv, pub := flashtest.Key(1)
	manifest.Sign(m, priv)
	return cp, m, pub
}

package fatfs_test

import (
	"bytes"
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
)

// section is a partition of a file, readable and writable.
type section struct {
	f   *os.File
	off int64
}

func (s section) ReadAt(p []byte, off int64) (int, error)  { return s.f.ReadAt(p, s.off+off) }
func (s section) WriteAt(p []byte, off int64) (int, error) { return s.f.WriteAt(p, s.off+off) }

func openPart(t *testing.T, img *flashtest.Image) (*fatfs.FS, *os.File) {
	t.Helper()
	f, err := os.OpenFile(img.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fs, err := fatfs.Open(section{f, img.PartOff}, img.PartSize)
	if err != nil {
		t.Fatal(err)
	}
	return fs, f
}

func TestWriteReadUnwrite(t *testing.T) {
	t.Parallel()
	stamp := time.Date(2026, 11, 25, 9, 30, 0, 0, time.Local)
	big := bytes.Repeat([]byte("station = \"141029-xfw-01\"\n"), 400) // several clusters
	for _, fat := range []int{16, 32} {
		t.Run("FAT"+strconv.Itoa(fat), func(t *testing.T) {
			img := flashtest.NewImage(t, flashtest.Options{FAT: fat})
			fs, f := openPart(t, img)
			if fs.Type != fat {
				t.Fatalf("type %d", fs.Type)
			}
			steps := []struct {
				path string
				data []byte
				dirs int // directories the write creates
			}{
				{"gridkiosk/provision.toml", big, 1},
				{"gridkiosk/second file with a long name.txt", []byte("x"), 0},
				{"README", nil, 0},
				{"a/b/c.txt", []byte("deep"), 2},
			}
			// What the writes change lies in the first MiBs of the
			// partition; reading all of it after each step is slow under
			// the race detector, so the whole is compared once at the end.
			before := [][]byte{head(t, f, img)}
			for _, s := range steps {
				if err := fs.WriteFile(s.path, s.data, stamp); err != nil {
					t.Fatalf("write %s: %v", s.path, err)
				}
				before = append(before, head(t, f, img))
			}
			fs, _ = openPart(t, img) // read back from disk, not memory
			for _, s := range steps {
				got, err := fs.ReadFile(strings.ToUpper(s.path))
				if err != nil || !bytes.Equal(got, s.data) {
					t.Errorf("read %s: %v, %d bytes", s.path, err, len(got))
				}
			}
			flashtest.Fsck(t, img.Path, img.PartOff, img.PartSize)
			mtype(t, img, "gridkiosk/provision.toml", big)
			if err := fs.WriteFile("gridkiosk/provision.toml", []byte("again"), stamp); !errors.Is(err, fatfs.ErrExist) {
				t.Errorf("overwrote: %v", err)
			}
			// Undoing each write in turn gives back the bytes before it.
			for i := len(steps) - 1; i >= 0; i-- {
				fs, _ = openPart(t, img)
				patches, err := fs.Unwrite(steps[i].path, steps[i].dirs)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range patches {
					if _, err := f.WriteAt(p.Data, img.PartOff+p.Off); err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(head(t, f, img), before[i]) {
					t.Fatalf("unwrite %s: image differs from before the write", steps[i].path)
				}
			}
			if !bytes.Equal(read(t, img.Path), img.Data) {
				t.Fatal("after undoing every write, the image differs from the original")
			}
		})
	}
}

func head(t *testing.T, f *os.File, img *flashtest.Image) []byte {
	t.Helper()
	b := make([]byte, 4<<20)
	if _, err := f.ReadAt(b, img.PartOff); err != nil {
		t.Fatal(err)
	}
	return b
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mtype reads a file with mtools, another FAT implementation, when it is
// installed.
func mtype(t *testing.T, img *flashtest.Image, path string, want []byte) {
	t.Helper()
	prog, err := exec.LookPath("mtype")
	if err != nil {
		t.Logf("mtype not found (apt-get install mtools): not cross-checking %s", path)
		return
	}
	cmd := exec.Command(prog, "-i", img.Path+"@@"+strconv.FormatInt(img.PartOff, 10), "::"+path)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	got, err := cmd.Output()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("mtype %s: %v, got %d bytes, want %d", path, err, len(got), len(want))
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fat12 := filepath.Join(dir, "fat12.img")
	os.WriteFile(fat12, nil, 0o644)
	os.Truncate(fat12, 2<<20)
	if out, err := exec.Command(flashtest.NeedTool(t, "mkfs.vfat", "dosfstools"), "-F", "12", fat12).CombinedOutput(); err != nil {
		t.Fatalf("mkfs: %v %s", err, out)
	}
	b := read(t, fat12)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"zeros", make([]byte, 4096), "not a FAT"},
		{"fat12", b, "FAT12 is not supported"},
		{"truncated", b[:512], "partition"},
	}
	for _, tc := range tests {
		_, err := fatfs.Open(bytes.NewReader(tc.data), int64(len(tc.data)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	img := flashtest.NewImage(t, flashtest.Options{})
	fs, _ := openPart(t, img)
	for _, name := range []string{"", "a/b:c", "x/..", "bad\x01name"} {
		if err := fs.WriteFile(name, nil, time.Now()); err == nil {
			t.Errorf("wrote %q", name)
		}
	}
	ro, err := fatfs.Open(io.NewSectionReader(bytes.NewReader(img.Data), img.PartOff, img.PartSize), img.PartSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.WriteFile("x", nil, time.Now()); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only: %v", err)
	}
	if _, err := ro.ReadFile("missing/file"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	// A FAT16 root directory has a fixed number of slots.
	var err2 error
	for i := 0; i < 600 && err2 == nil; i++ {
		err2 = fs.WriteFile("f"+strconv.Itoa(i), nil, time.Now())
	}
	if err2 == nil || !strings.Contains(err2.Error(), "directory is full") {
		t.Errorf("full root: %v", err2)
	}
	flashtest.Fsck(t, img.Path, img.PartOff, img.PartSize)
}

package powercut_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gridkiosk/gridkiosk/internal/powercut"
)

// helpers for the cases: each fails the test on error.
type env struct {
	t   *testing.T
	dir string
}

func (e env) path(name string) string { return filepath.Join(e.dir, name) }

func (e env) write(name, content string, sync bool) {
	e.t.Helper()
	f, err := os.OpenFile(e.path(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		e.t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e env) syncDir(name string) {
	e.t.Helper()
	d, err := os.Open(e.path(name))
	if err != nil {
		e.t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		e.t.Fatalf("fsync directory %s: %v", name, err)
	}
}

// content reads a file; "<absent>" when it does not exist.
func (e env) content(name string) string {
	e.t.Helper()
	b, err := os.ReadFile(e.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return "<absent>"
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// TestCut: what a power cut keeps and drops, case by case.
func TestCut(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(e env) // run and made durable as set-up
		do     func(e env)
		want   map[string]string
	}{
		{
			name: "new file, nothing synced: gone",
			do:   func(e env) { e.write("a", "hello", false) },
			want: map[string]string{"a": "<absent>"},
		},
		{
			name: "new file synced, directory not: gone",
			do:   func(e env) { e.write("a", "hello", true) },
			want: map[string]string{"a": "<absent>"},
		},
		{
			name: "new file, directory synced, file not: there and empty",
			do:   func(e env) { e.write("a", "hello", false); e.syncDir(".") },
			want: map[string]string{"a": ""},
		},
		{
			name: "new file and directory synced: kept",
			do:   func(e env) { e.write("a", "hello", true); e.syncDir(".") },
			want: map[string]string{"a": "hello"},
		},
		{
			name:   "overwrite not synced: the old content",
			before: func(e env) { e.write("a", "old content", true); e.syncDir(".") },
			do:     func(e env) { e.write("a", "new", false) },
			want:   map[string]string{"a": "old content"},
		},
		{
			name:   "rename without directory fsync: reverts",
			before: func(e env) { e.write("a", "old", true); e.syncDir(".") },
			do: func(e env) {
				e.write("a.tmp", "new", true)
				if err := os.Rename(e.path("a.tmp"), e.path("a")); err != nil {
					e.t.Fatal(err)
				}
			},
			want: map[string]string{"a": "old", "a.tmp": "<absent>"},
		},
		{
			name:   "rename and directory fsync: the new file",
			before: func(e env) { e.write("a", "old", true); e.syncDir(".") },
			do: func(e env) {
				e.write("a.tmp", "new", true)
				if err := os.Rename(e.path("a.tmp"), e.path("a")); err != nil {
					e.t.Fatal(err)
				}
				e.syncDir(".")
			},
			want: map[string]string{"a": "new", "a.tmp": "<absent>"},
		},
		{
			name:   "unlink without directory fsync: back",
			before: func(e env) { e.write("a", "kept", true); e.syncDir(".") },
			do: func(e env) {
				if err := os.Remove(e.path("a")); err != nil {
					e.t.Fatal(err)
				}
			},
			want: map[string]string{"a": "kept"},
		},
		{
			name: "file in a new directory whose parent was not synced: gone",
			do: func(e env) {
				if err := os.Mkdir(e.path("d"), 0o700); err != nil {
					e.t.Fatal(err)
				}
				e.write("d/a", "x", true)
				e.syncDir("d")
			},
			want: map[string]string{"d/a": "<absent>", "d": "<absent>"},
		},
		{
			name: "new directory, both levels synced: kept",
			do: func(e env) {
				if err := os.Mkdir(e.path("d"), 0o700); err != nil {
					e.t.Fatal(err)
				}
				e.write("d/a", "x", true)
				e.syncDir("d")
				e.syncDir(".")
			},
			want: map[string]string{"d/a": "x"},
		},
		{
			name:   "truncate not synced: the old size",
			before: func(e env) { e.write("a", "0123456789", true); e.syncDir(".") },
			do: func(e env) {
				if err := os.Truncate(e.path("a"), 4); err != nil {
					e.t.Fatal(err)
				}
			},
			want: map[string]string{"a": "0123456789"},
		},
		{
			name:   "truncate synced, then regrown without sync: zeros past the cut",
			before: func(e env) { e.write("a", "0123456789", true); e.syncDir(".") },
			do: func(e env) {
				f, err := os.OpenFile(e.path("a"), os.O_RDWR, 0)
				if err != nil {
					e.t.Fatal(err)
				}
				defer f.Close()
				if err := f.Truncate(4); err != nil {
					e.t.Fatal(err)
				}
				if err := f.Truncate(8); err != nil {
					e.t.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					e.t.Fatal(err)
				}
				if _, err := f.WriteAt([]byte("zz"), 8); err != nil {
					e.t.Fatal(err)
				}
			},
			want: map[string]string{"a": "0123\x00\x00\x00\x00"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, dir := powercut.Mounted(t)
			e := env{t, dir}
			if tc.before != nil {
				tc.before(e)
			}
			tc.do(e)
			if err := f.Cut(); err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				if got := e.content(name); got != want {
					t.Errorf("%s after the cut: %q, want %q", name, got, want)
				}
				if want == "<absent>" {
					if _, err := os.Stat(e.path(name)); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("%s after the cut: stat says %v, want it absent", name, err)
					}
				}
			}
		})
	}
}

// TestFdatasync: fdatasync, which bbolt commits with, keeps data written
// at any offset and the size it grew to; writes after it are lost.
func TestFdatasync(t *testing.T) {
	f, dir := powercut.Mounted(t)
	e := env{t, dir}
	e.write("db", "", true)
	e.syncDir(".")
	fd, err := os.OpenFile(e.path("db"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	page := bytes.Repeat([]byte("p"), 4096)
	if _, err := fd.WriteAt(page, 3*4096); err != nil {
		t.Fatal(err)
	}
	if _, err := fd.WriteAt([]byte("meta"), 10); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fdatasync(int(fd.Fd())); err != nil {
		t.Fatal(err)
	}
	if _, err := fd.WriteAt([]byte("LOST"), 10); err != nil {
		t.Fatal(err)
	}
	if _, err := fd.WriteAt(page, 4*4096); err != nil {
		t.Fatal(err)
	}
	fd.Close()
	if err := f.Cut(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(e.path("db"))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 4*4096)
	copy(want[10:], "meta")
	copy(want[3*4096:], page)
	if !bytes.Equal(got, want) {
		t.Fatalf("after the cut: %d bytes, %q at 10; want %d bytes with \"meta\" at 10", len(got), got[10:14], len(want))
	}
	if s := f.Stats(); s.Cuts != 1 || s.FileSyncs < 2 || s.DirSyncs != 1 || s.DroppedBytes == 0 {
		t.Errorf("stats: %+v", s)
	}
}

// mmapEnv runs this test binary as the mmap child of TestMmapSeesWrites.
const mmapEnv = "POWERCUT_TEST_MMAP_FILE"

func TestMain(m *testing.M) {
	if path := os.Getenv(mmapEnv); path != "" {
		if err := mmapChild(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// mmapChild maps path read-only and shared, as bbolt does, writes with
// pwrite and checks the mapping shows the write.
func mmapChild(path string) error {
	fd, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer fd.Close()
	m, err := unix.Mmap(int(fd.Fd()), 0, 8192, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return err
	}
	defer unix.Munmap(m)
	if m[5000] != 0 {
		return fmt.Errorf("mapped byte %d before the write", m[5000])
	}
	if _, err := fd.WriteAt([]byte("bbolt"), 5000); err != nil {
		return err
	}
	if got := string(m[5000:5005]); got != "bbolt" {
		return fmt.Errorf("the mapping reads %q after pwrite, want \"bbolt\"", got)
	}
	return nil
}

// TestMmapSeesWrites: bbolt reads its file through a read-only shared
// mmap and writes it with pwrite; the mapping must see the writes. The
// mapping is made in another process (see the package doc).
func TestMmapSeesWrites(t *testing.T) {
	_, dir := powercut.Mounted(t)
	e := env{t, dir}
	e.write("db", string(make([]byte, 8192)), true)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mmapEnv+"="+e.path("db"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mmap child: %v\n%s", err, out)
	}
	if got := e.content("db")[5000:5005]; got != "bbolt" {
		t.Fatalf("after the child's write: %q", got)
	}
}

// TestFlock: bbolt takes an exclusive flock; a second taker is refused
// while the first holds it.
func TestFlock(t *testing.T) {
	_, dir := powercut.Mounted(t)
	e := env{t, dir}
	e.write("db", "x", true)
	a, err := os.Open(e.path("db"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := os.Open(e.path("db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := unix.Flock(int(a.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(b.Fd()), unix.LOCK_EX|unix.LOCK_NB); !errors.Is(err, unix.EWOULDBLOCK) {
		t.Fatalf("second exclusive flock: %v, want EWOULDBLOCK", err)
	}
}

// TestStatfs: programs that keep free space in reserve find room.
func TestStatfs(t *testing.T) {
	_, dir := powercut.Mounted(t)
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if free := st.Bavail * uint64(st.Bsize); free < 1<<30 {
		t.Fatalf("statfs: %d bytes available", free)
	}
}

// TestRemount: an unmount alone is no power cut; everything stays.
func TestRemount(t *testing.T) {
	f, dir := powercut.Mounted(t)
	e := env{t, dir}
	e.write("a", "volatile", false)
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	if err := f.Mount(dir); err != nil {
		t.Fatal(err)
	}
	if got := e.content("a"); got != "volatile" {
		t.Fatalf("after a remount: %q", got)
	}
}

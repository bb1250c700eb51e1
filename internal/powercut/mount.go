package powercut

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// FS is a file system that power cuts can hit. Its content lives in the
// test process and outlives unmounts; it is mounted at one directory at
// a time. Its methods are safe for concurrent use.
type FS struct {
	m *model

	// grace is how long an unmount waits for the last user of a busy
	// mount before it aborts the connection.
	grace time.Duration

	mu     sync.Mutex // guards the fields below; held across mount and unmount
	dir    string
	server *fuse.Server
}

// New returns an empty file system, not mounted.
func New() *FS { return &FS{m: newModel(), grace: 10 * time.Second} }

// Mount serves the file system at dir, an existing empty directory. It
// needs /dev/fuse and either root (the mount is made directly) or
// fusermount3.
func (f *FS) Mount(dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server != nil {
		return fmt.Errorf("powercut: already mounted at %s", f.dir)
	}
	if err := f.mount(dir); err != nil {
		return err
	}
	return nil
}

func (f *FS) mount(dir string) error {
	root := &fnode{m: f.m, n: f.m.root}
	// The kernel may keep what it looked up for a second: it is the only
	// way in, so its cache cannot go stale, and Cut starts a new mount.
	timeout := time.Second
	srv, err := fs.Mount(dir, root, &fs.Options{
		MountOptions: fuse.MountOptions{
			FsName:      "powercut",
			Name:        "powercut",
			DirectMount: true,
			// go-fuse logs every refused xattr probe and the like.
			Logger: log.New(io.Discard, "", 0),
		},
		EntryTimeout: &timeout,
		AttrTimeout:  &timeout,
	})
	if err != nil {
		return fmt.Errorf("powercut: mount at %s: %w (needs /dev/fuse, and root or fusermount3)", dir, err)
	}
	f.dir, f.server = dir, srv
	return nil
}

// Unmount stops serving the file system; what it holds stays, durable or
// not, for the next Mount. Programs using it should have ended: if one
// still holds a file open, the mount is detached lazily and Unmount
// waits up to a minute for it to let go.
func (f *FS) Unmount() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unmount()
}

func (f *FS) unmount() error {
	if f.server == nil {
		return nil
	}
	srv, dir := f.server, f.dir
	var st unix.Stat_t
	statErr := unix.Stat(dir, &st)
	err := srv.Unmount()
	if err == nil {
		f.server, f.dir = nil, ""
		return nil
	}
	// Something still holds a file open. Detach the mount and give it a
	// moment; then abort the connection, so that whatever holds it gets
	// errors instead of waiting forever, even the test process itself on
	// its way out.
	if derr := unix.Unmount(dir, unix.MNT_DETACH); derr != nil && !errors.Is(derr, unix.EINVAL) {
		return fmt.Errorf("powercut: unmount %s: %w; lazy unmount: %w", dir, err, derr)
	}
	done := make(chan struct{})
	go func() { srv.Wait(); close(done) }()
	select {
	case <-done:
		f.server, f.dir = nil, ""
		return nil
	case <-time.After(f.grace):
	}
	aerr := statErr
	if aerr == nil {
		aerr = abort(unix.Minor(st.Dev))
	}
	select {
	case <-done:
	case <-time.After(f.grace):
		return fmt.Errorf("powercut: %s detached, still in use (abort: %v): %w", dir, aerr, err)
	}
	f.server, f.dir = nil, ""
	return fmt.Errorf("powercut: %s was still in use %v after the unmount, aborted: %w", dir, f.grace, err)
}

// abort ends the FUSE connection with the given device number through
// fusectl, mounting fusectl first when it is not.
func abort(dev uint32) error {
	const ctl = "/sys/fs/fuse/connections"
	path := fmt.Sprintf("%s/%d/abort", ctl, dev)
	if _, err := os.Stat(path); err != nil {
		if err := unix.Mount("fusectl", ctl, "fusectl", 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("mount fusectl at %s: %w", ctl, err)
		}
	}
	return os.WriteFile(path, []byte("1"), 0)
}

// Cut simulates a power cut: it unmounts the file system, drops every
// change that was not made durable, and mounts it again where it was.
// Kill the programs using it first, as the power cut would; their open
// files would otherwise keep the old mount alive.
func (f *FS) Cut() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := f.dir
	if err := f.unmount(); err != nil {
		return err
	}
	f.m.mu.Lock()
	f.m.cut()
	f.m.mu.Unlock()
	if dir == "" {
		return nil
	}
	return f.mount(dir)
}

// Stats returns the counts so far.
func (f *FS) Stats() Stats {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	return f.m.stats
}

// Available says why this machine cannot mount a FUSE file system, or
// returns nil: tests that need one fail with this reason.
func Available() error {
	fd, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("powercut: %w (load the fuse module, or run in a container with --device /dev/fuse)", err)
	}
	return fd.Close()
}

// Mounted mounts a new, empty file system at a temporary directory for
// the test and unmounts it when the test ends, pass or fail. It fails the
// test when the machine cannot mount one.
func Mounted(tb testing.TB) (*FS, string) {
	tb.Helper()
	if err := Available(); err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	f := New()
	if err := f.Mount(dir); err != nil {
		tb.Fatal(err)
	}
	// Cleanups run last-in first-out: this one before TempDir's removal.
	tb.Cleanup(func() {
		if err := f.Unmount(); err != nil {
			tb.Errorf("powercut: %v", err)
		}
	})
	return f, dir
}

// Package powercut is a file system for tests that forgets, at a simulated
// power cut, everything that was not made durable: in the spirit of
// Jepsen's LazyFS, it lets a test prove that a program calls fsync where it
// must, which a SIGKILL cannot (the kernel's page cache outlives a killed
// process, not a power cut).
//
// An FS holds its files in memory and serves them over FUSE at a mount
// point; the program under test uses it like any directory, from any
// process. Each file keeps two contents: the one its readers see and the
// one as of its last fsync or fdatasync. Each directory keeps two sets of
// entries the same way, made durable only by an fsync of the directory
// itself. Cut unmounts the file system, drops every change not made
// durable, and mounts it again: files written but not synced go back to
// their synced content, files created or renamed into a directory not
// synced since vanish or go back to their old names, unlinked files come
// back. That is the POSIX contract, stricter than ext4 with its default
// data=ordered, which happens to keep some of this; a program that
// survives Cut survives any file system that keeps the contract.
//
// What it does not model: hard and symbolic links, extended attributes,
// O_TMPFILE (all refused), torn writes within a page, and timestamps
// (reported, never made durable). Modes are durable as soon as they are
// set. Writes go to the FUSE server as they are made (no writeback
// cache), so nothing lives only in the kernel of the test machine.
//
// The process that serves the file system may read and write its files,
// but must not mmap them (bbolt does): a page fault on the mapping stalls
// a thread where the Go runtime cannot preempt it, and the next
// stop-the-world then waits for the server it has stopped. Open such files
// in another process, or from a copy.
package powercut

import (
	"slices"
	"sort"
	"sync"
	"syscall"
	"time"
)

const pageSize = 4096

// node is a file or directory as the model holds it. Its fields are
// guarded by the FS's mutex.
type node struct {
	ino   uint64
	mode  uint32 // type and permission bits
	mtime time.Time

	// A file's content in pages; a nil page reads as zeros. durable is
	// the content as of the last fsync. A page listed in dirty was copied
	// since, so it may be written in place; any other page may be shared
	// with durable and is copied before it is written.
	pages      [][]byte
	size       int64
	durPages   [][]byte
	durSize    int64
	dirty      map[int]bool
	everSynced bool

	// A directory's entries, and the ones as of its last fsync.
	entries    map[string]*node
	durEntries map[string]*node
}

func (n *node) isDir() bool { return n.mode&syscall.S_IFMT == syscall.S_IFDIR }

// Stats count what the file system was asked to do and what its cuts
// dropped.
type Stats struct {
	FileSyncs    int // fsync or fdatasync of a file
	DirSyncs     int // fsync of a directory
	Cuts         int
	DroppedBytes int64 // bytes of file content not synced at a cut (size changes included)
	DroppedFiles int   // files or directories a cut made vanish or revert to another name
}

// model is the file system's content, shared by its successive mounts.
type model struct {
	mu      sync.Mutex
	root    *node
	nextIno uint64
	stats   Stats
}

func newModel() *model {
	root := &node{ino: 1, mode: syscall.S_IFDIR | 0o755, mtime: time.Now(),
		entries: map[string]*node{}, durEntries: map[string]*node{}}
	return &model{root: root, nextIno: 2}
}

func (m *model) newNode(mode uint32) *node {
	n := &node{ino: m.nextIno, mode: mode, mtime: time.Now()}
	m.nextIno++
	if n.isDir() {
		n.entries, n.durEntries = map[string]*node{}, map[string]*node{}
	} else {
		n.dirty = map[int]bool{}
	}
	return n
}

// writeAt writes b at off, growing the file as needed.
func (n *node) writeAt(b []byte, off int64) {
	end := off + int64(len(b))
	if end > n.size {
		n.resize(end)
	}
	for len(b) > 0 {
		i := int(off / pageSize)
		p := n.writablePage(i)
		c := copy(p[off%pageSize:], b)
		b, off = b[c:], off+int64(c)
	}
	n.mtime = time.Now()
}

// writablePage returns page i, copied first if it may be shared with
// the durable content.
func (n *node) writablePage(i int) []byte {
	p := n.pages[i]
	if !n.dirty[i] {
		q := make([]byte, pageSize)
		copy(q, p)
		p, n.pages[i] = q, q
		n.dirty[i] = true
	}
	return p
}

// readAt reads into b from off and returns how many bytes it read.
func (n *node) readAt(b []byte, off int64) int {
	if off >= n.size {
		return 0
	}
	b = b[:min(int64(len(b)), n.size-off)]
	done := 0
	for done < len(b) {
		i := int(off / pageSize)
		var c int
		if p := n.pages[i]; p != nil {
			c = copy(b[done:], p[off%pageSize:])
		} else {
			c = copy(b[done:], make([]byte, pageSize-off%pageSize))
		}
		done, off = done+c, off+int64(c)
	}
	return done
}

// resize sets the size; bytes past the old end read as zeros, also after
// a shrink and a regrowth.
func (n *node) resize(size int64) {
	if size < n.size && size%pageSize != 0 {
		i := int(size / pageSize)
		if n.pages[i] != nil {
			p := n.writablePage(i)
			clear(p[size%pageSize:])
		}
	}
	np := int((size + pageSize - 1) / pageSize)
	if np <= len(n.pages) {
		clear(n.pages[np:])
		n.pages = n.pages[:np]
		for i := range n.dirty {
			if i >= np {
				delete(n.dirty, i)
			}
		}
	} else {
		n.pages = append(n.pages, make([][]byte, np-len(n.pages))...)
	}
	n.size = size
	n.mtime = time.Now()
}

// syncFile makes the file's content durable: what fsync and fdatasync
// both promise for the data and the size.
func (m *model) syncFile(n *node) {
	n.durPages = slices.Clone(n.pages)
	n.durSize = n.size
	clear(n.dirty)
	n.everSynced = true
	m.stats.FileSyncs++
}

// syncDir makes a directory's entries durable, not its children's.
func (m *model) syncDir(n *node) {
	n.durEntries = maps(n.entries)
	m.stats.DirSyncs++
}

func maps(e map[string]*node) map[string]*node {
	c := make(map[string]*node, len(e))
	for k, v := range e {
		c[k] = v
	}
	return c
}

// cut drops everything not durable, as a power cut does.
func (m *model) cut() {
	m.stats.Cuts++
	seen := map[*node]bool{}
	var walk func(d *node)
	walk = func(d *node) {
		for name, c := range d.entries {
			if d.durEntries[name] != c {
				m.stats.DroppedFiles++
			}
		}
		d.entries = maps(d.durEntries)
		for _, c := range sortedEntries(d.entries) {
			if seen[c.n] {
				continue
			}
			seen[c.n] = true
			if c.n.isDir() {
				walk(c.n)
				continue
			}
			m.stats.DroppedBytes += c.n.volatileBytes()
			c.n.pages = slices.Clone(c.n.durPages)
			c.n.size = c.n.durSize
			clear(c.n.dirty)
		}
	}
	walk(m.root)
}

// volatileBytes is how much of the file's content a cut would change.
func (n *node) volatileBytes() int64 {
	d := int64(len(n.dirty)) * pageSize
	if n.size != n.durSize {
		d += max(n.size-n.durSize, n.durSize-n.size)
	}
	return d
}

type entry struct {
	name string
	n    *node
}

// sortedEntries lists entries by name, so that listings and cuts are
// deterministic.
func sortedEntries(e map[string]*node) []entry {
	out := make([]entry, 0, len(e))
	for k, v := range e {
		out = append(out, entry{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

package powercut

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// fnode is a model node as one mount serves it; a new mount makes new
// fnodes over the same model.
type fnode struct {
	fs.Inode
	m *model
	n *node
}

var (
	_ fs.NodeLookuper   = (*fnode)(nil)
	_ fs.NodeGetattrer  = (*fnode)(nil)
	_ fs.NodeSetattrer  = (*fnode)(nil)
	_ fs.NodeCreater    = (*fnode)(nil)
	_ fs.NodeMkdirer    = (*fnode)(nil)
	_ fs.NodeUnlinker   = (*fnode)(nil)
	_ fs.NodeRmdirer    = (*fnode)(nil)
	_ fs.NodeRenamer    = (*fnode)(nil)
	_ fs.NodeReaddirer  = (*fnode)(nil)
	_ fs.NodeOpener     = (*fnode)(nil)
	_ fs.NodeReader     = (*fnode)(nil)
	_ fs.NodeWriter     = (*fnode)(nil)
	_ fs.NodeFsyncer    = (*fnode)(nil)
	_ fs.NodeFlusher    = (*fnode)(nil)
	_ fs.NodeStatfser   = (*fnode)(nil)
	_ fs.NodeAllocater  = (*fnode)(nil)
	_ fs.NodeTmpfiler   = (*fnode)(nil)
	_ fs.NodeLinker     = (*fnode)(nil)
	_ fs.NodeSymlinker  = (*fnode)(nil)
	_ fs.NodeMknoder    = (*fnode)(nil)
	_ fs.NodeSetxattrer = (*fnode)(nil)
)

// capacity is the size the file system reports to statfs; programs that
// keep a reserve of free space (the outbox does) must find room.
const capacity = 4 << 30

func (f *fnode) attr(out *fuse.Attr) {
	n := f.n
	out.Ino = n.ino
	out.Mode = n.mode
	out.Nlink = 1
	if n.isDir() {
		out.Nlink = 2
	}
	out.Size = uint64(n.size)
	out.Blocks = (out.Size + 511) / 512
	out.Blksize = pageSize
	out.SetTimes(&n.mtime, &n.mtime, &n.mtime)
}

func (f *fnode) child(ctx context.Context, c *node, out *fuse.EntryOut) *fs.Inode {
	cf := &fnode{m: f.m, n: c}
	cf.attr(&out.Attr)
	return f.NewInode(ctx, cf, fs.StableAttr{Mode: c.mode & syscall.S_IFMT, Ino: c.ino})
}

func (f *fnode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	c, ok := f.n.entries[name]
	if !ok {
		return nil, syscall.ENOENT
	}
	return f.child(ctx, c, out), 0
}

func (f *fnode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	f.attr(&out.Attr)
	return 0
}

func (f *fnode) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if sz, ok := in.GetSize(); ok {
		if f.n.isDir() {
			return syscall.EISDIR
		}
		f.n.resize(int64(sz))
	}
	if mode, ok := in.GetMode(); ok {
		f.n.mode = f.n.mode&syscall.S_IFMT | mode&0o7777
	}
	f.attr(&out.Attr)
	return 0
}

func (f *fnode) add(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if !f.n.isDir() {
		return nil, syscall.ENOTDIR
	}
	if _, ok := f.n.entries[name]; ok {
		return nil, syscall.EEXIST
	}
	c := f.m.newNode(mode)
	f.n.entries[name] = c
	f.n.mtime = c.mtime
	return f.child(ctx, c, out), 0
}

func (f *fnode) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	in, errno := f.add(ctx, name, syscall.S_IFREG|mode&0o7777, out)
	return in, nil, 0, errno
}

func (f *fnode) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	return f.add(ctx, name, syscall.S_IFDIR|mode&0o7777, out)
}

func (f *fnode) Unlink(ctx context.Context, name string) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	c, ok := f.n.entries[name]
	switch {
	case !ok:
		return syscall.ENOENT
	case c.isDir():
		return syscall.EISDIR
	}
	delete(f.n.entries, name)
	return 0
}

func (f *fnode) Rmdir(ctx context.Context, name string) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	c, ok := f.n.entries[name]
	switch {
	case !ok:
		return syscall.ENOENT
	case !c.isDir():
		return syscall.ENOTDIR
	case len(c.entries) > 0:
		return syscall.ENOTEMPTY
	}
	delete(f.n.entries, name)
	return 0
}

// renameNoReplace is RENAME_NOREPLACE of renameat2; RENAME_EXCHANGE and
// RENAME_WHITEOUT are refused.
const renameNoReplace = 1

func (f *fnode) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if flags&^renameNoReplace != 0 {
		return syscall.EINVAL
	}
	np, ok := newParent.(*fnode)
	if !ok {
		return syscall.EXDEV
	}
	c, ok := f.n.entries[name]
	if !ok {
		return syscall.ENOENT
	}
	if old, ok := np.n.entries[newName]; ok {
		switch {
		case old == c:
			return 0
		case flags&renameNoReplace != 0:
			return syscall.EEXIST
		case old.isDir() && !c.isDir():
			return syscall.EISDIR
		case !old.isDir() && c.isDir():
			return syscall.ENOTDIR
		case old.isDir() && len(old.entries) > 0:
			return syscall.ENOTEMPTY
		}
	}
	delete(f.n.entries, name)
	np.n.entries[newName] = c
	return 0
}

func (f *fnode) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	var list []fuse.DirEntry
	for _, e := range sortedEntries(f.n.entries) {
		list = append(list, fuse.DirEntry{Name: e.name, Mode: e.n.mode & syscall.S_IFMT, Ino: e.n.ino})
	}
	return fs.NewListDirStream(list), 0
}

// Open truncates for O_TRUNC: with the atomic O_TRUNC capability the
// kernel leaves it to the file system.
func (f *fnode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if flags&syscall.O_TRUNC != 0 && flags&syscall.O_ACCMODE != syscall.O_RDONLY {
		f.n.resize(0)
	}
	return nil, 0, 0
}

func (f *fnode) Read(ctx context.Context, fh fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	n := f.n.readAt(dest, off)
	return fuse.ReadResultData(dest[:n]), 0
}

func (f *fnode) Write(ctx context.Context, fh fs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	f.n.writeAt(data, off)
	return uint32(len(data)), 0
}

// Fsync is fsync and fdatasync of a file, and fsync of a directory (the
// bridge sends FSYNCDIR here too). fdatasync promises the size along with
// the data, which is all the model keeps, so the two are one here.
func (f *fnode) Fsync(ctx context.Context, fh fs.FileHandle, flags uint32) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.n.isDir() {
		f.m.syncDir(f.n)
	} else {
		f.m.syncFile(f.n)
	}
	return 0
}

// Flush is close(2): it makes nothing durable.
func (f *fnode) Flush(ctx context.Context, fh fs.FileHandle) syscall.Errno { return 0 }

func (f *fnode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	var used uint64
	var files uint64
	var walk func(d *node)
	walk = func(d *node) {
		for _, c := range d.entries {
			files++
			if c.isDir() {
				walk(c)
			} else {
				used += uint64(c.size)
			}
		}
	}
	walk(f.m.root)
	out.Bsize = pageSize
	out.Frsize = pageSize
	out.NameLen = 255
	out.Blocks = capacity / pageSize
	out.Bfree = (capacity - min(used, capacity)) / pageSize
	out.Bavail = out.Bfree
	out.Files = 1 << 20
	out.Ffree = out.Files - files
	return 0
}

// Allocate (fallocate) grows the file like a write of zeros would; the
// modes that punch holes or collapse ranges are refused.
func (f *fnode) Allocate(ctx context.Context, fh fs.FileHandle, off uint64, size uint64, mode uint32) syscall.Errno {
	if mode != 0 {
		return syscall.EOPNOTSUPP
	}
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if end := int64(off + size); end > f.n.size {
		f.n.resize(end)
	}
	return 0
}

// What the model leaves out is refused outright, never half done.

func (f *fnode) Tmpfile(ctx context.Context, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, syscall.EOPNOTSUPP
}

func (f *fnode) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, syscall.EPERM
}

func (f *fnode) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, syscall.EPERM
}

func (f *fnode) Mknod(ctx context.Context, name string, mode uint32, dev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, syscall.EPERM
}

func (f *fnode) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	return syscall.EOPNOTSUPP
}

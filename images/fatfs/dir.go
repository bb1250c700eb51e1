package fatfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf16"
)

const (
	entrySize = 32
	attrDir   = 0x10
	attrLFN   = 0x0F
	attrLabel = 0x08
	maxDir    = 65536 * entrySize // the FAT limit on entries in a directory
)

// dir is one directory's entries, read whole, with where each cluster of
// it lies so that a slot can be written back in place.
type dir struct {
	first  uint32  // first cluster; 0 for FAT16's root region
	root   bool    // the root directory, which ".." entries name as 0
	segs   []int64 // offset of each cluster (one segment for FAT16's root)
	segLen int64
	data   []byte
}

// entry is one file or directory found in a dir.
type entry struct {
	name    string // the long name, or the short one formatted as NAME.EXT
	short   [11]byte
	attr    byte
	cluster uint32
	size    uint32
	slot    int // first slot, counting its long-name slots
	nslots  int
}

func (e entry) isDir() bool { return e.attr&attrDir != 0 }

func (fs *FS) rootDir() (*dir, error) {
	if fs.Type == 32 {
		d, err := fs.openDir(fs.rootCluster)
		if d != nil {
			d.root = true
		}
		return d, err
	}
	d := &dir{root: true, segs: []int64{fs.rootOff}, segLen: fs.rootLen, data: make([]byte, fs.rootLen)}
	if _, err := fs.dev.ReadAt(d.data, fs.rootOff); err != nil {
		return nil, fmt.Errorf("fatfs: read root directory: %w", err)
	}
	return d, nil
}

func (fs *FS) openDir(first uint32) (*dir, error) {
	cl, err := fs.chain(first)
	if err != nil {
		return nil, err
	}
	if int64(len(cl))*fs.ClusterSize > maxDir {
		return nil, fmt.Errorf("fatfs: directory at cluster %d is larger than FAT allows", first)
	}
	d := &dir{first: first, segLen: fs.ClusterSize, data: make([]byte, int64(len(cl))*fs.ClusterSize)}
	for i, c := range cl {
		off := fs.clusterOff(c)
		d.segs = append(d.segs, off)
		if _, err := fs.dev.ReadAt(d.data[int64(i)*fs.ClusterSize:][:fs.ClusterSize], off); err != nil {
			return nil, fmt.Errorf("fatfs: read directory cluster %d: %w", c, err)
		}
	}
	return d, nil
}

func (d *dir) slots() int { return len(d.data) / entrySize }

// slotOff is where slot i lies in the file system.
func (d *dir) slotOff(i int) int64 {
	b := int64(i) * entrySize
	return d.segs[b/d.segLen] + b%d.segLen
}

// entries lists the directory's files and directories, with long names
// where a valid long-name run precedes the short entry.
func (d *dir) entries() []entry {
	var out []entry
	var lfn []uint16
	lfnStart, lfnSum, lfnOK := 0, byte(0), false
	for i := 0; i < d.slots(); i++ {
		s := d.data[i*entrySize:][:entrySize]
		switch {
		case s[0] == 0x00:
			return out
		case s[0] == 0xE5:
			lfnOK = false
			continue
		case s[11]&0x3F == attrLFN:
			if s[0]&0x40 != 0 {
				lfn, lfnStart, lfnSum, lfnOK = nil, i, s[13], true
			}
			if lfnOK && s[13] == lfnSum {
				lfn = append(lfnChars(s), lfn...)
			} else {
				lfnOK = false
			}
			continue
		case s[11]&attrLabel != 0:
			lfnOK = false
			continue
		}
		e := entry{attr: s[11], size: binary.LittleEndian.Uint32(s[28:]), slot: i, nslots: 1}
		copy(e.short[:], s[:11])
		e.cluster = uint32(binary.LittleEndian.Uint16(s[20:]))<<16 | uint32(binary.LittleEndian.Uint16(s[26:]))
		e.name = shortString(e.short)
		if lfnOK && lfnSum == checksum(e.short) {
			e.name, e.slot, e.nslots = decodeLFN(lfn), lfnStart, i-lfnStart+1
		}
		lfnOK = false
		out = append(out, e)
	}
	return out
}

func lfnChars(s []byte) []uint16 {
	var u []uint16
	for _, r := range [][2]int{{1, 11}, {14, 26}, {28, 32}} {
		for o := r[0]; o < r[1]; o += 2 {
			u = append(u, binary.LittleEndian.Uint16(s[o:]))
		}
	}
	return u
}

func decodeLFN(u []uint16) string {
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	return string(utf16.Decode(u))
}

func shortString(s [11]byte) string {
	base, ext := strings.TrimRight(string(s[:8]), " "), strings.TrimRight(string(s[8:]), " ")
	if base != "" && base[0] == 0x05 {
		base = "\xE5" + base[1:]
	}
	if ext == "" {
		return base
	}
	return base + "." + ext
}

// checksum is the short name's checksum that long-name slots carry.
func checksum(s [11]byte) byte {
	var sum byte
	for _, c := range s {
		sum = (sum>>1 | sum<<7) + c
	}
	return sum
}

func (d *dir) find(name string) (entry, bool) {
	for _, e := range d.entries() {
		if strings.EqualFold(e.name, name) || strings.EqualFold(shortString(e.short), name) {
			return e, true
		}
	}
	return entry{}, false
}

// found is one step of a walk: the entry and the directory holding it.
type found struct {
	in *dir
	e  entry
}

// walk follows path ("a/b/c", slash-separated, from the root) as far as
// it exists: it returns the steps found and the directory where the walk
// stopped.
func (fs *FS) walk(path string) ([]found, *dir, error) {
	d, err := fs.rootDir()
	if err != nil {
		return nil, nil, err
	}
	var steps []found
	parts := splitPath(path)
	for i, p := range parts {
		e, ok := d.find(p)
		if !ok {
			return steps, d, nil
		}
		steps = append(steps, found{d, e})
		if i == len(parts)-1 {
			break
		}
		if !e.isDir() {
			return nil, nil, fmt.Errorf("fatfs: %s is a file, not a directory", strings.Join(parts[:i+1], "/"))
		}
		if d, err = fs.openDir(e.cluster); err != nil {
			return nil, nil, err
		}
	}
	return steps, d, nil
}

func splitPath(path string) []string {
	var out []string
	for _, p := range strings.Split(path, "/") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ReadFile returns the contents of the file at path.
func (fs *FS) ReadFile(path string) ([]byte, error) {
	steps, _, err := fs.walk(path)
	if err != nil {
		return nil, err
	}
	if len(steps) != len(splitPath(path)) || len(steps) == 0 {
		return nil, fmt.Errorf("fatfs: %s: %w", path, os.ErrNotExist)
	}
	e := steps[len(steps)-1].e
	if e.isDir() {
		return nil, fmt.Errorf("fatfs: %s is a directory", path)
	}
	if e.size == 0 {
		return []byte{}, nil
	}
	cl, err := fs.chain(e.cluster)
	if err != nil {
		return nil, err
	}
	if int64(len(cl))*fs.ClusterSize < int64(e.size) {
		return nil, fmt.Errorf("fatfs: %s: %d clusters cannot hold %d bytes", path, len(cl), e.size)
	}
	out := make([]byte, e.size)
	for i, c := range cl {
		p := out[min(int64(i)*fs.ClusterSize, int64(len(out))):]
		p = p[:min(int64(len(p)), fs.ClusterSize)]
		if _, err := fs.dev.ReadAt(p, fs.clusterOff(c)); err != nil {
			return nil, fmt.Errorf("fatfs: read %s: %w", path, err)
		}
	}
	return out, nil
}

// ErrExist is returned by WriteFile for a path that is already there.
var ErrExist = errors.New("fatfs: file already exists")

package fatfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// WriteFile creates the file at path holding data, and any directories on
// the way that are missing. It refuses a path that exists. Data clusters
// are written first, then the FATs, then the directory entries, so that
// an interruption leaves at worst lost clusters, never a file with
// another file's data.
func (fs *FS) WriteFile(path string, data []byte, mtime time.Time) error {
	w, ok := fs.dev.(io.WriterAt)
	if !ok {
		return errors.New("fatfs: file system opened read-only")
	}
	parts := splitPath(path)
	if len(parts) == 0 {
		return errors.New("fatfs: empty path")
	}
	for _, p := range parts {
		if err := checkName(p); err != nil {
			return err
		}
	}
	steps, d, err := fs.walk(path)
	if err != nil {
		return err
	}
	if len(steps) == len(parts) {
		return fmt.Errorf("%w: %s", ErrExist, path)
	}
	for _, p := range parts[len(steps) : len(parts)-1] {
		if d, err = fs.create(w, d, p, attrDir, nil, mtime); err != nil {
			return fmt.Errorf("fatfs: create directory %s: %w", p, err)
		}
	}
	if _, err := fs.create(w, d, parts[len(parts)-1], 0x20, data, mtime); err != nil {
		return fmt.Errorf("fatfs: create %s: %w", path, err)
	}
	return nil
}

// checkName refuses names that FAT's long names cannot hold.
func checkName(name string) error {
	if name == "." || name == ".." || len(utf16.Encode([]rune(name))) > 255 || strings.ContainsAny(name, "\"*/:<>?\\|") {
		return fmt.Errorf("fatfs: %q is not a valid FAT file name", name)
	}
	for _, r := range name {
		if r < 0x20 {
			return fmt.Errorf("fatfs: %q is not a valid FAT file name", name)
		}
	}
	return nil
}

// create makes a file (or, with attrDir, a directory) called name in d and
// returns the new directory when it made one.
func (fs *FS) create(w io.WriterAt, d *dir, name string, attr byte, data []byte, mtime time.Time) (*dir, error) {
	if attr&attrDir != 0 {
		data = make([]byte, fs.ClusterSize) // "." and ".." are filled in below
	}
	short, err := shortName(name, d)
	if err != nil {
		return nil, err
	}
	nslots := 1 + (len(utf16.Encode([]rune(name)))+12)/13
	slot, ok := freeRun(d, nslots)
	if !ok {
		return nil, errors.New("directory is full (no run of unused slots)")
	}
	clusters, err := fs.allocate(int((int64(len(data)) + fs.ClusterSize - 1) / fs.ClusterSize))
	if err != nil {
		return nil, err
	}
	var first uint32
	if len(clusters) > 0 {
		first = clusters[0]
	}
	if attr&attrDir != 0 {
		parent := d.first
		if d.root {
			parent = 0
		}
		copy(data, sfnEntry(dotName("."), attrDir, first, 0, mtime))
		copy(data[entrySize:], sfnEntry(dotName(".."), attrDir, parent, 0, mtime))
	}
	var patches []Patch
	for i, c := range clusters {
		chunk := data[int64(i)*fs.ClusterSize:]
		patches = append(patches, Patch{fs.clusterOff(c), chunk[:min(int64(len(chunk)), fs.ClusterSize)]})
	}
	patches = append(patches, fs.link(clusters)...)
	if free, ok, err := fs.freeCount(); err != nil {
		return nil, err
	} else if ok {
		patches = append(patches, fs.freeCountPatch(free-uint32(len(clusters))))
	}
	size := uint32(len(data))
	if attr&attrDir != 0 {
		size = 0
	}
	ents := append(lfnEntries(name, short), sfnEntry(short, attr, first, size, mtime)...)
	for i := 0; i < nslots; i++ {
		patches = append(patches, Patch{d.slotOff(slot + i), ents[i*entrySize:][:entrySize]})
	}
	copy(d.data[slot*entrySize:], ents)
	if err := apply(w, patches); err != nil {
		return nil, err
	}
	if attr&attrDir == 0 {
		return nil, nil
	}
	return fs.openDir(first)
}

func apply(w io.WriterAt, patches []Patch) error {
	for _, p := range patches {
		if _, err := w.WriteAt(p.Data, p.Off); err != nil {
			return fmt.Errorf("write at %d: %w", p.Off, err)
		}
	}
	return nil
}

// freeRun finds n consecutive slots that were never used (all zero).
func freeRun(d *dir, n int) (int, bool) {
	zero := make([]byte, entrySize)
	run := 0
	for i := 0; i < d.slots(); i++ {
		if !bytes.Equal(d.data[i*entrySize:][:entrySize], zero) {
			run = 0
			continue
		}
		if run++; run == n {
			return i - n + 1, true
		}
	}
	return 0, false
}

// allocate finds n clusters that are free in the FAT and all zero on disk,
// in ascending order, and marks them taken in memory; link writes them.
func (fs *FS) allocate(n int) ([]uint32, error) {
	var out []uint32
	buf := make([]byte, fs.ClusterSize)
	zero := make([]byte, fs.ClusterSize)
	for c := uint32(2); len(out) < n && fs.valid(c); c++ {
		if fs.fat[c] != 0 {
			continue
		}
		if _, err := fs.dev.ReadAt(buf, fs.clusterOff(c)); err != nil {
			return nil, fmt.Errorf("read cluster %d: %w", c, err)
		}
		if bytes.Equal(buf, zero) {
			out = append(out, c)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("no room: %d free zeroed clusters of %d bytes needed", n, fs.ClusterSize)
	}
	return out, nil
}

// link chains clusters in memory and returns the FAT writes for it.
func (fs *FS) link(clusters []uint32) []Patch {
	eoc := uint32(0xFFFF)
	if fs.Type == 32 {
		eoc = 0x0FFFFFFF
	}
	var out []Patch
	for i, c := range clusters {
		v := eoc
		if i+1 < len(clusters) {
			v = clusters[i+1]
		}
		fs.fat[c] = v
		out = append(out, fs.fatEntryPatches(c, v)...)
	}
	return out
}

func dotName(s string) [11]byte {
	var n [11]byte
	copy(n[:], s+strings.Repeat(" ", 11-len(s)))
	return n
}

// shortName makes the 8.3 alias of a long name, BASE~N.EXT, unique in d.
func shortName(name string, d *dir) ([11]byte, error) {
	clean := func(s string, n int) string {
		var b strings.Builder
		for _, r := range strings.ToUpper(s) {
			switch {
			case r == ' ' || r == '.':
			case r > 0x7E || strings.ContainsRune("+,;=[]", r):
				b.WriteByte('_')
			default:
				b.WriteRune(r)
			}
		}
		s = b.String()
		return s[:min(len(s), n)]
	}
	base, ext := strings.TrimLeft(name, "."), ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base, ext = base[:i], base[i+1:]
	}
	base, ext = clean(base, 8), clean(ext, 3)
	taken := map[[11]byte]bool{}
	for _, e := range d.entries() {
		taken[e.short] = true
	}
	for n := 1; n < 1000000; n++ {
		tail := "~" + strconv.Itoa(n)
		var s [11]byte
		copy(s[:], fmt.Sprintf("%-8s%-3s", base[:min(len(base), 8-len(tail))]+tail, ext))
		if !taken[s] {
			return s, nil
		}
	}
	return [11]byte{}, errors.New("no free short name")
}

// lfnEntries are the long-name slots for name, last part first as FAT
// stores them.
func lfnEntries(name string, short [11]byte) []byte {
	u := utf16.Encode([]rune(name))
	n := (len(u) + 12) / 13
	padded := make([]uint16, n*13)
	for i := range padded {
		switch {
		case i < len(u):
			padded[i] = u[i]
		case i > len(u):
			padded[i] = 0xFFFF
		}
	}
	sum := checksum(short)
	out := make([]byte, 0, n*entrySize)
	for seq := n; seq >= 1; seq-- {
		s := make([]byte, entrySize)
		s[0] = byte(seq)
		if seq == n {
			s[0] |= 0x40
		}
		s[11], s[13] = attrLFN, sum
		chars := padded[(seq-1)*13:][:13]
		k := 0
		for _, r := range [][2]int{{1, 11}, {14, 26}, {28, 32}} {
			for o := r[0]; o < r[1]; o += 2 {
				binary.LittleEndian.PutUint16(s[o:], chars[k])
				k++
			}
		}
		out = append(out, s...)
	}
	return out
}

func sfnEntry(short [11]byte, attr byte, cluster, size uint32, t time.Time) []byte {
	s := make([]byte, entrySize)
	copy(s, short[:])
	s[11] = attr
	date, clock := dosTime(t)
	binary.LittleEndian.PutUint16(s[14:], clock)
	binary.LittleEndian.PutUint16(s[16:], date)
	binary.LittleEndian.PutUint16(s[18:], date)
	binary.LittleEndian.PutUint16(s[20:], uint16(cluster>>16))
	binary.LittleEndian.PutUint16(s[22:], clock)
	binary.LittleEndian.PutUint16(s[24:], date)
	binary.LittleEndian.PutUint16(s[26:], uint16(cluster))
	binary.LittleEndian.PutUint32(s[28:], size)
	return s
}

func dosTime(t time.Time) (date, clock uint16) {
	if t.Year() < 1980 || t.Year() > 2107 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	clock = uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	return date, clock
}

// ErrNoRoom is wrapped by Fits for a file the file system has no room for.
var ErrNoRoom = errors.New("fatfs: no room")

// Fits reports whether WriteFile could put size bytes at path: the
// clusters of the file and of each directory it would create, against the
// clusters the FAT marks free. It reads nothing but what Open read, so a
// caller can ask before it writes anything.
func (fs *FS) Fits(path string, size int64) error {
	parts := splitPath(path)
	steps, _, err := fs.walk(path)
	if err != nil {
		return err
	}
	if len(steps) == len(parts) {
		return fmt.Errorf("%w: %s", ErrExist, path)
	}
	need := (size+fs.ClusterSize-1)/fs.ClusterSize + int64(len(parts)-len(steps)-1)
	var free int64
	for c := uint32(2); fs.valid(c); c++ {
		if fs.fat[c] == 0 {
			free++
		}
	}
	if need > free {
		return fmt.Errorf("%w for %s: %d bytes need %d clusters of %d bytes, %d are free (%d bytes)",
			ErrNoRoom, path, size, need, fs.ClusterSize, free, free*fs.ClusterSize)
	}
	return nil
}

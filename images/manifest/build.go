package manifest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/gridkiosk/gridkiosk/internal/sparse"
)

// Meta is what Build cannot learn from the image itself.
type Meta struct {
	Version string
	Arch    string
	// BlockSize is the block map's granularity; 0 means DefaultBlockSize.
	BlockSize int64
}

// extent is a run [start, end) of an image file that may hold data.
type extent struct{ start, end int64 }

// BuildFile builds the manifest of the image file at path. A sparse file's
// holes are skipped without being read.
func BuildFile(path string, meta Meta) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: build: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("manifest: build: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("manifest: build: %s is not a regular file", path)
	}
	m, err := Build(f, st.Size(), meta)
	if err != nil {
		return nil, fmt.Errorf("%w (image %s)", err, path)
	}
	return m, nil
}

// Build builds the unsigned manifest of the size bytes of image. When
// image is an *os.File, the holes that the file system reports are taken
// as zeros without being read.
func Build(image io.ReaderAt, size int64, meta Meta) (*Manifest, error) {
	bs := meta.BlockSize
	if bs == 0 {
		bs = DefaultBlockSize
	}
	m := &Manifest{Format: Format, Version: meta.Version, Arch: meta.Arch, ImageSize: size, BlockSize: bs, Ranges: []Range{}}
	if err := m.Check(); err != nil {
		return nil, err
	}
	exts := []extent{{0, size}}
	if f, ok := image.(*os.File); ok {
		exts = nil
		if err := sparse.Data(f, size, func(start, end int64) { exts = append(exts, extent{start, end}) }); err != nil {
			return nil, fmt.Errorf("manifest: build: find data: %w", err)
		}
	}
	b := &builder{m: m, whole: sha256.New(), zero: make([]byte, bs), chunk: make([]byte, max(1<<20, bs))}
	var pos int64
	for _, e := range alignExtents(exts, bs, size) {
		b.zeros(e.start - pos)
		if err := b.scan(image, e); err != nil {
			return nil, err
		}
		pos = e.end
	}
	b.zeros(size - pos)
	b.whole.Sum(m.ImageSHA256[:0])
	return m, nil
}

// alignExtents widens extents to whole blocks and merges those that then
// touch.
func alignExtents(exts []extent, bs, size int64) []extent {
	var out []extent
	for _, e := range exts {
		e.start -= e.start % bs
		if r := e.end % bs; r != 0 {
			e.end = min(e.end+bs-r, size)
		}
		if n := len(out); n > 0 && e.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, e.end)
			continue
		}
		out = append(out, e)
	}
	return out
}

// builder accumulates the map and hashes as the image is scanned in order.
type builder struct {
	m     *Manifest
	whole hash.Hash
	zero  []byte
	chunk []byte
	open  hash.Hash // hash of the range being extended, nil when none
	pos   int64
}

func (b *builder) scan(image io.ReaderAt, e extent) error {
	for off := e.start; off < e.end; {
		n := min(int64(len(b.chunk)), e.end-off)
		p := b.chunk[:n]
		if _, err := image.ReadAt(p, off); err != nil && !(err == io.EOF && off+n == b.m.ImageSize) {
			return fmt.Errorf("manifest: build: read at %d: %w", off, err)
		}
		b.whole.Write(p)
		for len(p) > 0 {
			k := min(int64(len(p)), b.m.BlockSize)
			b.block(p[:k])
			p = p[k:]
		}
		off += n
	}
	return nil
}

// block takes the next block of the image.
func (b *builder) block(p []byte) {
	if bytes.Equal(p, b.zero[:len(p)]) {
		b.close()
	} else {
		if b.open == nil {
			b.open = sha256.New()
			b.m.Ranges = append(b.m.Ranges, Range{Offset: b.pos})
		}
		b.open.Write(p)
		b.m.Ranges[len(b.m.Ranges)-1].Length += int64(len(p))
	}
	b.pos += int64(len(p))
}

// zeros takes n zero bytes that were not read.
func (b *builder) zeros(n int64) {
	b.close()
	b.pos += n
	for n > 0 {
		k := min(n, int64(len(b.zero)))
		b.whole.Write(b.zero[:k])
		n -= k
	}
}

func (b *builder) close() {
	if b.open != nil {
		b.open.Sum(b.m.Ranges[len(b.m.Ranges)-1].SHA256[:0])
		b.open = nil
	}
}

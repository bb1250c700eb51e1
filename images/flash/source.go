package flash

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Image is an image file opened for streaming, decompressed on the fly.
type Image struct {
	io.Reader
	// Format is "raw", "xz", "zstd" or "gzip", as found from the file's
	// first bytes rather than its name.
	Format string
	close  []func() error
	// file is the raw image, which Write reads by position to skip its
	// holes; nil when compressed.
	file *os.File
}

// Close closes the decompressor and the file.
func (im *Image) Close() error {
	var first error
	for _, c := range im.close {
		if err := c(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

var magics = []struct {
	format, ext string
	magic       []byte
}{
	{"xz", ".xz", []byte{0xFD, '7', 'z', 'X', 'Z', 0x00}},
	{"zstd", ".zst", []byte{0x28, 0xB5, 0x2F, 0xFD}},
	{"gzip", ".gz", []byte{0x1F, 0x8B}},
}

// OpenImage opens an image, raw or compressed with xz, zstd or gzip. The
// compression is recognised by the file's magic bytes (a raw image starts
// with boot code, never with them); a name that promises a compression
// the data lacks (image.img.xz holding zstd) is refused as a sign of a
// mix-up.
func OpenImage(path string) (*Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("flash: open image: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(8)
	im := &Image{Format: "raw", Reader: br, close: []func() error{f.Close}}
	for _, m := range magics {
		named := strings.HasSuffix(path, m.ext)
		found := bytes.HasPrefix(head, m.magic)
		if named && !found {
			f.Close()
			return nil, fmt.Errorf("flash: %s: the name ends in %s but the data is not %s", path, m.ext, m.format)
		}
		if found {
			im.Format = m.format
		}
	}
	if err := im.decompress(br); err != nil {
		f.Close()
		return nil, fmt.Errorf("flash: %s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && im.Format == "raw" {
		im.file = f
	}
	return im, nil
}

func (im *Image) decompress(br *bufio.Reader) error {
	switch im.Format {
	case "xz":
		r, err := xz.NewReader(br)
		if err != nil {
			return fmt.Errorf("xz: %w", err)
		}
		im.Reader = r
	case "zstd":
		d, err := zstd.NewReader(br, zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		im.Reader = d
		im.close = append([]func() error{func() error { d.Close(); return nil }}, im.close...)
	case "gzip":
		r, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		im.Reader = r
		im.close = append([]func() error{r.Close}, im.close...)
	}
	return nil
}

package flash

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/gridkiosk/gridkiosk/images/flash/hashcopy"
	"github.com/gridkiosk/gridkiosk/images/manifest"
)

// stream writes the image as it is read, checking it on the way: the
// image is read in one goroutine, checked in a second and written in a
// third (hashcopy.Pipe), so that reading, hashing and the card's writes
// overlap instead of taking turns.
func (s *streamer) stream(src io.Reader) error {
	read := sequentialChunks(src, s.m.ImageSize)
	if im, ok := src.(*Image); ok && im.file != nil {
		var err error
		if read, err = sparseChunks(im.file, s.m); err != nil {
			return err
		}
	}
	w := &rangeWriter{dst: s.dst, ranges: s.m.Ranges, held: s.held}
	if err := hashcopy.Pipe(context.Background(), hashcopy.ChunkSize, hashcopy.Depth, read, s.check, w.write); err != nil {
		return err
	}
	return s.finish()
}

// sequentialChunks reads a stream (a decompressor) to its end, which
// must be the manifest's size.
func sequentialChunks(src io.Reader, size int64) func([]byte) (hashcopy.Chunk, error) {
	var pos int64
	return func(buf []byte) (hashcopy.Chunk, error) {
		if pos >= size {
			if n, _ := src.Read(buf[:1]); n > 0 {
				return hashcopy.Chunk{}, fmt.Errorf("%w: the image is longer than the manifest's %d bytes", ErrImageMismatch, size)
			}
			return hashcopy.Chunk{}, io.EOF
		}
		p := buf[:min(int64(len(buf)), size-pos)]
		n, err := io.ReadFull(src, p)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return hashcopy.Chunk{}, fmt.Errorf("%w: the image ends at byte %d, the manifest says %d", ErrImageMismatch, pos+int64(n), size)
		}
		if err != nil {
			return hashcopy.Chunk{}, fmt.Errorf("flash: read image at byte %d: %w", pos, err)
		}
		c := hashcopy.Chunk{Off: pos, Data: p}
		pos += int64(n)
		return c, nil
	}
}

// sparseChunks reads a raw image file by position, skipping the holes of
// a sparse file that no mapped range touches: they read as zeros, which
// is what the manifest says is there, so checking them would prove
// nothing. Where the file holds data outside the ranges it is still read
// and must be zero. bmaptool reads only the mapped ranges; this reads
// what the file system holds, which is as little on a sparse image and
// leaves no byte of it unchecked.
func sparseChunks(f *os.File, m *manifest.Manifest) (func([]byte) (hashcopy.Chunk, error), error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("flash: image: %w", err)
	}
	switch {
	case st.Size() < m.ImageSize:
		return nil, fmt.Errorf("%w: the image ends at byte %d, the manifest says %d", ErrImageMismatch, st.Size(), m.ImageSize)
	case st.Size() > m.ImageSize:
		return nil, fmt.Errorf("%w: the image is longer than the manifest's %d bytes", ErrImageMismatch, m.ImageSize)
	}
	exts, err := dataExtents(f, m.ImageSize)
	if err != nil {
		return nil, fmt.Errorf("flash: image: find its data: %w", err)
	}
	spans := readSpans(exts, m.Ranges, m.ImageSize)
	var i int
	var pos int64
	return func(buf []byte) (hashcopy.Chunk, error) {
		for i < len(spans) && pos >= spans[i].end {
			i++
		}
		if i == len(spans) {
			return hashcopy.Chunk{}, io.EOF
		}
		pos = max(pos, spans[i].start)
		p := buf[:min(int64(len(buf)), spans[i].end-pos)]
		n, err := f.ReadAt(p, pos)
		if n < len(p) {
			if err == nil || errors.Is(err, io.EOF) {
				return hashcopy.Chunk{}, fmt.Errorf("%w: the image ends at byte %d, the manifest says %d", ErrImageMismatch, pos+int64(n), m.ImageSize)
			}
			return hashcopy.Chunk{}, fmt.Errorf("flash: read image at byte %d: %w", pos+int64(n), err)
		}
		c := hashcopy.Chunk{Off: pos, Data: p}
		pos += int64(n)
		return c, nil
	}, nil
}

type span struct{ start, end int64 }

// readSpans is what must be read of a raw image: its data extents and
// its mapped ranges (a range in a hole reads as zeros and so fails its
// hash, as it should), merged, aligned to whole pages so that the writes
// made from them can bypass the page cache, and within the image.
func readSpans(exts []span, ranges []manifest.Range, size int64) []span {
	const a = hashcopy.Align
	var out []span
	add := func(s span) {
		s.start = s.start / a * a
		s.end = min((s.end+a-1)/a*a, size)
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			return
		}
		out = append(out, s)
	}
	i, j := 0, 0
	for i < len(exts) || j < len(ranges) {
		if j == len(ranges) || (i < len(exts) && exts[i].start < ranges[j].Offset) {
			add(exts[i])
			i++
			continue
		}
		add(span{ranges[j].Offset, ranges[j].End()})
		j++
	}
	return out
}

// streamer checks the image as it is read: mapped ranges against their
// hashes, everything else against zero. It keeps the first bytes, which
// are written last.
type streamer struct {
	dst    io.WriterAt
	m      *manifest.Manifest
	held   int64     // the first bytes are kept back ...
	header []byte    // ... here, to be written last
	rh     hash.Hash // the current range's hash
	ri     int       // the current or next range
	pos    int64
	prog   *Progress
}

func newStreamer(dst io.WriterAt, m *manifest.Manifest, held int64, prog *Progress) *streamer {
	return &streamer{dst: dst, m: m, held: held, header: make([]byte, held), rh: sha256.New(), prog: prog}
}

// check takes the image's next chunk. Bytes skipped before it lie in
// holes that no range touches (see sparseChunks): zeros.
func (s *streamer) check(c hashcopy.Chunk) error {
	if c.Off > s.pos {
		if s.ri < len(s.m.Ranges) && s.m.Ranges[s.ri].Offset < c.Off {
			return fmt.Errorf("flash: internal error: range %d skipped unread", s.ri+1)
		}
		s.prog.Add(c.Off - s.pos)
		s.pos = c.Off
	}
	if err := s.feed(c.Data); err != nil {
		return err
	}
	s.prog.Add(int64(len(c.Data)))
	return nil
}

// finish accounts for a hole at the end of a sparse image, and makes
// sure that every range was seen.
func (s *streamer) finish() error {
	if s.ri < len(s.m.Ranges) {
		return fmt.Errorf("flash: internal error: range %d of %d was not read", s.ri+1, len(s.m.Ranges))
	}
	s.prog.Add(s.m.ImageSize - s.pos)
	s.pos = s.m.ImageSize
	return nil
}

// feed takes the image's next bytes: mapped ones are hashed, unmapped
// ones must be zero. That pins down every byte of the image, so the
// SHA-256 of the whole image, which would cost as much again on the
// mostly-zero bulk of it, is not computed: it is in the manifest for
// checking a downloaded image with sha256sum.
func (s *streamer) feed(p []byte) error {
	if s.pos < s.held {
		copy(s.header[s.pos:], p)
	}
	ranges := s.m.Ranges
	for len(p) > 0 {
		if s.ri < len(ranges) && s.pos >= ranges[s.ri].Offset {
			r := ranges[s.ri]
			k := min(int64(len(p)), r.End()-s.pos)
			s.rh.Write(p[:k])
			p, s.pos = p[k:], s.pos+k
			if s.pos == r.End() {
				var got manifest.Digest
				if s.rh.Sum(got[:0]); got != r.SHA256 {
					return fmt.Errorf("%w: range %d of %d (%v) has the wrong SHA-256", ErrImageMismatch, s.ri+1, len(ranges), r)
				}
				s.rh.Reset()
				s.ri++
			}
			continue
		}
		next := s.m.ImageSize
		if s.ri < len(ranges) {
			next = ranges[s.ri].Offset
		}
		k := min(int64(len(p)), next-s.pos)
		if i := nonZero(p[:k]); i >= 0 {
			return fmt.Errorf("%w: byte %d is not zero, but the manifest maps no data there", ErrImageMismatch, s.pos+int64(i))
		}
		p, s.pos = p[k:], s.pos+k
	}
	return nil
}

// nonZero returns the index of p's first non-zero byte, or -1. Most of an
// image is zeros, so it compares whole runs at memory speed first.
func nonZero(p []byte) int {
	var zero [4096]byte
	for base := 0; base < len(p); base += len(zero) {
		q := p[base:min(base+len(zero), len(p))]
		if bytes.Equal(q, zero[:len(q)]) {
			continue
		}
		for i, c := range q {
			if c != 0 {
				return base + i
			}
		}
	}
	return -1
}

// rangeWriter writes the mapped parts of each chunk, less the first held
// bytes, in step with the check but in its own goroutine.
type rangeWriter struct {
	dst    io.WriterAt
	ranges []manifest.Range
	held   int64
	ri     int
}

func (w *rangeWriter) write(c hashcopy.Chunk) error {
	end := c.Off + int64(len(c.Data))
	for w.ri < len(w.ranges) && w.ranges[w.ri].Offset < end {
		r := w.ranges[w.ri]
		lo, hi := max(r.Offset, c.Off, w.held), min(r.End(), end)
		if lo < hi {
			if _, err := w.dst.WriteAt(c.Data[lo-c.Off:hi-c.Off], lo); err != nil {
				return err
			}
		}
		if r.End() > end {
			break // the range goes on in the next chunk
		}
		w.ri++
	}
	return nil
}

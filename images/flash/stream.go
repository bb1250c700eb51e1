package flash

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/gridkiosk/gridkiosk/images/manifest"
	"github.com/gridkiosk/gridkiosk/internal/hashcopy"
	"github.com/gridkiosk/gridkiosk/internal/sparse"
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
	stages := []func(hashcopy.Chunk) error{s.check}
	for k := range writers {
		w := &rangeWriter{dst: s.dst, ranges: s.m.Ranges, held: s.held, turn: k}
		stages = append(stages, w.write)
	}
	if err := hashcopy.Pipe(context.Background(), hashcopy.ChunkSize, hashcopy.Depth+writers, read, stages...); err != nil {
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
	var exts []span
	err = sparse.Data(f, m.ImageSize, func(start, end int64) { exts = append(exts, span{start, end}) })
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

// streamer checks the image as it is read: unmapped bytes against zero.
// The mapped ranges are not hashed with SHA-256 here: the read-back does
// that, from the card, against the same signed hashes, and a card is
// committed (its first block written) only when every range passed. What
// is kept here is a CRC-32C of each range as read from the image, at a
// tenth of SHA-256's cost, which tells, when a range fails the read-back,
// whether the image was wrong (the card holds what was written) or the
// card. It keeps the first bytes, which are written last.
type streamer struct {
	dst    io.WriterAt
	m      *manifest.Manifest
	held   int64    // the first bytes are kept back ...
	header []byte   // ... here, to be written last
	crcs   []uint32 // each range's CRC-32C as read from the image
	crc    uint32   // the current range's so far
	ri     int      // the current or next range
	pos    int64
	prog   *Progress
}

// castagnoli is CRC-32C, which amd64 and arm64 compute in hardware.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func newStreamer(dst io.WriterAt, m *manifest.Manifest, held int64, prog *Progress) *streamer {
	return &streamer{dst: dst, m: m, held: held, header: make([]byte, held), crcs: make([]uint32, len(m.Ranges)), prog: prog}
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

// feed takes the image's next bytes: mapped ones are summed (and checked
// when read back), unmapped ones must be zero. That pins down every byte
// of the image, so the SHA-256 of the whole image, which would cost as
// much again on the mostly-zero bulk of it, is not computed: it is in the
// manifest for checking a downloaded image with sha256sum.
func (s *streamer) feed(p []byte) error {
	if s.pos < s.held {
		copy(s.header[s.pos:], p)
	}
	ranges := s.m.Ranges
	for len(p) > 0 {
		if s.ri < len(ranges) && s.pos >= ranges[s.ri].Offset {
			r := ranges[s.ri]
			k := min(int64(len(p)), r.End()-s.pos)
			s.crc = crc32.Update(s.crc, castagnoli, p[:k])
			p, s.pos = p[k:], s.pos+k
			if s.pos == r.End() {
				s.crcs[s.ri], s.crc = s.crc, 0
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

// writers is how many writes are in flight at once: with two, the card
// starts on the next chunk while the last one completes, instead of
// waiting for gridflash to hand it over; a direct write returns only when
// the device has it.
const writers = 2

// rangeWriter writes the mapped parts of every writers-th chunk (its
// turn), less the first held bytes, in step with the check but in its own
// goroutine.
type rangeWriter struct {
	dst    io.WriterAt
	ranges []manifest.Range
	held   int64
	ri     int
	turn   int // the chunks it writes: turn, turn+writers, ...
	seen   int
}

func (w *rangeWriter) write(c hashcopy.Chunk) error {
	mine := w.seen%writers == w.turn
	w.seen++
	end := c.Off + int64(len(c.Data))
	for w.ri < len(w.ranges) && w.ranges[w.ri].Offset < end {
		r := w.ranges[w.ri]
		lo, hi := max(r.Offset, c.Off, w.held), min(r.End(), end)
		if lo < hi && mine {
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

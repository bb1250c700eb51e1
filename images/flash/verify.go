package flash

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"

	"github.com/gridkiosk/gridkiosk/images/manifest"
	"github.com/gridkiosk/gridkiosk/internal/hashcopy"
)

// Patch is a run of bytes at Off, laid over what is read from a target:
// the held-back first block during a write, or the zeros that a
// provisioning file replaced.
type Patch struct {
	Off  int64
	Data []byte
}

func (p Patch) end() int64 { return p.Off + int64(len(p.Data)) }

// apply lays the patches over buf, which holds the target's bytes from off.
func apply(buf []byte, off int64, patches []Patch) {
	end := off + int64(len(buf))
	for _, p := range patches {
		if p.Off >= end || p.end() <= off {
			continue
		}
		lo, hi := max(p.Off, off), min(p.end(), end)
		copy(buf[lo-off:hi-off], p.Data[lo-p.Off:hi-p.Off])
	}
}

func touches(r manifest.Range, patches []Patch) bool {
	for _, p := range patches {
		if p.Off < r.End() && p.end() > r.Offset {
			return true
		}
	}
	return false
}

// RangeError reports a mapped range of the image that the target does not
// hold: the first one found.
type RangeError struct {
	Index, Count int
	Range        manifest.Range
	Reason       string
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("flash: range %d of %d (%v): %s", e.Index+1, e.Count, e.Range, e.Reason)
}

// check compares the mapped ranges of the target with the manifest. Each
// variant is a set of patches that may explain a difference (none, or
// the undoing of a provisioning file); the target passes when one variant
// explains every range. only, when set, limits the check to the ranges it
// accepts. It returns the index of the variant that passed.
//
// The target is read in one goroutine and hashed in another
// (hashcopy.Pipe), in large aligned reads that a device target serves
// with O_DIRECT, straight from the card.
//
// written, when set, holds each range's CRC-32C as it was written (under
// the first variant): a range that fails with the CRC it was written with
// came wrong from the image, and the error is ErrImageMismatch.
func check(r io.ReaderAt, m *manifest.Manifest, variants [][]Patch, only func(manifest.Range) bool, written []uint32, prog *Progress) (int, error) {
	if len(variants) == 0 {
		variants = [][]Patch{nil}
	}
	c := &rangeChecker{m: m, variants: variants, written: written, prog: prog, alive: make([]bool, len(variants)), hs: make([]hash.Hash, len(variants))}
	for i, rg := range m.Ranges {
		if only == nil || only(rg) {
			c.sel = append(c.sel, i)
		}
	}
	for v := range variants {
		c.alive[v] = true
		c.hs[v] = sha256.New()
	}
	c.scratch = make([]byte, hashcopy.ChunkSize)
	rd := &spanReader{r: r, spans: checkSpans(m, c.sel)}
	if err := hashcopy.Pipe(context.Background(), hashcopy.ChunkSize, hashcopy.Depth, rd.read, c.check); err != nil {
		return -1, err
	}
	if rd.err != nil {
		return -1, c.readFailed(rd.at, rd.err)
	}
	for v := range c.alive {
		if c.alive[v] {
			return v, nil
		}
	}
	return -1, errors.New("flash: no variant") // unreachable: a failed range returns above
}

// readGap is the largest gap between two ranges that check reads through
// rather than start a new read: on a card, a request costs more than
// reading this much more.
const readGap = 128 << 10

// checkSpans is what check reads: the selected ranges, those less than
// readGap apart read as one, aligned to whole pages.
func checkSpans(m *manifest.Manifest, sel []int) []span {
	const a = hashcopy.Align
	var out []span
	for _, i := range sel {
		rg := m.Ranges[i]
		s := span{rg.Offset / a * a, min((rg.End()+a-1)/a*a, m.ImageSize)}
		if n := len(out); n > 0 && s.start-out[n-1].end <= readGap {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// spanReader reads spans of a target in chunks. A read that fails ends
// the stream there; the failure is kept for check to name the range.
type spanReader struct {
	r     io.ReaderAt
	spans []span
	i     int
	pos   int64
	at    int64 // where a read failed ...
	err   error // ... and why
}

func (s *spanReader) read(buf []byte) (hashcopy.Chunk, error) {
	for s.i < len(s.spans) && s.pos >= s.spans[s.i].end {
		s.i++
	}
	if s.i == len(s.spans) || s.err != nil {
		return hashcopy.Chunk{}, io.EOF
	}
	s.pos = max(s.pos, s.spans[s.i].start)
	p := buf[:min(int64(len(buf)), s.spans[s.i].end-s.pos)]
	n, err := s.r.ReadAt(p, s.pos)
	if n < len(p) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		s.at, s.err = s.pos+int64(n), err
		if n == 0 {
			return hashcopy.Chunk{}, io.EOF
		}
	}
	c := hashcopy.Chunk{Off: s.pos, Data: p[:n]}
	s.pos += int64(n)
	return c, nil
}

// rangeChecker hashes the selected ranges as their bytes arrive, once
// for each variant still in the running.
type rangeChecker struct {
	m        *manifest.Manifest
	variants [][]Patch
	sel      []int // the ranges to check ...
	k        int   // ... and the one being hashed
	alive    []bool
	hs       []hash.Hash
	written  []uint32
	crc      uint32 // of the first variant's bytes of the range
	scratch  []byte
	prog     *Progress
}

func (c *rangeChecker) check(ch hashcopy.Chunk) error {
	end := ch.Off + int64(len(ch.Data))
	for c.k < len(c.sel) {
		i := c.sel[c.k]
		rg := c.m.Ranges[i]
		if rg.Offset >= end {
			return nil
		}
		lo, hi := max(rg.Offset, ch.Off), min(rg.End(), end)
		if lo < hi {
			p := ch.Data[lo-ch.Off : hi-ch.Off]
			for v, patches := range c.variants {
				q := p
				if c.alive[v] && touches(rg, patches) {
					q = c.scratch[:len(p)]
					copy(q, p)
					apply(q, lo, patches)
				}
				c.hs[v].Write(q)
				if v == 0 && c.written != nil {
					c.crc = crc32.Update(c.crc, castagnoli, q)
				}
			}
			c.prog.Add(hi - lo)
		}
		if rg.End() > end {
			return nil // the range goes on in the next chunk
		}
		explained := false
		for v, h := range c.hs {
			var got manifest.Digest
			h.Sum(got[:0])
			h.Reset()
			c.alive[v] = c.alive[v] && got == rg.SHA256
			explained = explained || c.alive[v]
		}
		if !explained {
			if c.written != nil && c.crc == c.written[i] {
				return fmt.Errorf("%w: range %d of %d (%v) has the wrong SHA-256 (the card holds what was written)", ErrImageMismatch, i+1, len(c.m.Ranges), rg)
			}
			return &RangeError{Index: i, Count: len(c.m.Ranges), Range: rg, Reason: "content differs from the image (SHA-256 mismatch)"}
		}
		c.k++
		c.crc = 0
	}
	return nil
}

// readFailed names the range that a failed read left unchecked.
func (c *rangeChecker) readFailed(at int64, err error) error {
	if c.k == len(c.sel) {
		return fmt.Errorf("flash: read at byte %d: %w", at, err) // past the last range: not reached
	}
	i := c.sel[c.k]
	rg := c.m.Ranges[i]
	return &RangeError{Index: i, Count: len(c.m.Ranges), Range: rg, Reason: readFailure(max(at, rg.Offset), err)}
}

func readFailure(at int64, err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("the target ends at byte %d, inside the range (a write cut short?)", at)
	}
	return fmt.Sprintf("read at byte %d: %v", at, err)
}

// Result is what Verify found besides the image.
type Result struct {
	// Provision is the provisioning file found on the boot partition, nil
	// when there is none. It is not covered by the image's signature.
	Provision []byte
}

// Verify checks that the target holds the image that m describes, signed
// by pub: every mapped range is read and hashed. A provisioning file that
// gridflash wrote is recognised and allowed for, and returned. The error
// for a range that does not match is a *RangeError naming the first.
func Verify(r io.ReaderAt, m *manifest.Manifest, pub ed25519.PublicKey, prog *Progress) (*Result, error) {
	if err := manifest.Verify(m, pub); err != nil {
		return nil, err
	}
	variants, prov := provisionVariants(r, nil)
	prog.Start("校验 verify", m.MappedBytes())
	v, err := check(r, m, variants, nil, nil, prog)
	prog.Finish()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if variants[v] != nil {
		res.Provision = prov
	}
	return res, nil
}

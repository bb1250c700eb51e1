// Package flash writes a signed appliance image to a card or an image
// file and checks it, as gridflash does: the manifest's signature is
// checked before anything is written; the image is streamed (decompressed
// on the way) and hashed against the manifest as it goes; only its mapped
// ranges are written; every range is read back from the card, past the
// page cache; the station's provisioning file is put on the boot
// partition; and the first block, which holds the partition table, is
// written last, so that a card whose write failed or was cut short does
// not look like a good one.
package flash

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/gridkiosk/gridkiosk/images/manifest"
)

// ErrImageMismatch is returned when the image being written is not the
// one the manifest describes: corrupt, truncated or altered.
var ErrImageMismatch = errors.New("flash: the image does not match its manifest (corrupt or altered)")

// Options are the optional parts of a write.
type Options struct {
	// Provision is written as ProvisionPath on the boot partition; nil
	// for none. The caller checks it first (gridflash validates it as a
	// station configuration).
	Provision []byte
	Progress  *Progress
	// Now stamps the provisioning file; time.Now when nil.
	Now func() time.Time
}

// Write writes the image read from src, which m describes and pub must
// have signed, to dst.
func Write(dst *Target, src io.Reader, m *manifest.Manifest, pub ed25519.PublicKey, opt Options) error {
	if err := manifest.Verify(m, pub); err != nil {
		return err
	}
	if dst.Size < m.ImageSize {
		return fmt.Errorf("%w: %s holds %d bytes, the image %d", ErrTooSmall, dst.Path, dst.Size, m.ImageSize)
	}
	held := min(m.BlockSize, m.ImageSize)
	if err := dst.invalidate(held); err != nil {
		return err
	}
	s := &streamer{dst: dst, m: m, held: held, header: make([]byte, held), rh: sha256.New(), prog: opt.Progress}
	opt.Progress.Start("写入 write", m.ImageSize)
	if err := s.run(src); err != nil {
		return err
	}
	opt.Progress.Finish()
	if err := dst.flush(); err != nil {
		return err
	}
	base := []Patch{{0, s.header}}
	opt.Progress.Start("校验 verify", m.MappedBytes())
	if _, err := check(dst, m, [][]Patch{base}, nil, opt.Progress); err != nil {
		return fmt.Errorf("flash: read-back of %s: %w", dst.Path, err)
	}
	opt.Progress.Finish()
	if opt.Provision != nil {
		now := time.Now
		if opt.Now != nil {
			now = opt.Now
		}
		if err := writeProvision(dst, m, base, opt.Provision, now()); err != nil {
			return err
		}
	}
	return dst.commitHeader(s.header)
}

// writeProvision puts the provisioning file on the boot partition, reads
// it back, and checks the ranges it touched against the image, with the
// file allowed for.
func writeProvision(dst *Target, m *manifest.Manifest, base []Patch, data []byte, now time.Time) error {
	view := patched{dst, base}
	if err := provision(view, dst, data, int64(len(base[0].Data)), now); err != nil {
		return err
	}
	if err := dst.flush(); err != nil {
		return err
	}
	if err := checkProvision(view, data); err != nil {
		return err
	}
	variants, _ := provisionVariants(dst, base)
	if len(variants) < 2 {
		return fmt.Errorf("flash: %s was written but cannot be accounted for", ProvisionPath)
	}
	var touched []Patch
	for _, v := range variants[1:] {
		touched = append(touched, v[len(base):]...)
	}
	only := func(r manifest.Range) bool { return touches(r, touched) }
	if _, err := check(dst, m, variants[1:], only, nil); err != nil {
		return fmt.Errorf("flash: read-back after provisioning: %w", err)
	}
	return nil
}

// streamer writes the image as it is read, checking it on the way.
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

func (s *streamer) run(src io.Reader) error {
	buf := make([]byte, 1<<20)
	for s.pos < s.m.ImageSize {
		p := buf[:min(int64(len(buf)), s.m.ImageSize-s.pos)]
		n, err := io.ReadFull(src, p)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the image ends at byte %d, the manifest says %d", ErrImageMismatch, s.pos+int64(n), s.m.ImageSize)
		}
		if err != nil {
			return fmt.Errorf("flash: read image at byte %d: %w", s.pos, err)
		}
		if err := s.feed(p); err != nil {
			return err
		}
		s.prog.Add(int64(len(p)))
	}
	if n, _ := src.Read(buf[:1]); n > 0 {
		return fmt.Errorf("%w: the image is longer than the manifest's %d bytes", ErrImageMismatch, s.m.ImageSize)
	}
	return nil
}

// feed takes the image's next bytes: mapped ones are hashed and written,
// unmapped ones must be zero. That pins down every byte of the image, so
// the SHA-256 of the whole image, which would cost as much again on the
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
			if err := s.write(p[:k]); err != nil {
				return err
			}
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

// write writes mapped bytes at the current position, less the part that
// is held back.
func (s *streamer) write(p []byte) error {
	off := s.pos
	if off < s.held {
		skip := min(int64(len(p)), s.held-off)
		p, off = p[skip:], off+skip
	}
	if len(p) == 0 {
		return nil
	}
	_, err := s.dst.WriteAt(p, off)
	return err
}

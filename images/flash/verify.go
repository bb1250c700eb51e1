package flash

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gridkiosk/gridkiosk/images/manifest"
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
func check(r io.ReaderAt, m *manifest.Manifest, variants [][]Patch, only func(manifest.Range) bool, prog *Progress) (int, error) {
	if len(variants) == 0 {
		variants = [][]Patch{nil}
	}
	alive := make([]bool, len(variants))
	for i := range alive {
		alive[i] = true
	}
	buf := make([]byte, 1<<20)
	scratch := make([]byte, len(buf))
	hs := make([]hash.Hash, len(variants))
	for i, rg := range m.Ranges {
		if only != nil && !only(rg) {
			continue
		}
		for v := range hs {
			hs[v] = sha256.New()
		}
		reason := ""
		for off := rg.Offset; off < rg.End() && reason == ""; {
			p := buf[:min(int64(len(buf)), rg.End()-off)]
			n, err := r.ReadAt(p, off)
			if err != nil {
				reason = readFailure(off+int64(n), err)
				break
			}
			for v, patches := range variants {
				q := p
				if alive[v] && touches(rg, patches) {
					q = scratch[:len(p)]
					copy(q, p)
					apply(q, off, patches)
				}
				hs[v].Write(q)
			}
			off += int64(len(p))
			prog.Add(int64(len(p)))
		}
		explained := false
		for v := range variants {
			var got manifest.Digest
			hs[v].Sum(got[:0])
			alive[v] = alive[v] && reason == "" && got == rg.SHA256
			explained = explained || alive[v]
		}
		if !explained {
			if reason == "" {
				reason = "content differs from the image (SHA-256 mismatch)"
			}
			return -1, &RangeError{Index: i, Count: len(m.Ranges), Range: rg, Reason: reason}
		}
	}
	for v := range alive {
		if alive[v] {
			return v, nil
		}
	}
	return -1, errors.New("flash: no variant") // unreachable: a failed range returns above
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
	v, err := check(r, m, variants, nil, prog)
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

// Package flash writes a signed appliance image to a card or an image
// file and checks it, as gridflash does: the manifest's signature is
// checked before anything is written; the image is streamed (decompressed
// on the way, the holes of a raw one skipped) and only its mapped ranges
// are written, while its unmapped bytes are checked to be zero; every
// range is read back from the card (with O_DIRECT: the card, not the page
// cache) and hashed against the manifest; the station's provisioning file
// is put on the boot partition; and the first block, which holds the
// partition table, is written last, so that a card whose write failed,
// was cut short or came from a corrupt image does not look like a good
// one. Reading, checking and writing overlap (see hashcopy.Pipe).
package flash

import (
	"crypto/ed25519"
	"errors"
	"fmt"
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
	s := newStreamer(dst, m, held, opt.Progress)
	opt.Progress.Start("写入 write", m.ImageSize)
	if err := s.stream(src); err != nil {
		return err
	}
	opt.Progress.Finish()
	if err := dst.flush(); err != nil {
		return err
	}
	base := []Patch{{0, s.header}}
	opt.Progress.Start("校验 verify", m.MappedBytes())
	if _, err := check(dst, m, [][]Patch{base}, nil, s.crcs, opt.Progress); err != nil {
		if errors.Is(err, ErrImageMismatch) {
			return err
		}
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
	if _, err := check(dst, m, variants[1:], only, nil, nil); err != nil {
		return fmt.Errorf("flash: read-back after provisioning: %w", err)
	}
	return nil
}

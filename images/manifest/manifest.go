// Package manifest describes an appliance image so that gridflash can write
// it safely and check it afterwards: the image's version, architecture, size
// and SHA-256, the ranges of the image that hold data (the "block map"),
// each with its own SHA-256, and an Ed25519 signature by the release key.
//
// # What is mapped
//
// A block is mapped when it holds at least one non-zero byte. Blocks that
// are all zero, including the holes of a sparse image file, are unmapped:
// gridflash does not write them to a drive and verify does not read them,
// as bmaptool does with the holes of a filesystem image. On a drive they
// keep whatever the card held before, so an image must not depend on
// unwritten blocks reading as zero; a regular file written by gridflash is
// created afresh, so there they do read as zero and the file equals the
// image. As the image is streamed unmapped bytes must be zero, and the
// mapped ranges are checked against their hashes as they are read back
// from the card, before the card is made bootable, so no byte of the
// image escapes the signature. ImageSHA256, of the whole image, is for checking
// a downloaded raw image with sha256sum.
//
// # Signature
//
// The signature covers a canonical binary encoding of every other field
// (see [Manifest.SignedBytes]), not the JSON text, so re-indenting or
// reordering the JSON does not break it and no field can be added to the
// JSON without breaking it.
package manifest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
)

// Format is the manifest format this package reads and writes.
const Format = 1

// DefaultBlockSize is the granularity of the block map: small enough to
// skip the free space between files, large enough to keep maps short.
const DefaultBlockSize = 4096

// maxFileSize bounds what Load reads: a map of a 64 GiB image fragmented
// into 4 KiB pieces is still far below it.
const maxFileSize = 64 << 20

// Manifest describes one signed image.
type Manifest struct {
	Format      int     `json:"format"`
	Version     string  `json:"version"`
	Arch        string  `json:"arch"`
	ImageSize   int64   `json:"image_size"`
	ImageSHA256 Digest  `json:"image_sha256"`
	BlockSize   int64   `json:"block_size"`
	Ranges      []Range `json:"ranges"`
	// KeyID names the key that signed the manifest (see [KeyID]), so that
	// a wrong public key is reported as such rather than as tampering.
	KeyID     string `json:"key_id"`
	Signature []byte `json:"signature"` // Ed25519, base64 in JSON
}

// Range is a run of mapped bytes [Offset, Offset+Length) of the image.
type Range struct {
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	SHA256 Digest `json:"sha256"`
}

// End is the offset just past the range.
func (r Range) End() int64 { return r.Offset + r.Length }

// String names the range the way error messages show it.
func (r Range) String() string {
	return fmt.Sprintf("bytes %d-%d", r.Offset, r.End()-1)
}

// Digest is a SHA-256 hash, hex in JSON.
type Digest [sha256.Size]byte

// MarshalText implements encoding.TextMarshaler.
func (d Digest) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(d[:])), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) != 2*sha256.Size {
		return fmt.Errorf("sha256 must be %d hex digits, got %d characters", 2*sha256.Size, len(b))
	}
	if _, err := hex.Decode(d[:], b); err != nil {
		return fmt.Errorf("sha256: %w", err)
	}
	return nil
}

func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// MappedBytes is the number of bytes the map covers.
func (m *Manifest) MappedBytes() int64 {
	var n int64
	for _, r := range m.Ranges {
		n += r.Length
	}
	return n
}

var (
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$`)
	archRE    = regexp.MustCompile(`^[a-z0-9_]{1,16}$`)
	keyIDRE   = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// Check reports the first way in which m is malformed: fields out of range,
// ranges unsorted, overlapping, unmerged, unaligned or past the image.
// It does not check the signature; [Verify] does both.
func (m *Manifest) Check() error {
	switch {
	case m.Format != Format:
		return fmt.Errorf("manifest: format %d, this gridflash reads format %d", m.Format, Format)
	case !versionRE.MatchString(m.Version):
		return fmt.Errorf("manifest: version %q: want 1-64 letters, digits or ._+~-", m.Version)
	case !archRE.MatchString(m.Arch):
		return fmt.Errorf("manifest: arch %q: want e.g. arm64 or amd64", m.Arch)
	case m.ImageSize <= 0 || m.ImageSize > 1<<50:
		return fmt.Errorf("manifest: image_size %d out of range", m.ImageSize)
	case m.BlockSize < 512 || m.BlockSize > 16<<20 || m.BlockSize&(m.BlockSize-1) != 0:
		return fmt.Errorf("manifest: block_size %d: want a power of two from 512 to 16 MiB", m.BlockSize)
	case m.KeyID != "" && !keyIDRE.MatchString(m.KeyID):
		return fmt.Errorf("manifest: key_id %q: want 16 hex digits", m.KeyID)
	}
	var end int64
	for i, r := range m.Ranges {
		switch {
		case r.Length <= 0:
			return fmt.Errorf("manifest: range %d: length %d", i, r.Length)
		case r.Offset < end || (i > 0 && r.Offset == end):
			return fmt.Errorf("manifest: range %d (%v) overlaps or touches the one before: ranges must be sorted and merged", i, r)
		case r.Offset%m.BlockSize != 0:
			return fmt.Errorf("manifest: range %d (%v) does not start on a %d-byte block", i, r, m.BlockSize)
		case r.Length > m.ImageSize-r.Offset:
			return fmt.Errorf("manifest: range %d (%v) runs past the image's %d bytes", i, r, m.ImageSize)
		case r.End()%m.BlockSize != 0 && r.End() != m.ImageSize:
			return fmt.Errorf("manifest: range %d (%v) does not end on a block", i, r)
		}
		end = r.End()
	}
	return nil
}

// Parse decodes a manifest and checks its form (not its signature).
// Unknown fields are rejected: a field the signature does not cover must
// not look as if it meant something.
func Parse(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("manifest: trailing data after the JSON object")
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Load reads and parses the manifest file at path.
func Load(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("manifest: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("manifest: %s is larger than %d MiB", path, maxFileSize>>20)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Marshal encodes m as indented JSON.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// Save writes m to path, through a temporary file so that a crash never
// leaves half a manifest.
func Save(path string, m *Manifest) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("manifest: save: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("manifest: save: %w", err)
	}
	return nil
}

// KeyID is the identifier of a public key that manifests carry: the first
// 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

package manifest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// signedMagic starts the signed bytes, so that a signature over a manifest
// can never be taken for a signature over anything else made with the
// same key.
const signedMagic = "gridkiosk image manifest\x00"

// SignedBytes is the canonical encoding that the signature covers: a magic
// string, then every field but the signature in a fixed order, integers as
// 8-byte big-endian, strings as a 4-byte length and their bytes, digests
// as their 32 raw bytes, and the ranges preceded by their count.
func (m *Manifest) SignedBytes() []byte {
	b := make([]byte, 0, 128+len(m.Ranges)*48)
	b = append(b, signedMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Format))
	b = appendString(b, m.Version)
	b = appendString(b, m.Arch)
	b = binary.BigEndian.AppendUint64(b, uint64(m.ImageSize))
	b = append(b, m.ImageSHA256[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(m.BlockSize))
	b = appendString(b, m.KeyID)
	b = binary.BigEndian.AppendUint64(b, uint64(len(m.Ranges)))
	for _, r := range m.Ranges {
		b = binary.BigEndian.AppendUint64(b, uint64(r.Offset))
		b = binary.BigEndian.AppendUint64(b, uint64(r.Length))
		b = append(b, r.SHA256[:]...)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Sign sets m's key id and signature.
func Sign(m *Manifest, priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize {
		return errors.New("manifest: sign: not an Ed25519 private key")
	}
	m.KeyID = KeyID(priv.Public().(ed25519.PublicKey))
	if err := m.Check(); err != nil {
		return err
	}
	m.Signature = ed25519.Sign(priv, m.SignedBytes())
	return nil
}

// ErrWrongKey is returned by Verify for a manifest signed by another key.
var ErrWrongKey = errors.New("manifest: signed by another key")

// ErrBadSignature is returned by Verify for a manifest whose signature does
// not match its contents: it was changed after signing, or is forged.
var ErrBadSignature = errors.New("manifest: signature does not match: the manifest was altered after signing")

// Verify checks m's form and its signature by pub.
func Verify(m *Manifest, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("manifest: verify: not an Ed25519 public key")
	}
	if err := m.Check(); err != nil {
		return err
	}
	if len(m.Signature) == 0 {
		return errors.New("manifest: not signed")
	}
	if want := KeyID(pub); m.KeyID != want {
		return fmt.Errorf("%w: manifest key %s, public key %s", ErrWrongKey, m.KeyID, want)
	}
	if !ed25519.Verify(pub, m.SignedBytes(), m.Signature) {
		return ErrBadSignature
	}
	return nil
}

// PEM block types of the key files: PKCS #8 and PKIX, as openssl writes
// them, so that a key can be inspected with standard tools.
const (
	privateBlock = "PRIVATE KEY"
	publicBlock  = "PUBLIC KEY"
)

// GenerateKeyFiles makes a new key pair and writes prefix.key (mode 0600)
// and prefix.pub. It refuses to overwrite either file: losing a release
// key to a slip of the shell is not recoverable.
func GenerateKeyFiles(prefix string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("manifest: keygen: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("manifest: keygen: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("manifest: keygen: %w", err)
	}
	for _, p := range []string{prefix + ".key", prefix + ".pub"} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("manifest: keygen: %s already exists; refusing to overwrite a key", p)
		}
	}
	if err := writeNew(prefix+".key", pem.EncodeToMemory(&pem.Block{Type: privateBlock, Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(prefix+".pub", pem.EncodeToMemory(&pem.Block{Type: publicBlock, Bytes: pubDER}), 0o644); err != nil {
		return nil, err
	}
	return pub, nil
}

// writeNew creates path exclusively, so that a file appearing between the
// check and the write is not overwritten either.
func writeNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("manifest: keygen: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("manifest: keygen: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("manifest: keygen: write %s: %w", path, err)
	}
	return nil
}

// LoadPrivateKey reads a PKCS #8 PEM Ed25519 private key.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, privateBlock)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("manifest: %s: %T is not an Ed25519 key", path, k)
	}
	return priv, nil
}

// LoadPublicKey reads a PKIX PEM Ed25519 public key.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, publicBlock)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("manifest: %s: %T is not an Ed25519 key", path, k)
	}
	return pub, nil
}

// maxKeyFile bounds a key file: a PEM Ed25519 key is about 120 bytes, and
// a path to something else (/dev/zero, an image) must not fill memory.
const maxKeyFile = 64 << 10

func readPEM(path, typ string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("manifest: read %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("manifest: key file %s is too large (over %d bytes): name the PEM .pub or .key file", path, maxKeyFile)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		return nil, fmt.Errorf("manifest: %s is not a PEM %q file", path, typ)
	}
	return block.Bytes, nil
}

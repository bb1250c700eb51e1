// Package handwriting recognizes a handwritten character from its strokes
// with a Zinnia model: the binary model file that zinnia_convert writes, as
// Debian's tegaki-zinnia-simplified-chinese installs it
// (/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model, 6,763
// characters of GB 2312).
//
// Zinnia (Taku Kudo, 2008) describes a character by the straight segments
// its strokes break into and the pen moves between them, and scores each
// character of the model with a linear SVM, one weight vector per
// character. This package reads the model and computes the same features
// and scores in Go, so the kiosk needs neither cgo nor libzinnia: the arm64
// cross-build stays pure Go and the image needs only the model's data
// package.
package handwriting

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sync/atomic"
	"unicode/utf8"
)

// DefaultModelPath is where Debian's tegaki-zinnia-simplified-chinese puts
// its model.
const DefaultModelPath = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"

// The binary model's layout (little-endian): a magic word, which XORed
// with magicID is the file's size; the format version; the number of
// characters; then per character 16 bytes of NUL-padded UTF-8, a float32
// bias and its weights as (int32 index, float32 weight) pairs ending at
// index -1.
const (
	magicID     = 0xef71821
	version     = 1
	charBytes   = 16
	headerBytes = 12
	nodeBytes   = 8
	// minEntry is the least a character takes: its name, bias and end mark.
	minEntry = charBytes + 4 + nodeBytes
)

// Model is a read Zinnia model, its weights indexed by feature so a
// recognition touches only the weights of the features a drawing has.
// A Model is read-only once made and safe for concurrent use.
type Model struct {
	chars []string
	bias  []float32
	// postings[span[f].lo:span[f].hi] are the characters weighing feature f.
	span     map[int32]span
	postings []posting
	// shapes, once UseFace has made them, weigh in on Recognize.
	shapes atomic.Pointer[shapes]
}

type span struct{ lo, hi int32 }

type posting struct {
	char   int32
	weight float32
}

// Open reads the model file at path.
func Open(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("handwriting: read model: %w (Debian package tegaki-zinnia-simplified-chinese)", err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return m, nil
}

// Len is the number of characters the model knows.
func (m *Model) Len() int { return len(m.chars) }

// Char is the model's i-th character, in the file's order.
func (m *Model) Char(i int) string { return m.chars[i] }

// Parse reads a binary Zinnia model. It checks everything the file says
// against the file's length before trusting it, so a truncated or foreign
// file is an error naming the byte offset, never a panic or a huge
// allocation.
func Parse(data []byte) (*Model, error) {
	if len(data) < headerBytes {
		return nil, fmt.Errorf("handwriting: model: %d bytes, too short for the %d-byte header", len(data), headerBytes)
	}
	le := binary.LittleEndian
	if size := le.Uint32(data) ^ magicID; uint64(size) != uint64(len(data)) {
		return nil, fmt.Errorf("handwriting: model: header says %d bytes, file has %d: truncated, or not a binary Zinnia model", size, len(data))
	}
	if v := le.Uint32(data[4:]); v != version {
		return nil, fmt.Errorf("handwriting: model: format version %d, want %d", v, version)
	}
	n := le.Uint32(data[8:])
	if uint64(n)*minEntry > uint64(len(data)-headerBytes) {
		return nil, fmt.Errorf("handwriting: model: header says %d characters, more than %d bytes can hold", n, len(data))
	}
	m := &Model{chars: make([]string, n), bias: make([]float32, n)}
	// The weights are read twice: once to check them and count each
	// feature's characters, once to file them under their feature.
	type entry struct{ start, count int }
	entries := make([]entry, n)
	counts := map[int32]int32{}
	off := headerBytes
	for i := range entries {
		c, err := charName(data[off : off+charBytes])
		if err != nil {
			return nil, fmt.Errorf("handwriting: model: character %d at byte %d: %w", i+1, off, err)
		}
		m.chars[i] = c
		off += charBytes
		if off+4 > len(data) {
			return nil, fmt.Errorf("handwriting: model: character %d (%s): bias at byte %d past the end", i+1, c, off)
		}
		b := math.Float32frombits(le.Uint32(data[off:]))
		if !finite(b) {
			return nil, fmt.Errorf("handwriting: model: character %d (%s): bias at byte %d is %v", i+1, c, off, b)
		}
		m.bias[i] = b
		off += 4
		entries[i].start = off
		for {
			if off+nodeBytes > len(data) {
				return nil, fmt.Errorf("handwriting: model: character %d (%s): weights run past the end at byte %d", i+1, c, off)
			}
			idx := int32(le.Uint32(data[off:]))
			w := math.Float32frombits(le.Uint32(data[off+4:]))
			off += nodeBytes
			if idx == -1 {
				break
			}
			if idx < 0 || !finite(w) {
				return nil, fmt.Errorf("handwriting: model: character %d (%s): weight at byte %d is feature %d = %v", i+1, c, off-nodeBytes, idx, w)
			}
			counts[idx]++
			entries[i].count++
		}
	}
	if off != len(data) {
		return nil, fmt.Errorf("handwriting: model: %d bytes after the last character (byte %d)", len(data)-off, off)
	}
	m.span = make(map[int32]span, len(counts))
	var total int32
	for f, c := range counts {
		m.span[f] = span{total, total}
		total += c
	}
	m.postings = make([]posting, total)
	for i, e := range entries {
		for k := range e.count {
			p := e.start + k*nodeBytes
			f := int32(le.Uint32(data[p:]))
			s := m.span[f]
			m.postings[s.hi] = posting{char: int32(i), weight: math.Float32frombits(le.Uint32(data[p+4:]))}
			s.hi++
			m.span[f] = s
		}
	}
	return m, nil
}

// charName is a model's character: UTF-8 up to the first NUL.
func charName(b []byte) (string, error) {
	end := len(b)
	for i, c := range b {
		if c == 0 {
			end = i
			break
		}
	}
	if end == 0 {
		return "", fmt.Errorf("empty name")
	}
	if !utf8.Valid(b[:end]) {
		return "", fmt.Errorf("name % x is not UTF-8", b[:end])
	}
	return string(b[:end]), nil
}

func finite(f float32) bool {
	return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0)
}

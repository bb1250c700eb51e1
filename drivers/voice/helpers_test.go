package voice

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// tone is a WAV file of a sine tone: something a test can tell apart
// from silence and from another tone.
func tone(hz float64, secs float64, f Format) []byte {
	n := int(secs * float64(f.Rate))
	data := make([]byte, 0, n*2*f.Channels)
	for i := 0; i < n; i++ {
		s := int16(12000 * math.Sin(2*math.Pi*hz*float64(i)/float64(f.Rate)))
		for c := 0; c < f.Channels; c++ {
			data = binary.LittleEndian.AppendUint16(data, uint16(s))
		}
	}
	return append(wavHeader(f, len(data)), data...)
}

var mono22k = Format{Channels: 1, Rate: 22050}

// catalogue is the tests' catalogue of prompts.
func catalogue() map[string]string {
	return map[string]string{"a": "甲", "b": "乙", "c": "丙", "long": "长", "other": "另"}
}

// writePack writes a pack of the files (prompt ID → WAV) into a new
// directory, with a manifest that matches them.
func writePack(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	m := &Manifest{Format: ManifestFormat, Voice: "test tones", Synthetic: true}
	cat := catalogue()
	for id, b := range files {
		file := id + ".wav"
		if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := FileEntry(dir, id, cat[id], file)
		if err != nil {
			t.Fatal(err)
		}
		m.Prompts = append(m.Prompts, e)
	}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// data is a WAV file's samples.
func data(t *testing.T, wav []byte) []byte {
	t.Helper()
	c, err := parseWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	return c.Data
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

package main

import (
	"encoding/binary"
	"math"
	"os"

	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// tones are the prompts that are sounds, not words: espeak-ng would read
// "嘀" as a syllable, where a resident who has turned away to take the
// receipt should hear a beep. Their catalogue text names the sound.
var tones = map[string]struct {
	hz   float64
	secs float64
}{
	voiceprompt.CardBeep: {hz: 1000, secs: 0.35},
}

// toneRate is espeak-ng's own rate (mono, 16-bit), so a tone and the
// words around it go to ALSA as one stream.
const toneRate = 22050

// writeTone writes a sine tone as a WAV file, beside path and renamed
// into place; its ends are faded over 10 ms so it starts and stops
// without a click.
func writeTone(path string, hz, secs float64) error {
	n := int(secs * toneRate)
	fade := toneRate / 100
	data := make([]byte, 0, 2*n)
	for i := range n {
		amp := 0.5 * math.MaxInt16 * min(1, float64(i)/float64(fade), float64(n-1-i)/float64(fade))
		s := int16(amp * math.Sin(2*math.Pi*hz*float64(i)/toneRate))
		data = binary.LittleEndian.AppendUint16(data, uint16(s))
	}
	h := make([]byte, 0, 44)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(36+len(data)))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1) // PCM
	h = binary.LittleEndian.AppendUint16(h, 1) // mono
	h = binary.LittleEndian.AppendUint32(h, toneRate)
	h = binary.LittleEndian.AppendUint32(h, 2*toneRate)
	h = binary.LittleEndian.AppendUint16(h, 2)
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(data)))
	tmp := path + ".tmp"
	defer os.Remove(tmp)
	if err := os.WriteFile(tmp, append(h, data...), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

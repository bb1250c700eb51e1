package voice

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Format is the shape of a clip's samples: 16-bit little-endian PCM,
// interleaved.
type Format struct {
	Channels int // 1 or 2
	Rate     int // samples per second per channel
}

// Clip is the samples of one prompt.
type Clip struct {
	Format
	Data []byte // 16-bit little-endian samples, interleaved
}

// Duration is how long the clip plays.
func (c Clip) Duration() float64 {
	return float64(len(c.Data)) / float64(2*c.Channels*c.Rate)
}

// Limits of a clip the player takes: what espeak-ng and ordinary
// recording software write.
const (
	minRate = 8000
	maxRate = 96000
	// maxClip bounds a prompt's file: a minute of 48 kHz stereo.
	maxClip = 60 * 48000 * 4
)

var errNotWAV = errors.New("not a RIFF WAVE file")

// parseWAV reads a WAV file of 16-bit PCM. Chunks other than "fmt " and
// "data" (LIST, fact, …, which recording software adds) are skipped.
func parseWAV(b []byte) (Clip, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Clip{}, errNotWAV
	}
	var c Clip
	haveFmt := false
	rest := b[12:]
	for len(rest) >= 8 {
		id, size := string(rest[0:4]), binary.LittleEndian.Uint32(rest[4:8])
		rest = rest[8:]
		if uint64(size) > uint64(len(rest)) {
			return Clip{}, fmt.Errorf("chunk %q of %d bytes runs past the end of the file (%d bytes left)", id, size, len(rest))
		}
		body := rest[:size]
		rest = rest[size:]
		if size%2 == 1 && len(rest) > 0 {
			rest = rest[1:] // chunks are padded to an even length
		}
		switch id {
		case "fmt ":
			f, err := parseFmt(body)
			if err != nil {
				return Clip{}, err
			}
			c.Format, haveFmt = f, true
		case "data":
			if !haveFmt {
				return Clip{}, errors.New(`"data" chunk before "fmt "`)
			}
			if len(body)%(2*c.Channels) != 0 {
				return Clip{}, fmt.Errorf("data of %d bytes is not a whole number of %d-channel 16-bit frames", len(body), c.Channels)
			}
			if len(body) > maxClip {
				return Clip{}, fmt.Errorf("%d bytes of samples: more than a minute; a prompt should be a few seconds", len(body))
			}
			c.Data = body
			return c, nil
		}
	}
	if !haveFmt {
		return Clip{}, errors.New(`no "fmt " chunk`)
	}
	return Clip{}, errors.New(`no "data" chunk`)
}

func parseFmt(b []byte) (Format, error) {
	if len(b) < 16 {
		return Format{}, fmt.Errorf(`"fmt " chunk of %d bytes, want at least 16`, len(b))
	}
	tag := binary.LittleEndian.Uint16(b[0:2])
	ch := int(binary.LittleEndian.Uint16(b[2:4]))
	rate := int(binary.LittleEndian.Uint32(b[4:8]))
	bits := binary.LittleEndian.Uint16(b[14:16])
	switch {
	case tag != 1:
		return Format{}, fmt.Errorf("audio format %d, want 1 (PCM): export the recording as 16-bit PCM WAV", tag)
	case bits != 16:
		return Format{}, fmt.Errorf("%d bits per sample, want 16: export the recording as 16-bit PCM WAV", bits)
	case ch != 1 && ch != 2:
		return Format{}, fmt.Errorf("%d channels, want 1 or 2", ch)
	case rate < minRate || rate > maxRate:
		return Format{}, fmt.Errorf("%d samples per second, want %d to %d", rate, minRate, maxRate)
	}
	return Format{Channels: ch, Rate: rate}, nil
}

// wavHeader is the 44-byte header of a PCM WAV stream of n data bytes.
func wavHeader(f Format, n int) []byte {
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+n))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(f.Channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(f.Rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(f.Rate*f.Channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(f.Channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(n))
	return h
}

// gain is the factor on the samples at volume percent: the square of the
// fraction, since loudness is heard roughly logarithmically and a linear
// slider would do nothing audible over its top half. 100 leaves the
// samples as recorded.
func gain(percent int) float64 {
	f := float64(min(max(percent, 0), 100)) / 100
	return f * f
}

// scale appends src's 16-bit samples to dst multiplied by g (≤ 1, so no
// sample can clip).
func scale(dst, src []byte, g float64) []byte {
	if g == 1 {
		return append(dst, src...)
	}
	for i := 0; i+1 < len(src); i += 2 {
		s := int16(binary.LittleEndian.Uint16(src[i:]))
		dst = binary.LittleEndian.AppendUint16(dst, uint16(int16(math.Round(float64(s)*g))))
	}
	return dst
}

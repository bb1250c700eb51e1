package hashcopy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"unsafe"
)

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCopy(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"a chunk less one", copyChunk - 1},
		{"a chunk", copyChunk},
		{"more chunks than buffers", (copyDepth+2)*copyChunk + 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.n, uint64(tc.n))
			var dst bytes.Buffer
			// OneByteReader and HalfReader return short reads, as
			// pipes and network bodies do.
			for _, src := range []io.Reader{bytes.NewReader(data), iotest.HalfReader(bytes.NewReader(data))} {
				dst.Reset()
				res, err := Copy(context.Background(), &dst, src)
				if err != nil {
					t.Fatal(err)
				}
				if res.N != int64(tc.n) || res.SHA256 != sha256.Sum256(data) || !bytes.Equal(dst.Bytes(), data) {
					t.Fatalf("copied %d of %d bytes, sum ok %v, bytes equal %v", res.N, tc.n, res.SHA256 == sha256.Sum256(data), bytes.Equal(dst.Bytes(), data))
				}
			}
		})
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after < len(p) {
		return w.after, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestCopyErrors(t *testing.T) {
	data := randomBytes(3*ChunkSize, 3)
	boom := errors.New("cable pulled")
	tests := []struct {
		name string
		dst  io.Writer
		src  io.Reader
		want string
	}{
		{"read fails", io.Discard, io.MultiReader(bytes.NewReader(data[:ChunkSize+7]), iotest.ErrReader(boom)), "cable pulled"},
		{"write fails", &failWriter{after: ChunkSize + 3}, bytes.NewReader(data), "disk full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Copy(context.Background(), tc.dst, tc.src)
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) || !bytes.Contains([]byte(err.Error()), []byte("at byte")) {
				t.Fatalf("got %v, want an error naming %q and where", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Copy(ctx, io.Discard, bytes.NewReader(data)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// Each stage sees each chunk whole and in order while the others work on
// it too, and a buffer is not refilled while a stage still reads it: a
// slow stage sees the bytes that were read into it.
func TestPipeStagesShareChunks(t *testing.T) {
	const chunks = 5 * Depth
	const size = 64 << 10
	var next int
	read := func(buf []byte) (Chunk, error) {
		if next == chunks {
			return Chunk{}, io.EOF
		}
		if uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%Align != 0 {
			t.Errorf("buffer not aligned to %d", Align)
		}
		for i := range buf {
			buf[i] = byte(next)
		}
		c := Chunk{Off: int64(next) * size, Data: buf}
		next++
		return c, nil
	}
	var seen [3]atomic.Int64
	stage := func(k int) func(Chunk) error {
		var want int64
		return func(c Chunk) error {
			if c.Off != want*size {
				t.Errorf("stage %d: chunk at %d, want %d", k, c.Off, want*size)
			}
			for range k * 1000 { // the stages go at different speeds
				_ = sha256.Sum256(c.Data[:64])
			}
			if bytes.Count(c.Data, []byte{byte(want)}) != len(c.Data) {
				t.Errorf("stage %d: chunk %d was overwritten while in use", k, want)
			}
			want++
			seen[k].Add(1)
			return nil
		}
	}
	if err := Pipe(context.Background(), size, Depth, read, stage(0), stage(1), stage(2)); err != nil {
		t.Fatal(err)
	}
	for k := range seen {
		if got := seen[k].Load(); got != chunks {
			t.Errorf("stage %d saw %d chunks of %d", k, got, chunks)
		}
	}
}

// What went wrong first in the stream is reported: a stage's error on a
// chunk wins over a read error after it, and a read error is reported
// only after the stages have seen every chunk before it.
func TestPipeFirstError(t *testing.T) {
	bad, cut := errors.New("bad chunk 2"), errors.New("cut at chunk 4")
	reader := func() func([]byte) (Chunk, error) {
		var i int64
		return func(buf []byte) (Chunk, error) {
			if i == 4 {
				return Chunk{}, cut
			}
			i++
			return Chunk{Off: i - 1, Data: buf[:1]}, nil
		}
	}
	var got []int64
	err := Pipe(context.Background(), 4096, 2, reader(), func(c Chunk) error {
		got = append(got, c.Off)
		return nil
	})
	if !errors.Is(err, cut) || len(got) != 4 {
		t.Fatalf("read error: %v after chunks %v, want %v after all 4", err, got, cut)
	}
	err = Pipe(context.Background(), 4096, 2, reader(), func(c Chunk) error {
		if c.Off == 2 {
			return bad
		}
		return nil
	})
	if !errors.Is(err, bad) {
		t.Fatalf("stage error: %v, want %v", err, bad)
	}
}

// BenchmarkCopy copies a 256 MiB file to a new file and hashes it, as
// gridhub's release add stores a bundle: with Copy, and with the plain
// io.Copy through an io.MultiWriter it replaces.
func BenchmarkCopy(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "bundle.raucb")
	data := randomBytes(256<<20, 9)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		b.Fatal(err)
	}
	want := sha256.Sum256(data)
	copies := map[string]func(dst io.Writer, src io.Reader) ([sha256.Size]byte, error){
		"hashcopy": func(dst io.Writer, src io.Reader) ([sha256.Size]byte, error) {
			res, err := Copy(context.Background(), dst, src)
			return res.SHA256, err
		},
		"io.Copy": func(dst io.Writer, src io.Reader) (sum [sha256.Size]byte, err error) {
			h := sha256.New()
			_, err = io.Copy(io.MultiWriter(dst, h), src)
			h.Sum(sum[:0])
			return sum, err
		},
	}
	for _, name := range []string{"hashcopy", "io.Copy"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				in, err := os.Open(src)
				if err != nil {
					b.Fatal(err)
				}
				out, err := os.Create(filepath.Join(dir, "copy"))
				if err != nil {
					b.Fatal(err)
				}
				sum, err := copies[name](out, in)
				if err == nil {
					err = out.Sync()
				}
				in.Close()
				out.Close()
				if err != nil || sum != want {
					b.Fatalf("%v, sum ok %v", err, sum == want)
				}
			}
		})
	}
}

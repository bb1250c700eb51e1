// Package hashcopy moves large files — appliance images, update bundles —
// with reading, hashing and writing each in its own goroutine, so that
// the SHA-256 of what passes costs no time beside the I/O it overlaps.
//
// A plain loop (read a buffer, hash it, write it, repeat) leaves the disk
// idle while the CPU hashes and the CPU idle while the disk works. [Pipe]
// is the engine gridflash writes and reads back cards with; [Copy] is the
// same engine for a plain stream, for whatever else copies a large file
// and must know its SHA-256: gridhub's `release add` storing a bundle
// (the SHA-256 is its ETag), and the station checking a downloaded
// bundle.
package hashcopy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Chunk is a run of bytes of a stream, at Off in it.
type Chunk struct {
	Off  int64
	Data []byte
}

// ChunkSize and Depth suit writing to SD cards, USB sticks and disks:
// requests of 1 MiB are larger than most card readers take in one
// command, and 4 of them in flight stay small enough to be in the CPU's
// cache when the next stage reads them. With 4 MiB chunks gridflash
// spent 15-35% more user time on the amd64 image (each stage fetching
// the bytes from memory again) and was no faster.
const (
	ChunkSize = 1 << 20
	Depth     = 4
)

// Copy's sizes: a stream through the page cache has no request size to
// fill, so its chunks are as small as keeps the hand-over between
// goroutines cheap; more of them keep the goroutines busy.
const (
	copyChunk = 256 << 10
	copyDepth = 8
)

// Align is the alignment of every buffer Pipe hands out: enough for
// O_DIRECT on any block device.
const Align = 4096

// AlignedBuffer returns n bytes whose address is a multiple of Align.
func AlignedBuffer(n int) []byte {
	b := make([]byte, n+Align)
	skip := 0
	if r := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % Align); r != 0 {
		skip = Align - r
	}
	return b[skip : skip+n : skip+n]
}

// Pipe calls read in one goroutine and every stage in a goroutine of its
// own. read fills (a prefix of) the buffer it is given and returns the
// chunk it read, or io.EOF when there is no more. Every stage sees every
// chunk, in order; a buffer is reused only after all stages are done
// with it, and stages must not keep or change a chunk's bytes. Up to
// depth buffers of size bytes, aligned to Align, are in flight.
//
// The first error of a stage, or the context's, stops the pipe and is
// returned once every goroutine has ended. An error from read ends the
// stream there, and is returned after the stages have seen every chunk
// read before it, unless one of them failed on those: what went wrong
// first in the stream is what is reported, as a plain loop would.
func Pipe(ctx context.Context, size, depth int, read func(buf []byte) (Chunk, error), stages ...func(Chunk) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var first, readErr error
	var once sync.Once
	fail := func(err error) {
		once.Do(func() { first = err; cancel(err) })
	}

	type item struct {
		Chunk
		buf  []byte
		left atomic.Int32
	}
	free := make(chan []byte, depth)
	for range depth {
		free <- AlignedBuffer(size)
	}
	ins := make([]chan *item, len(stages))
	var wg sync.WaitGroup
	for i, stage := range stages {
		ins[i] = make(chan *item, depth)
		wg.Add(1)
		go func(in <-chan *item) {
			defer wg.Done()
			for it := range in {
				if ctx.Err() == nil {
					if err := stage(it.Chunk); err != nil {
						fail(err)
					}
				}
				if it.left.Add(-1) == 0 {
					free <- it.buf
				}
			}
		}(ins[i])
	}

	func() {
		defer func() {
			for _, in := range ins {
				close(in)
			}
		}()
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			c, err := read(buf)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				readErr = err
				return
			}
			it := &item{Chunk: c, buf: buf}
			it.left.Store(int32(len(stages)))
			for _, in := range ins {
				in <- it
			}
			if len(stages) == 0 {
				free <- buf
			}
		}
	}()
	wg.Wait()
	switch {
	case first != nil:
		return first
	case readErr != nil:
		return readErr
	}
	return context.Cause(ctx)
}

// Result is what Copy moved.
type Result struct {
	N      int64
	SHA256 [sha256.Size]byte
}

// Copy copies src to dst and returns how many bytes it copied and their
// SHA-256, reading, hashing and writing at once (see [Pipe]). Pass
// io.Discard as dst to hash a file.
func Copy(ctx context.Context, dst io.Writer, src io.Reader) (Result, error) {
	var off int64
	read := func(buf []byte) (Chunk, error) {
		n, err := io.ReadFull(src, buf)
		c := Chunk{Off: off, Data: buf[:n]}
		off += int64(n)
		switch {
		case n > 0 && (err == nil || errors.Is(err, io.ErrUnexpectedEOF)):
			return c, nil
		case err == nil || errors.Is(err, io.ErrUnexpectedEOF):
			return c, io.EOF
		case errors.Is(err, io.EOF):
			return c, io.EOF
		}
		return c, fmt.Errorf("hashcopy: read at byte %d: %w", c.Off, err)
	}
	h := sha256.New()
	var n int64
	sum := func(c Chunk) error { h.Write(c.Data); return nil }
	write := func(c Chunk) error {
		k, err := dst.Write(c.Data)
		n += int64(k)
		if err != nil {
			return fmt.Errorf("hashcopy: write at byte %d: %w", c.Off, err)
		}
		return nil
	}
	err := Pipe(ctx, copyChunk, copyDepth, read, sum, write)
	return Result{N: n, SHA256: sumOf(h)}, err
}

func sumOf(h hash.Hash) (d [sha256.Size]byte) {
	h.Sum(d[:0])
	return d
}

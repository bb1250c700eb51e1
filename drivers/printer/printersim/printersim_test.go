package printersim

import (
	"bytes"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

var job = []byte("\x1b\x40\xd0\xd2\xb8\xa3\xcd\xe5\n\x1d\x56\x00") // ESC @, 幸福湾, LF, cut

func query(t *testing.T, rw interface {
	Write([]byte) (int, error)
	Read([]byte) (int, error)
}, n byte) byte {
	t.Helper()
	if _, err := rw.Write([]byte{0x10, 0x04, n}); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if _, err := rw.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return b[0]
}

// ptyPrinter serves a new printer on a pty and opens its line as the
// station would; both close when the test ends.
func ptyPrinter(t *testing.T) (*Printer, *os.File) {
	t.Helper()
	p := New()
	t.Cleanup(func() { p.Close() })
	line, err := p.ServePTY(t.TempDir(), "printer", 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(line.Path(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return p, f
}

func TestPTYJobsAndStatus(t *testing.T) {
	p, f := ptyPrinter(t)
	if got := query(t, f, 2); got != 0x12 {
		t.Fatalf("ready printer, DLE EOT 2 = %#x", got)
	}
	f.Write(job)
	if !p.WaitJobs(1, 5*time.Second) {
		t.Fatal("job not printed")
	}
	if got := p.Jobs()[0]; !bytes.Equal(got, job) {
		t.Fatalf("job stored as % x", got)
	}
	p.Set(State{PaperOut: true})
	if got := query(t, f, 4); got != 0x7E {
		t.Fatalf("paper out, DLE EOT 4 = %#x", got)
	}
	f.Write(job)
	time.Sleep(100 * time.Millisecond)
	if len(p.Jobs()) != 1 {
		t.Fatal("a printer with no paper printed")
	}
}

func TestCoverOpenMidJob(t *testing.T) {
	p := New()
	defer p.Close()
	ln, err := p.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.OpenCoverAfter(4)
	c.Write(job)
	if !p.WaitFor(func(s Snapshot) bool { return s.State.CoverOpen }, 5*time.Second) {
		t.Fatal("the cover did not open")
	}
	if got := query(t, c, 2); got&0x04 == 0 {
		t.Fatalf("cover open not reported: %#x", got)
	}
	if len(p.Jobs()) != 0 || p.Interrupted() != 1 || p.Buffered() != len(job)-4 {
		t.Fatalf("jobs %d interrupted %d buffered %d after the cover opened mid-job", len(p.Jobs()), p.Interrupted(), p.Buffered())
	}
	p.Set(State{})
	if !p.WaitJobs(1, 5*time.Second) || !bytes.Equal(p.Jobs()[0], job) {
		t.Fatal("the job did not go on to print whole after the cover closed")
	}
}

// The paper speed is real: the buffer drains at it, real-time queries are
// answered at once while it holds a job, in-order requests only once all
// before them has printed, and paper running out stops the draining.
func TestPaperSpeedAndFences(t *testing.T) {
	fences := []struct {
		name  string
		cmd   []byte
		reply []byte
	}{
		{"GS r 1", []byte{0x1D, 'r', 1}, []byte{0x00}},
		{"ESC v", []byte{0x1B, 'v'}, []byte{0x00}},
		{"GS ( H", []byte{0x1D, '(', 'H', 6, 0, 0x30, 0x30, '0', '0', '4', '2'}, []byte{0x37, 0x22, '0', '0', '4', '2', 0x00}},
	}
	for _, tc := range fences {
		t.Run(tc.name, func(t *testing.T) {
			p := New()
			defer p.Close()
			p.SetSpeed(2000)
			ln, err := p.ListenTCP("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			big := append(append([]byte{0x1B, 0x40}, bytes.Repeat([]byte("x"), 2000)...), 0x1D, 0x56, 0x00) // about a second
			p.RunOutAfter(1000)
			start := time.Now()
			c.Write(append(append([]byte(nil), big...), tc.cmd...))
			if got := query(t, c, 1); got != 0x12 {
				t.Fatalf("DLE EOT 1 while printing = %#x", got)
			}
			if !p.WaitFor(func(s Snapshot) bool { return s.State.PaperOut }, 10*time.Second) {
				t.Fatal("the paper did not run out")
			}
			if el := time.Since(start); el < 400*time.Millisecond {
				t.Fatalf("1000 bytes printed in %v at 2000 bytes/s", el)
			}
			if got := query(t, c, 4); got != 0x7E {
				t.Fatalf("DLE EOT 4 with the paper out = %#x", got)
			}
			// The fence waits behind the rest of the job.
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			var b [16]byte
			if n, _ := c.Read(b[:]); n != 0 {
				t.Fatalf("%s answered with the job still unprinted: % x", tc.name, b[:n])
			}
			p.Set(State{})
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			got := make([]byte, len(tc.reply))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, tc.reply) {
				t.Fatalf("%s: reply % x, %v", tc.name, got, err)
			}
			if len(p.Jobs()) != 1 || !bytes.Equal(p.Jobs()[0], big) {
				t.Fatal("answered before the job printed")
			}
		})
	}
}

// A full buffer stops the printer reading, as a busy printer does.
func TestBufferBounded(t *testing.T) {
	p := New()
	defer p.Close()
	p.SetBuffer(1000)
	p.Set(State{PaperOut: true})
	ln, err := p.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write(bytes.Repeat([]byte("y"), 5000))
	if !p.WaitFor(func(s Snapshot) bool { return s.Buffered > 0 }, 5*time.Second) {
		t.Fatal("nothing buffered")
	}
	if b := p.Buffered(); b > 1000 {
		t.Fatalf("%d bytes in a 1000-byte buffer", b)
	}
	p.Set(State{})
	if !p.WaitFor(func(s Snapshot) bool { return s.Buffered == 0 }, 5*time.Second) {
		t.Fatal("the buffer did not drain")
	}
}

func TestASB(t *testing.T) {
	p, f := ptyPrinter(t)
	f.Write([]byte{0x1D, 'a', 0x0F})
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || b != [4]byte{0x10, 0, 0, 0} {
		t.Fatalf("first ASB % x %v", b, err)
	}
	p.Set(State{PaperOut: true})
	if _, err := io.ReadFull(f, b[:]); err != nil || b != [4]byte{0x18, 0, 0x0F, 0} {
		t.Fatalf("paper out ASB % x %v", b, err)
	}
}

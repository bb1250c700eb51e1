package printersim

import (
	"bytes"
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

func TestPTYJobsAndStatus(t *testing.T) {
	p := New()
	defer p.Close()
	line, err := p.ServePTY(t.TempDir(), "printer", 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(line.Path(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	deadline := time.Now().Add(5 * time.Second)
	for !p.State().CoverOpen && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := query(t, c, 2); got&0x04 == 0 {
		t.Fatalf("cover open not reported: %#x", got)
	}
	if len(p.Jobs()) != 0 || p.Spoiled() != 1 {
		t.Fatalf("jobs %d spoiled %d after the cover opened mid-job", len(p.Jobs()), p.Spoiled())
	}
	p.Set(State{})
	c.Write(job)
	if !p.WaitJobs(1, 5*time.Second) || !bytes.Equal(p.Jobs()[0], job) {
		t.Fatal("the job did not print whole after the cover closed")
	}
}

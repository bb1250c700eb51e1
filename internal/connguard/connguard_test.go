package connguard

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// serve starts a server with lim on 127.0.0.1 and returns its address.
func serve(t *testing.T, lim Limits, h http.Handler) (string, *Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, l := lim.Server(h, ln, nil)
	done := make(chan struct{})
	go func() { srv.Serve(l); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String(), l
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closed waits (generously) for the server to close c.
func closed(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := io.Copy(io.Discard, c) // a 408 or 400 first, perhaps
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func waitStats(t *testing.T, l *Listener, what string, cond func(Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond(l.Stats()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v", what, l.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(t *testing.T, addr string) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("a real client's request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// A full listener closes the connection that has waited longest without
// a request, idle or slow, so that a real request is answered.
func TestLongestWaitingGoesFirst(t *testing.T) {
	addr, l := serve(t, Limits{MaxConns: 4}, ok)
	var idle []net.Conn
	for i := range 4 {
		c := dial(t, addr)
		if i == 1 {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x") // slow: a header begun, never ended
		}
		idle = append(idle, c)
		waitStats(t, l, "the connection admitted", func(s Stats) bool { return s.Open == i+1 })
	}
	get(t, addr)
	if !closed(idle[0]) {
		t.Fatal("the longest-waiting connection is still open")
	}
	waitStats(t, l, "the request's connection closed", func(s Stats) bool { return s.Open == 3 })
	dial(t, addr)
	waitStats(t, l, "the listener full again", func(s Stats) bool { return s.Open == 4 })
	get(t, addr)
	if !closed(idle[1]) {
		t.Fatal("the slow connection, next longest waiting, is still open")
	}
	if st := l.Stats(); st.Evicted != 2 || st.Refused != 0 {
		t.Fatalf("stats %+v, want 2 evicted", st)
	}
}

// A keep-alive connection idle after its request waits again, and goes
// before connections that have waited less.
func TestKeepAliveIdleWaits(t *testing.T) {
	addr, l := serve(t, Limits{MaxConns: 2}, ok)
	ka := dial(t, addr)
	io.WriteString(ka, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(ka), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitStats(t, l, "keep-alive connection idle", func(s Stats) bool { return s.Open == 1 && s.Waiting == 1 })
	fresh := dial(t, addr)
	waitStats(t, l, "second connection", func(s Stats) bool { return s.Open == 2 })
	get(t, addr)
	if !closed(ka) {
		t.Fatal("the idle keep-alive connection is still open")
	}
	fresh.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := fresh.Read(make([]byte, 1)); !errors.Is(err, errTimeout(err)) {
		t.Fatalf("the newer connection was closed: %v", err)
	}
}

func errTimeout(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return err
	}
	return errors.New("not a timeout")
}

// Connections in the middle of a request are never closed for a new one;
// the new one is, and the requests complete.
func TestBusyConnectionsKept(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	addr, l := serve(t, Limits{MaxConns: 2}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		io.WriteString(w, "done")
	}))
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			resp, err := http.Get("http://" + addr + "/")
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	<-entered
	<-entered
	extra := dial(t, addr)
	if !closed(extra) {
		t.Fatal("a connection beyond the limit was kept while all were busy")
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a busy request failed: %v", err)
		}
	}
	if st := l.Stats(); st.Refused != 1 || st.Evicted != 0 {
		t.Fatalf("stats %+v, want 1 refused", st)
	}
}

// A client sending its header a byte at a time is cut off at
// ReadHeaderTimeout, however steadily it sends.
func TestSlowHeaderCutOff(t *testing.T) {
	addr, l := serve(t, Limits{MaxConns: 10, ReadHeaderTimeout: 300 * time.Millisecond}, ok)
	c := dial(t, addr)
	start := time.Now()
	cut := make(chan struct{})
	go func() {
		defer close(cut)
		for _, b := range []byte("GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	if !closed(c) {
		t.Fatal("the slow connection was not closed")
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("closed after %v, before ReadHeaderTimeout", d)
	}
	<-cut
	waitStats(t, l, "the connection forgotten", func(s Stats) bool { return s.Open == 0 })
}

func TestFitFileLimit(t *testing.T) {
	if got := FitFileLimit(10); got != 10 {
		t.Fatalf("FitFileLimit(10) = %d", got)
	}
	if got := FitFileLimit(1 << 40); got >= 1<<40 || got < 16 {
		t.Fatalf("FitFileLimit(huge) = %d, want what the file limit leaves", got)
	}
}

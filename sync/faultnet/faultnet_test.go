package faultnet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// backend is an echo server that remembers what it saw.
type backend struct {
	*httptest.Server
	mu        sync.Mutex
	seen      map[string]int // request body → times the handler read it whole
	completed map[string]bool
}

func newBackend(t *testing.T) *backend {
	b := &backend{seen: map[string]int{}, completed: map[string]bool{}}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the request was cut short
		}
		b.mu.Lock()
		b.seen[string(body)]++
		b.mu.Unlock()
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, body)
		b.mu.Lock()
		b.completed[string(body)] = true
		b.mu.Unlock()
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) count(body string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen[body]
}

func (b *backend) done(body string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.completed[body]
}

func listen(t *testing.T, target string, f Faults, seed uint64) *Proxy {
	t.Helper()
	p, err := Listen(strings.TrimPrefix(target, "http://"), Options{Faults: f, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func client(timeout time.Duration, keepAlive bool) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: !keepAlive}}
}

// post sends body to the proxy and returns the answer's body.
func post(c *http.Client, p *Proxy, path string, body io.Reader) (string, error) {
	req, err := http.NewRequest("POST", "http://"+p.Addr()+path, body)
	if err != nil {
		return "", err
	}
	req.Host = "faultnet.test" // the same bytes whatever the proxy's port
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestForwardsFaithfully(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{}, 1)
	c := client(5*time.Second, true)
	for i, size := range []int{0, 1, 100, 4096, 70 << 10, 300 << 10} {
		body := strings.Repeat(string(rune('a'+i)), size)
		got, err := post(c, p, fmt.Sprintf("/r%d", i), strings.NewReader(body))
		if err != nil || got != fmt.Sprintf("POST /r%d %s", i, body) {
			t.Fatalf("request of %d bytes: %v, answer of %d bytes", size, err, len(got))
		}
	}
	// A body of unknown length travels chunked.
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte("chunk-1 ")); pw.Write([]byte("chunk-2")); pw.Close() }()
	if got, err := post(c, p, "/chunked", pr); err != nil || got != "POST /chunked chunk-1 chunk-2" {
		t.Fatalf("chunked: %q, %v", got, err)
	}
	if s := p.Stats(); s.Requests != 7 || s.Accepted != 1 || s.Dropped()+s.Reset+s.Duplicated != 0 {
		t.Fatalf("stats after 7 requests on one connection: %v", s)
	}
}

func TestNotHTTPIsForwardedAsBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	p := listen(t, ln.Addr().String(), Faults{}, 1)
	nc, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	msg := []byte("\x00\x01 not http\r\n\xff\xfe then binary")
	nc.Write(msg)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(nc, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo through the proxy: %q, %v", got, err)
	}
}

func TestRefuse(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{Refuse: 1}, 1)
	if _, err := post(client(5*time.Second, true), p, "/", strings.NewReader("x")); err == nil {
		t.Fatal("a refused connection answered")
	}
	if s := p.Stats(); s.Refused != 1 || b.count("x") != 0 {
		t.Fatalf("stats %v, backend saw the request %d times", s, b.count("x"))
	}
}

func TestBlackhole(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{Blackhole: 1}, 1)
	start := time.Now()
	_, err := post(client(300*time.Millisecond, true), p, "/", strings.NewReader("x"))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("blackholed request: %v, want a timeout", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("blackholed request failed after %v, before the client's timeout", d)
	}
	if s := p.Stats(); s.Blackholed != 1 || b.count("x") != 0 {
		t.Fatalf("stats %v, backend saw the request %d times", s, b.count("x"))
	}
}

func TestDelay(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{Delay: 40 * time.Millisecond, Jitter: 10 * time.Millisecond}, 1)
	start := time.Now()
	if _, err := post(client(5*time.Second, true), p, "/", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	// One request chunk and at least one response chunk.
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("round trip took %v with 40ms per chunk", d)
	}
	if s := p.Stats(); s.Delayed < 2 {
		t.Fatalf("stats %v", s)
	}
}

// TestReset: cuts land both in requests (the server never gets them whole)
// and in responses (the server acted, the client hears an error).
func TestReset(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{Reset: 1, ResetWithin: 500}, 7)
	c := client(5*time.Second, false)
	var lostRequests, lostAnswers int
	for i := range 100 {
		body := fmt.Sprintf("%03d%s", i, strings.Repeat(".", 200))
		_, err := post(c, p, "/", strings.NewReader(body))
		if err == nil {
			continue
		}
		time.Sleep(2 * time.Millisecond) // let the handler finish
		if b.done(body) {
			lostAnswers++
		} else {
			lostRequests++
		}
	}
	if s := p.Stats(); lostRequests == 0 || lostAnswers == 0 || s.Reset == 0 {
		t.Fatalf("cut requests %d, lost answers %d; stats %v", lostRequests, lostAnswers, s)
	}
	t.Logf("cut requests %d, lost answers %d; %v", lostRequests, lostAnswers, p.Stats())
}

func TestDuplicate(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{Duplicate: 1}, 1)
	c := client(5*time.Second, true)
	for i := range 20 {
		body := fmt.Sprintf("record-%d", i)
		got, err := post(c, p, "/v1/records", strings.NewReader(body))
		if err != nil || got != "POST /v1/records "+body {
			t.Fatalf("request %d: %q, %v", i, got, err)
		}
	}
	// The duplicates travel on their own, and are counted once sent.
	eventually(t, "every request twice at the backend", func() bool {
		if p.Stats().Duplicated != 20 {
			return false
		}
		for i := range 20 {
			if b.count(fmt.Sprintf("record-%d", i)) != 2 {
				return false
			}
		}
		return true
	})
	if s := p.Stats(); s.Duplicated != 20 || s.Requests != 20 {
		t.Fatalf("stats %v", s)
	}
}

func TestPartitionRefuse(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{}, 1)
	c := client(5*time.Second, true)
	if _, err := post(c, p, "/", strings.NewReader("before")); err != nil {
		t.Fatal(err)
	}
	p.Partition(PartitionRefuse)
	if _, err := post(c, p, "/", strings.NewReader("during")); err == nil {
		t.Fatal("a request went through a partition")
	}
	p.Heal()
	if _, err := post(c, p, "/", strings.NewReader("after")); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	if s := p.Stats(); s.Partitions != 1 || s.Severed != 1 || b.count("during") != 0 {
		t.Fatalf("stats %v; backend saw the request during the partition %d times", s, b.count("during"))
	}
}

func TestPartitionBlackhole(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{}, 1)
	c := client(300*time.Millisecond, true)
	if _, err := post(c, p, "/", strings.NewReader("before")); err != nil {
		t.Fatal(err)
	}
	p.Partition(PartitionBlackhole)
	// The open connection goes silent, and so does a new one.
	for _, body := range []string{"open", "new"} {
		var ne net.Error
		if _, err := post(c, p, "/", strings.NewReader(body)); !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("request %q during a silent partition: %v, want a timeout", body, err)
		}
	}
	p.Heal()
	if _, err := post(c, p, "/", strings.NewReader("after")); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	if s := p.Stats(); s.Partitions != 1 || s.Severed != 1 || s.Blackholed < 1 || b.count("open")+b.count("new") != 0 {
		t.Fatalf("stats %v; backend saw requests of the partition", s)
	}
}

// TestSeedReplays: the same seed and the same traffic make the same
// decisions.
func TestSeedReplays(t *testing.T) {
	run := func(seed uint64) (string, Stats) {
		b := newBackend(t)
		p := listen(t, b.URL, Faults{Refuse: 0.2, Reset: 0.3, ResetWithin: 400, Duplicate: 0.3}, seed)
		c := client(5*time.Second, false)
		var out strings.Builder
		for i := range 60 {
			_, err := post(c, p, "/", strings.NewReader(fmt.Sprintf("%02d%s", i, strings.Repeat("-", 100))))
			out.WriteString(map[bool]string{true: "ok ", false: "err "}[err == nil])
		}
		p.Close() // waits for the duplicates
		s := p.Stats()
		s.Delayed = 0
		return out.String(), s
	}
	a, sa := run(42)
	b, sb := run(42)
	if a != b || sa != sb {
		t.Fatalf("two runs with seed 42 differ:\n%s\n%v\n%s\n%v", a, sa, b, sb)
	}
	if sa.Refused == 0 || sa.Reset == 0 || sa.Duplicated == 0 {
		t.Fatalf("the replayed run did not exercise every fault: %v", sa)
	}
}

// TestChangeWhileRunning changes every fault while clients are busy; run
// with -race. Once healed the proxy forwards again, and Close waits for
// all of it.
func TestChangeWhileRunning(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{}, 3)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			c := client(200*time.Millisecond, g%2 == 0)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				post(c, p, "/", strings.NewReader(fmt.Sprintf("g%d-%d", g, i)))
			}
		})
	}
	settings := []Faults{
		{Refuse: 0.2, Blackhole: 0.1}, {Delay: time.Millisecond, Jitter: 3 * time.Millisecond},
		{Reset: 0.5, ResetWithin: 300}, {Duplicate: 0.5}, {Partition: PartitionRefuse},
		{Partition: PartitionBlackhole}, {Refuse: 0.1, Reset: 0.2, Duplicate: 0.2, Delay: time.Millisecond},
	}
	for i := range 40 {
		if err := p.SetFaults(settings[i%len(settings)]); err != nil {
			t.Fatal(err)
		}
		p.Stats()
		time.Sleep(15 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	p.SetFaults(Faults{})
	if _, err := post(client(5*time.Second, true), p, "/", strings.NewReader("healed")); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	t.Logf("%v", p.Stats())
}

func TestCloseEndsHeldConnections(t *testing.T) {
	b := newBackend(t)
	p := listen(t, b.URL, Faults{Blackhole: 1}, 1)
	errc := make(chan error, 1)
	go func() {
		_, err := post(client(time.Minute, true), p, "/", strings.NewReader("x"))
		errc <- err
	}()
	eventually(t, "the connection blackholed", func() bool { return p.Stats().Blackholed == 1 })
	start := time.Now()
	p.Close()
	if err := <-errc; err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("client after Close: %v after %v", err, time.Since(start))
	}
}

func TestValidate(t *testing.T) {
	for _, f := range []Faults{{Refuse: -0.1}, {Duplicate: 1.5}, {Refuse: 0.6, Blackhole: 0.6}, {Delay: -1}, {Partition: 9}, {ResetWithin: -1}} {
		if f.Validate() == nil {
			t.Errorf("%+v validated", f)
		}
		if _, err := Listen("127.0.0.1:1", Options{Faults: f}); err == nil {
			t.Errorf("Listen took %+v", f)
		}
	}
	p := listen(t, "127.0.0.1:1", Faults{}, 1)
	if p.SetFaults(Faults{Reset: 2}) == nil || p.Faults() != (Faults{}) {
		t.Fatal("SetFaults took a bad setting")
	}
}

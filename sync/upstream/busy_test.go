package upstream_test

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// Busy tells a stuck forwarder from a waiting one: a send to a hub that
// never answers (and a client with no timeout to end it) keeps it busy,
// while an empty queue or a long backoff is waiting, not busy.
func TestBusy(t *testing.T) {
	t.Run("send that never returns", func(t *testing.T) {
		ln := listen(t, "127.0.0.1:0")
		// Accepts the connection, reads the request, never answers.
		done := make(chan struct{})
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func(c net.Conn) {
					<-done
					c.Close()
				}(c)
			}
		}()
		t.Cleanup(func() { ln.Close(); close(done) })
		r := newRig(t, "http://"+ln.Addr().String())
		r.fwd.Client.HTTP = &http.Client{} // no timeout: only the context ends the send
		if d := r.fwd.Busy(); d != 0 {
			t.Fatalf("busy %v before Run, want 0", d)
		}
		r.put(t, 1, 2, "matter")
		r.run(t)
		waitFor(t, "the forwarder to be busy in its send for 300ms", func() bool { return r.fwd.Busy() >= 300*time.Millisecond })
	})
	t.Run("idle", func(t *testing.T) {
		ln := listen(t, "127.0.0.1:0")
		r := newRig(t, "http://"+ln.Addr().String())
		defer r.serve(t, ln)()
		r.fwd.Idle = time.Hour
		r.put(t, 1, 3, "matter")
		r.run(t)
		waitFor(t, "the queue to drain", func() bool { return r.box.Stats().Queued == 0 })
		waitFor(t, "the forwarder to wait", func() bool { return r.fwd.Busy() == 0 })
	})
	t.Run("long backoff", func(t *testing.T) {
		srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		})}
		ln := listen(t, "127.0.0.1:0")
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		r := newRig(t, "http://"+ln.Addr().String())
		r.fwd.MinBackoff, r.fwd.MaxBackoff = time.Hour, time.Hour
		r.put(t, 1, 2, "matter")
		r.run(t)
		waitFor(t, "a backoff of an hour", func() bool { return time.Until(r.fwd.State().RetryAt) > 10*time.Minute })
		waitFor(t, "the forwarder to wait out its backoff", func() bool { return r.fwd.Busy() == 0 })
	})
}

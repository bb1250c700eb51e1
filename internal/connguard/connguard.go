// Package connguard keeps an HTTP server answering its real clients while
// others open and hold more connections than it can keep.
//
// A Listener admits at most MaxConns connections. When it is full, the
// next connection it accepts closes the connection that has waited
// longest without a request in progress: one that has sent no complete
// request header yet (idle or sending it slowly) or sits idle between
// keep-alive requests. A station, which connects and sends its request at
// once, is therefore served however many idle or slow connections others
// hold: theirs are the oldest waiting ones, and go first. Only when every
// admitted connection is in the middle of a request is a new one closed
// instead. The server's timeouts (Limits) bound how long any connection
// may take over its request header, its body, its answer and its idling.
//
// The limit keeps the process's file descriptors for the files and
// database connections it needs: without it, 20,000 idle connections
// exhausted a hub's file limit ("accept4: too many open files") and it
// stopped answering stations at all.
package connguard

import (
	"container/list"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// Limits are what one server allows each connection, and how many it
// keeps.
type Limits struct {
	// MaxConns is how many connections the server keeps open at once;
	// FitFileLimit lowers it to what the process's file limit leaves.
	MaxConns int
	// ReadHeaderTimeout bounds the wait for a request's header, counted
	// from the connection's first byte wait: a client sending it a byte
	// at a time is cut off here.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request's header
	// to the end of the answer.
	WriteTimeout time.Duration
	// IdleTimeout bounds a keep-alive connection's wait for its next
	// request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's header.
	MaxHeaderBytes int
}

// Server returns an HTTP server for h with these limits, and the listener
// to serve it on: ln, holding at most MaxConns connections. Serve the
// server on the listener, not on ln: the listener learns from the
// server's ConnState which connections are waiting.
func (lim Limits) Server(h http.Handler, ln net.Listener, log *slog.Logger) (*http.Server, *Listener) {
	l := NewListener(ln, lim.MaxConns, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ConnState:         l.ConnState,
	}
	return srv, l
}

// reserveFiles are the file descriptors FitFileLimit leaves besides
// connections: the database, its WAL or pool, logs, the devices.
const reserveFiles = 256

// FitFileLimit returns max, or fewer connections when the process's open
// file limit would not leave reserveFiles besides them. Go raises the
// soft limit to the hard one at start (since Go 1.19; to one below it
// since 1.26, TestGoRaisesFileLimit), so the soft limit read here is
// what the process has; raising the hard limit is the service manager's
// (LimitNOFILE=).
func FitFileLimit(max int) int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == rl.Max && rl.Cur == ^uint64(0) {
		return max
	}
	room := int64(rl.Cur) - reserveFiles
	if room < 16 {
		room = 16
	}
	if int64(max) > room {
		return int(room)
	}
	return max
}

// Stats counts what a Listener did.
type Stats struct {
	Open    int    // connections open now
	Waiting int    // of those, without a request in progress
	Evicted uint64 // waiting connections closed to admit a new one
	Refused uint64 // new connections closed because all were busy
}

// Listener is a net.Listener that holds at most a number of connections;
// see the package comment for which it closes when full.
type Listener struct {
	net.Listener
	max int
	log *slog.Logger

	mu       sync.Mutex
	conns    map[net.Conn]*list.Element // every admitted connection; its element in waiting, or nil while busy
	waiting  *list.List                 // connections without a request in progress, longest waiting first
	st       Stats
	lastWarn time.Time
	warned   Stats // counts at the last warning
}

// NewListener returns ln holding at most max connections (at least 1).
// log, when not nil, hears at Warn, at most once a minute, that the limit
// was reached.
func NewListener(ln net.Listener, max int, log *slog.Logger) *Listener {
	if max < 1 {
		max = 1
	}
	return &Listener{Listener: ln, max: max, log: log, conns: map[net.Conn]*list.Element{}, waiting: list.New()}
}

// Accept returns the next connection admitted, having closed the longest
// waiting one to make room if the listener was full.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		victim, ok := l.admit(c)
		if victim != nil {
			closeNow(victim)
		}
		if ok {
			return c, nil
		}
		closeNow(c)
	}
}

// admit counts c in, and returns the connection to close for it, if any;
// ok is false when c itself is to be closed.
func (l *Listener) admit(c net.Conn) (victim net.Conn, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) >= l.max {
		front := l.waiting.Front()
		if front == nil {
			l.st.Refused++
			l.warn()
			return nil, false
		}
		victim = front.Value.(net.Conn)
		l.forget(victim)
		l.st.Evicted++
		l.warn()
	}
	l.conns[c] = l.waiting.PushBack(c)
	return victim, true
}

// closeNow closes c without waiting on its peer: a TLS connection's
// close_notify could block the accept loop on a client that reads
// nothing, so its socket is closed under it.
func closeNow(c net.Conn) {
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok {
		nc.NetConn().Close()
		return
	}
	c.Close()
}

// forget drops c from the counts; l.mu is held.
func (l *Listener) forget(c net.Conn) {
	if e := l.conns[c]; e != nil {
		l.waiting.Remove(e)
	}
	delete(l.conns, c)
}

// warn logs that the limit was reached, at most once a minute; l.mu is
// held.
func (l *Listener) warn() {
	if l.log == nil || time.Since(l.lastWarn) < time.Minute {
		return
	}
	l.log.Warn("connection limit reached: closing the longest-waiting idle or slow connections to admit new ones",
		"max_conns", l.max, "evicted", l.st.Evicted-l.warned.Evicted, "refused_busy", l.st.Refused-l.warned.Refused,
		"addr", l.Listener.Addr().String())
	l.lastWarn, l.warned = time.Now(), l.st
}

// ConnState is the http.Server's ConnState hook that tells the listener
// which connections have a request in progress.
func (l *Listener) ConnState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, known := l.conns[c]
	if !known {
		return
	}
	switch s {
	case http.StateActive:
		if e != nil {
			l.waiting.Remove(e)
			l.conns[c] = nil
		}
	case http.StateIdle:
		if e == nil {
			l.conns[c] = l.waiting.PushBack(c)
		}
	case http.StateHijacked, http.StateClosed:
		l.forget(c)
	}
}

// Stats returns what the listener holds and has done.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.st
	st.Open, st.Waiting = len(l.conns), l.waiting.Len()
	return st
}

// Package faultnet is a bad network on purpose: a TCP proxy on loopback
// that refuses, blackholes, delays, cuts and duplicates the traffic between
// a client and a server, so that tests can watch what both ends do when the
// network between them misbehaves — in particular whether a station that
// retries and a hub that deduplicates still end up with every record once.
//
// The faults (see Faults) can be changed at any time while the proxy runs,
// from any goroutine; a new setting applies to the next chunk, request or
// connection. Stats counts what the proxy did.
//
// Every random decision comes from generators derived from Options.Seed:
// the n-th accepted connection gets its own generator made from the seed
// and n, so a run with the same seed and the same traffic makes the same
// decisions. (The interleaving of concurrent goroutines, and with it which
// connection is the n-th, is up to the scheduler.)
//
// The proxy forwards bytes, with one exception: to send a request twice it
// must know where the request ends, so the client-to-server direction is
// read as HTTP/1.x requests and each is forwarded whole once its body is in.
// A stream that does not parse as HTTP is forwarded as plain bytes from the
// point where parsing failed. A client that sends "Expect: 100-continue"
// waits for its own timeout before sending the body, because the proxy does
// not answer for the server.
package faultnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// PartitionMode is how a partition treats connections.
type PartitionMode int

const (
	// NoPartition lets traffic through (subject to the other faults).
	NoPartition PartitionMode = iota
	// PartitionRefuse closes every new connection at once and cuts the
	// open ones: the client hears about it immediately.
	PartitionRefuse
	// PartitionBlackhole accepts new connections and answers nothing, and
	// silences the open ones: the client hears nothing until its own
	// timeout gives up.
	PartitionBlackhole
)

func (m PartitionMode) String() string {
	switch m {
	case NoPartition:
		return "none"
	case PartitionRefuse:
		return "refuse"
	case PartitionBlackhole:
		return "blackhole"
	}
	return fmt.Sprintf("PartitionMode(%d)", int(m))
}

// Faults is what the proxy does wrong. The zero value is a faithful proxy.
// Probabilities are in [0, 1].
type Faults struct {
	// Refuse is the probability that a new connection is accepted and
	// closed at once, without anything forwarded.
	Refuse float64
	// Blackhole is the probability that a new connection is accepted and
	// never answered: what the client sends is read and dropped until the
	// client closes the connection. Refuse+Blackhole is at most 1.
	Blackhole float64
	// Delay, plus a uniformly random part below Jitter, is waited before
	// each chunk (a read's worth of bytes, or a whole request) is passed
	// on, in either direction.
	Delay, Jitter time.Duration
	// Reset is the probability that a new connection will be cut, both
	// sides closed with a TCP reset, after a random number of bytes in
	// [1, ResetWithin] in one direction chosen at random: mid-request, or
	// mid-response, which loses an answer the server already acted on.
	Reset float64
	// ResetWithin bounds where a Reset cuts; default 16 KiB.
	ResetWithin int
	// Duplicate is the probability that an HTTP request is sent to the
	// server a second time, on a connection of its own, concurrently with
	// the first; the client sees only the first answer.
	Duplicate float64
	// Partition, when not NoPartition, applies to every connection, new
	// and open, until it is set back to NoPartition.
	Partition PartitionMode
}

// Validate reports a setting the proxy cannot follow.
func (f Faults) Validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"Refuse", f.Refuse}, {"Blackhole", f.Blackhole}, {"Reset", f.Reset}, {"Duplicate", f.Duplicate}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("faultnet: %s = %v, want a probability in [0, 1]", p.name, p.v)
		}
	}
	switch {
	case f.Refuse+f.Blackhole > 1:
		return fmt.Errorf("faultnet: Refuse+Blackhole = %v, want at most 1", f.Refuse+f.Blackhole)
	case f.Delay < 0 || f.Jitter < 0:
		return errors.New("faultnet: Delay and Jitter must not be negative")
	case f.ResetWithin < 0:
		return errors.New("faultnet: ResetWithin must not be negative")
	case f.Partition < NoPartition || f.Partition > PartitionBlackhole:
		return fmt.Errorf("faultnet: unknown %v", f.Partition)
	}
	return nil
}

// Stats counts what the proxy did since it started.
type Stats struct {
	Accepted   uint64 // connections accepted
	Refused    uint64 // connections closed at once: Refuse or a refusing partition
	Blackholed uint64 // connections never answered: Blackhole or a silent partition
	Severed    uint64 // open connections a partition cut or silenced
	Reset      uint64 // connections cut mid-stream by Reset
	Duplicated uint64 // requests sent to the server a second time
	Delayed    uint64 // chunks held back by Delay or Jitter
	Partitions uint64 // partitions begun
	Requests   uint64 // HTTP requests forwarded (not counting duplicates)
	DialErrors uint64 // connections dropped because the server was unreachable
}

// Dropped is how many connections never reached the server.
func (s Stats) Dropped() uint64 { return s.Refused + s.Blackholed }

func (s Stats) String() string {
	return fmt.Sprintf("accepted=%d dropped=%d (refused=%d blackholed=%d) severed=%d reset=%d duplicated=%d delayed=%d partitions=%d requests=%d dial_errors=%d",
		s.Accepted, s.Dropped(), s.Refused, s.Blackholed, s.Severed, s.Reset, s.Duplicated, s.Delayed, s.Partitions, s.Requests, s.DialErrors)
}

// counters are Stats as the goroutines update them.
type counters struct {
	accepted, refused, blackholed, severed, reset, duplicated,
	delayed, partitions, requests, dialErrors atomic.Uint64
}

// Options configure a Proxy.
type Options struct {
	Faults Faults
	// Seed seeds every random decision; runs with the same seed and the
	// same traffic decide the same way.
	Seed uint64
	// Log receives a debug line for every fault applied; default: none.
	Log *slog.Logger
	// DialTimeout bounds connecting to the target; default 5s.
	DialTimeout time.Duration
}

// Proxy is a running faulty proxy. Its methods are safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	log    *slog.Logger
	dial   net.Dialer
	ctx    context.Context // ends with Close
	cancel context.CancelFunc
	faults atomic.Pointer[Faults]
	n      counters
	wg     sync.WaitGroup // the accept loop, connections and duplicates

	// mu orders partitions against accepted connections, so that no
	// connection slips through the start of a partition.
	mu     sync.Mutex
	rng    *rand.Rand
	nconn  uint64
	conns  map[*conn]struct{}
	closed bool
}

// Listen starts a proxy on a free loopback port that forwards to target
// (host:port).
func Listen(target string, opt Options) (*Proxy, error) {
	if err := opt.Faults.Validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultnet: listen: %w", err)
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.DialTimeout <= 0 {
		opt.DialTimeout = 5 * time.Second
	}
	p := &Proxy{
		target: target,
		ln:     ln,
		log:    opt.Log,
		dial:   net.Dialer{Timeout: opt.DialTimeout},
		rng:    rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15)),
		conns:  map[*conn]struct{}{},
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	f := opt.Faults
	p.faults.Store(&f)
	if f.Partition != NoPartition {
		p.n.partitions.Add(1)
	}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address (127.0.0.1:port), to give the client.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Faults returns the faults in force.
func (p *Proxy) Faults() Faults { return *p.faults.Load() }

// SetFaults replaces the faults. Starting a partition acts on the open
// connections at once; the other faults apply from the next chunk,
// request or connection.
func (p *Proxy) SetFaults(f Faults) error {
	return p.update(func(Faults) Faults { return f })
}

// Partition starts (or, with NoPartition, ends) a partition, leaving the
// other faults as they are.
func (p *Proxy) Partition(mode PartitionMode) error {
	return p.update(func(f Faults) Faults {
		f.Partition = mode
		return f
	})
}

// update replaces the faults with change(the current ones), atomically
// with respect to other updates and to accepting connections.
func (p *Proxy) update(change func(Faults) Faults) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := *p.faults.Load()
	f := change(old)
	if err := f.Validate(); err != nil {
		return err
	}
	p.faults.Store(&f)
	if f.Partition == NoPartition || f.Partition == old.Partition {
		return nil
	}
	p.n.partitions.Add(1)
	p.log.Debug("faultnet: partition", "mode", f.Partition, "open", len(p.conns))
	for c := range p.conns {
		if c.sever(f.Partition) {
			p.n.severed.Add(1)
		}
	}
	return nil
}

// Heal ends a partition. The other faults stay; SetFaults(Faults{}) makes
// the network perfect.
func (p *Proxy) Heal() { p.Partition(NoPartition) }

// Stats returns what the proxy did so far.
func (p *Proxy) Stats() Stats {
	return Stats{
		Accepted: p.n.accepted.Load(), Refused: p.n.refused.Load(), Blackholed: p.n.blackholed.Load(),
		Severed: p.n.severed.Load(), Reset: p.n.reset.Load(), Duplicated: p.n.duplicated.Load(),
		Delayed: p.n.delayed.Load(), Partitions: p.n.partitions.Load(), Requests: p.n.requests.Load(),
		DialErrors: p.n.dialErrors.Load(),
	}
}

// Close stops listening, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	err := p.ln.Close()
	for c := range p.conns {
		c.close()
	}
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of file descriptors and the like: wait for it to pass
			// rather than spin.
			p.log.Warn("faultnet: accept", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		p.n.accepted.Add(1)
		c := p.admit(nc)
		if c == nil {
			nc.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			c.serve()
			p.forget(c)
		}()
	}
}

// admit decides a new connection's fate under the lock partitions take, and
// registers it; it returns nil once the proxy is closed.
func (p *Proxy) admit(nc net.Conn) *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	seed := p.rng.Uint64()
	c := newConn(p, nc, p.nconn, seed, *p.faults.Load())
	p.nconn++
	p.conns[c] = struct{}{}
	return c
}

func (p *Proxy) forget(c *conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

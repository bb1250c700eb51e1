package faultnet

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// fate is what happens to a connection as a whole, decided when it is
// accepted.
type fate int

const (
	fateForward fate = iota
	fateRefuse
	fateBlackhole
)

// direction is a side of the traffic.
type direction int

const (
	up   direction = iota // client to target
	down                  // target to client
)

func (d direction) String() string {
	if d == up {
		return "request"
	}
	return "response"
}

// errCut ends forwarding on a connection the proxy cut.
var errCut = errors.New("faultnet: connection cut")

// conn is one proxied connection. Each direction is forwarded by a
// goroutine of its own, which alone uses that direction's rng and sent.
type conn struct {
	p      *Proxy
	id     uint64
	client net.Conn
	fate   fate
	cutDir direction
	cutAt  int64 // bytes in cutDir after which the connection is reset; 0: never
	rng    [2]*rand.Rand
	sent   [2]int64

	mu     sync.Mutex
	target net.Conn // nil until dialled
	held   bool     // silenced: everything is dropped, nothing answered
	closed bool
}

// newConn draws the connection's fate from its own generator, so the
// decisions for connection id depend only on the seed and the faults.
func newConn(p *Proxy, nc net.Conn, id, seed uint64, f Faults) *conn {
	rng := rand.New(rand.NewPCG(seed, id))
	c := &conn{p: p, id: id, client: nc}
	u := rng.Float64()
	switch {
	case f.Partition == PartitionRefuse || u < f.Refuse:
		c.fate = fateRefuse
	case f.Partition == PartitionBlackhole || u < f.Refuse+f.Blackhole:
		c.fate, c.held = fateBlackhole, true
	}
	if rng.Float64() < f.Reset {
		within := f.ResetWithin
		if within == 0 {
			within = 16 << 10
		}
		c.cutDir = direction(rng.IntN(2))
		c.cutAt = 1 + rng.Int64N(int64(within))
	}
	c.rng[up] = rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
	c.rng[down] = rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
	return c
}

func (c *conn) serve() {
	switch c.fate {
	case fateRefuse:
		c.p.n.refused.Add(1)
		c.p.log.Debug("faultnet: refused", "conn", c.id)
		c.close()
		return
	case fateBlackhole:
		c.p.n.blackholed.Add(1)
		c.p.log.Debug("faultnet: blackholed", "conn", c.id)
		c.swallow()
		return
	}
	t, err := c.p.dial.DialContext(c.p.ctx, "tcp", c.p.target)
	if err != nil {
		c.p.n.dialErrors.Add(1)
		c.p.log.Debug("faultnet: target unreachable", "conn", c.id, "err", err)
		c.close()
		return
	}
	if !c.attach(t) { // a partition came while dialling
		t.Close()
		c.swallow()
		return
	}
	if c.cutAt > 0 {
		c.p.log.Debug("faultnet: will reset", "conn", c.id, "in", c.cutDir, "after_bytes", c.cutAt)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.downstream()
	}()
	c.upstream()
	<-done
	c.close()
}

// attach sets the dialled target unless the connection was cut or
// silenced meanwhile.
func (c *conn) attach(t net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.held {
		return false
	}
	c.target = t
	return true
}

// swallow reads and drops what the client sends until it gives up.
func (c *conn) swallow() {
	io.Copy(io.Discard, c.client)
	c.close()
}

func (c *conn) isHeld() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

// sever applies a partition that began to an open connection; it reports
// whether the connection changed. The caller holds the proxy's lock.
func (c *conn) sever(mode PartitionMode) bool {
	if c.fate == fateRefuse {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return false
	case mode == PartitionRefuse:
		c.closeLocked()
	case c.held:
		return false
	default:
		c.held = true
		if c.target != nil {
			// The client stays connected and hears nothing more.
			c.target.Close()
		}
	}
	return true
}

func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *conn) closeLocked() {
	c.closed = true
	c.client.Close()
	if c.target != nil {
		c.target.Close()
	}
}

// reset closes both sides with a TCP reset rather than an orderly close,
// as a middlebox that drops the connection would.
func (c *conn) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, nc := range []net.Conn{c.client, c.target} {
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	}
	c.closeLocked()
}

// endUp passes the end of the client's stream on: an orderly end becomes a
// half-close, so the target still answers what it was sent.
func (c *conn) endUp(err error) {
	tc, ok := c.target.(*net.TCPConn)
	if errors.Is(err, io.EOF) && ok && !c.isHeld() {
		tc.CloseWrite()
		return
	}
	c.close()
}

// copyUp forwards the client's bytes as they come.
func (c *conn) copyUp() {
	buf := make([]byte, 32<<10)
	for {
		n, err := c.client.Read(buf)
		if n > 0 {
			if c.forward(up, buf[:n]) != nil {
				c.afterCut()
				return
			}
		}
		if err != nil {
			c.endUp(err)
			return
		}
	}
}

// afterCut ends the client side after forwarding failed: a silenced
// connection keeps the client hanging, any other is closed.
func (c *conn) afterCut() {
	if c.isHeld() {
		c.swallow()
		return
	}
	c.close()
}

func (c *conn) downstream() {
	defer func() {
		if !c.isHeld() {
			c.close()
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.target.Read(buf)
		if n > 0 {
			if c.forward(down, buf[:n]) != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// forward passes b on in direction d, applying delay, silence and the
// planned reset.
func (c *conn) forward(d direction, b []byte) error {
	f := c.p.faults.Load()
	if wait := f.Delay + jitter(c.rng[d], f.Jitter); wait > 0 {
		c.p.n.delayed.Add(1)
		if !c.sleep(wait) {
			return errCut
		}
	}
	if c.isHeld() {
		return nil
	}
	dst := c.client
	if d == up {
		dst = c.target
	}
	if c.cutAt > 0 && c.cutDir == d {
		if left := c.cutAt - c.sent[d]; int64(len(b)) >= left {
			dst.Write(b[:left])
			c.sent[d] += left
			c.p.n.reset.Add(1)
			c.p.log.Debug("faultnet: reset", "conn", c.id, "in", d, "after_bytes", c.cutAt)
			c.reset()
			return errCut
		}
	}
	n, err := dst.Write(b)
	c.sent[d] += int64(n)
	return err
}

// sleep waits for d; it returns false when the proxy closed meanwhile.
func (c *conn) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.p.ctx.Done():
		return false
	}
}

func jitter(r *rand.Rand, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(r.Int64N(int64(max)))
}

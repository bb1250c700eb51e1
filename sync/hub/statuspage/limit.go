package statuspage

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Limiter lets each client ask Burst times at once and then once every
// Every: a token bucket per client address (an IPv6 client by its /64,
// which one household's phone gets whole). It keeps at most MaxClients
// buckets; when full, the fullest (the longest idle) are forgotten first.
//
// A resident looks at their page a few times; someone trying keys asks
// thousands of times. With 128-bit keys the limit is not what keeps
// pages secret: it keeps one client from making the hub's store work
// for nothing.
type Limiter struct {
	Burst      int
	Every      time.Duration
	MaxClients int

	mu      sync.Mutex
	buckets map[netip.Prefix]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// DefaultLimiter allows 10 pages at once and one more every 6 s
// (10 a minute) per client, for up to 65,536 clients at a time.
func DefaultLimiter() *Limiter {
	return &Limiter{Burst: 10, Every: 6 * time.Second, MaxClients: 1 << 16}
}

// Allow takes a token of client's bucket at now; when there is none it
// says how long until there is.
func (l *Limiter) Allow(client netip.Prefix, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[netip.Prefix]*bucket{}
	}
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) >= l.MaxClients {
			l.forget(now)
		}
		b = &bucket{tokens: float64(l.Burst), at: now}
		l.buckets[client] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(l.Every)), false
	}
	b.tokens--
	return 0, true
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(l.Burst), b.tokens+float64(d)/float64(l.Every))
		b.at = now
	}
}

// forget drops the buckets that are full again (clients that stopped
// asking), or, when every client is still asking, half of them: a
// flood of new addresses then cannot grow the map without bound.
func (l *Limiter) forget(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.MaxClients {
		return
	}
	n := 0
	for k := range l.buckets {
		if n++; n%2 == 0 {
			delete(l.buckets, k)
		}
	}
}

// clientOf is the address a request is limited by: the peer's address
// (a portal in front of the hub shares one limit among its clients), an
// IPv6 one by its /64.
func clientOf(r *http.Request) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(d.Seconds()) + 1)
}

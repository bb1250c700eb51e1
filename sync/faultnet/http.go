package faultnet

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// upstream forwards the client's requests one whole request at a time, so
// that a request can be sent twice. Parsing is only for finding where a
// request ends: what is forwarded is the client's bytes, unchanged.
func (c *conn) upstream() {
	in := &capture{r: c.client}
	br := bufio.NewReaderSize(in, 64<<10)
	for {
		req, err := http.ReadRequest(br)
		if err == nil {
			_, err = io.Copy(io.Discard, req.Body)
			req.Body.Close()
		}
		if err != nil {
			c.rest(in)
			return
		}
		// What the parser consumed is this request; what it buffered
		// beyond is the start of the next.
		raw := in.take(len(in.buf) - br.Buffered())
		c.p.n.requests.Add(1)
		if c.forward(up, raw) != nil {
			c.afterCut()
			return
		}
		c.maybeDuplicate(raw, req.Method)
	}
}

// rest forwards what the client sent that is not a whole request — the
// start of a stream that is not HTTP, or a request the client cut short —
// and then its bytes as they come.
func (c *conn) rest(in *capture) {
	if b := in.take(len(in.buf)); len(b) > 0 {
		if c.forward(up, b) != nil {
			c.afterCut()
			return
		}
	}
	if in.err != nil {
		c.endUp(in.err)
		return
	}
	c.copyUp()
}

// maybeDuplicate sends raw to the target once more, with the probability
// the faults say, unless a partition is on.
func (c *conn) maybeDuplicate(raw []byte, method string) {
	f := c.p.faults.Load()
	if f.Duplicate <= 0 || f.Partition != NoPartition || c.rng[up].Float64() >= f.Duplicate {
		return
	}
	c.p.wg.Add(1)
	go func() {
		defer c.p.wg.Done()
		c.p.replay(c.id, raw, method)
	}()
}

// replay sends a request on a connection of its own and reads the answer
// through, so the server finishes with it as with any other request; the
// answer goes nowhere.
func (p *Proxy) replay(id uint64, raw []byte, method string) {
	t, err := p.dial.DialContext(p.ctx, "tcp", p.target)
	if err != nil {
		p.log.Debug("faultnet: duplicate not sent", "conn", id, "err", err)
		return
	}
	defer t.Close()
	defer context.AfterFunc(p.ctx, func() { t.Close() })()
	t.SetDeadline(time.Now().Add(time.Minute))
	if _, err := t.Write(raw); err != nil {
		p.log.Debug("faultnet: duplicate not sent", "conn", id, "err", err)
		return
	}
	p.n.duplicated.Add(1)
	resp, err := http.ReadResponse(bufio.NewReader(t), &http.Request{Method: method})
	if err != nil {
		p.log.Debug("faultnet: duplicate unanswered", "conn", id, "err", err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	p.log.Debug("faultnet: duplicated", "conn", id, "method", method, "status", resp.StatusCode)
}

// capture keeps every byte read through it, so that the bytes a parser
// consumed can be forwarded exactly as they came.
type capture struct {
	r   io.Reader
	buf []byte
	err error // the first read error: the client's stream ended
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// take removes and returns the first n captured bytes.
func (c *capture) take(n int) []byte {
	b := bytes.Clone(c.buf[:n])
	c.buf = append(c.buf[:0], c.buf[n:]...)
	return b
}

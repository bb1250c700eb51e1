package printer

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// tcpConn is a network printer's raw port (9100).
type tcpConn struct {
	c net.Conn
}

// DialTCP connects to a network printer at addr (host:port, usually port
// 9100).
func DialTCP(addr string, timeout time.Duration) (Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("printer: connect %s: %w", addr, err)
	}
	return &tcpConn{c: c}, nil
}

func (t *tcpConn) Read(b []byte) (int, error) {
	t.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := t.c.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	return n, err
}

func (t *tcpConn) Write(b []byte) (int, error) {
	t.c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return t.c.Write(b)
}

func (t *tcpConn) Close() error { return t.c.Close() }

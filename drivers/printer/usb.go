package printer

import (
	"fmt"
	"os"
	"time"
)

// usbConn is a USB printer-class device (/dev/usb/lp*). The kernel's
// usblp driver handles flow control; status replies arrive through the
// same file.
type usbConn struct {
	f *os.File
}

// OpenUSB opens a USB printer-class device such as /dev/usb/lp0.
func OpenUSB(path string) (Conn, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("printer: open %s: %w", path, err)
	}
	return &usbConn{f: f}, nil
}

func (c *usbConn) Read(b []byte) (int, error) {
	// usblp reads block until the printer sends; a deadline keeps a
	// silent printer from hanging the status query.
	c.f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := c.f.Read(b)
	if os.IsTimeout(err) {
		return n, nil
	}
	return n, err
}

func (c *usbConn) Write(b []byte) (int, error) { return c.f.Write(b) }
func (c *usbConn) Close() error                { return c.f.Close() }

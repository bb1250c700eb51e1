// Package qrscansim emulates a serial QR scanner on a pseudo-terminal: it
// sends codes with the suffix, AIM prefix and charset of the scanner
// model being imitated, and misbehaves on request — split writes, pauses
// inside a code, line noise, no suffix, an unplug.
package qrscansim

import (
	"bytes"
	"errors"
	"sync"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/gridkiosk/gridkiosk/drivers/serialport/serialporttest"
)

// Scanner is an emulated scanner.
type Scanner struct {
	line *serialporttest.Line

	mu       sync.Mutex
	received []byte
	seen     int    // received bytes already searched for a trigger
	armed    *armed // the code under a triggered scanner's window
	triggers int
}

type armed struct {
	data string
	how  How
}

// Trigger commands the emulator answers; the bytes are the scanner makers'
// (a fact of the devices, so written out here rather than taken from the
// driver under test).
var triggerOn = [][]byte{
	{0x16, 'T', '\r'}, // Honeywell SYN T CR
	{0x7E, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xAB, 0xCD}, // GM65 one-shot
}

// New starts an emulated scanner whose line a driver opens at dir/name,
// paced at baud (0: as fast as the pty goes).
func New(dir, name string, baud int) (*Scanner, error) {
	line, err := serialporttest.NewLine(dir, name, baud)
	if err != nil {
		return nil, err
	}
	s := &Scanner{line: line}
	go s.listen()
	return s, nil
}

// Path is what a driver opens.
func (s *Scanner) Path() string { return s.line.Path() }

// How describes how one code is sent.
type How struct {
	Suffix   string // "\r" when empty and NoSuffix is false; "\r\n" for CR LF
	NoSuffix bool   // send no terminator: the driver must end the code on the idle gap
	AIM      string // AIM code ID to put first, e.g. "]Q1"
	GB18030  bool   // encode the data as GB18030 (Chinese scanners) instead of UTF-8
	// Pieces splits the write into this many parts, Pause apart: a
	// scanner whose USB bridge sends a code in several packets.
	Pieces int
	Pause  time.Duration
}

// Scan sends one code.
func (s *Scanner) Scan(data string, h How) error {
	b := []byte(h.AIM)
	payload := []byte(data)
	if h.GB18030 {
		enc, err := simplifiedchinese.GB18030.NewEncoder().Bytes(payload)
		if err != nil {
			return err
		}
		payload = enc
	}
	b = append(b, payload...)
	switch {
	case h.NoSuffix:
	case h.Suffix == "":
		b = append(b, '\r')
	default:
		b = append(b, h.Suffix...)
	}
	pieces := max(h.Pieces, 1)
	size := (len(b) + pieces - 1) / pieces
	for off := 0; off < len(b); off += size {
		if off > 0 {
			time.Sleep(h.Pause)
		}
		if _, err := s.line.Write(b[off:min(off+size, len(b))]); err != nil {
			return err
		}
	}
	return nil
}

// Send writes raw bytes: noise, or a stuck scanner's endless output.
func (s *Scanner) Send(raw []byte) error {
	_, err := s.line.Write(raw)
	return err
}

// Arm puts a code in front of a command-triggered scanner: it is sent
// when the next trigger command arrives, not before.
func (s *Scanner) Arm(data string, h How) {
	s.mu.Lock()
	s.armed = &armed{data, h}
	s.mu.Unlock()
}

// Triggers counts the trigger commands received so far.
func (s *Scanner) Triggers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.triggers
}

// Received returns what the driver sent the scanner (trigger commands).
func (s *Scanner) Received() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.received...)
}

// Unplug pulls the scanner's cable; Replug puts it back.
func (s *Scanner) Unplug() error { return s.line.Unplug() }

// Replug puts the scanner's cable back in.
func (s *Scanner) Replug() error { return s.line.Replug() }

// Close removes the scanner.
func (s *Scanner) Close() error { return s.line.Close() }

func (s *Scanner) listen() {
	buf := make([]byte, 256)
	for {
		n, err := s.line.Read(buf)
		if errors.Is(err, serialporttest.ErrUnplugged) {
			s.line.WaitPlugged()
			if s.line.Closed() {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		s.mu.Lock()
		s.received = append(s.received, buf[:n]...)
		fire := s.triggeredLocked()
		s.mu.Unlock()
		if fire != nil {
			s.Scan(fire.data, fire.how)
		}
	}
}

// triggeredLocked looks for a trigger command in what arrived since the
// last look and returns the armed code it releases, if any.
func (s *Scanner) triggeredLocked() *armed {
	for _, cmd := range triggerOn {
		if i := bytes.Index(s.received[s.seen:], cmd); i >= 0 {
			s.seen += i + len(cmd)
			s.triggers++
			a := s.armed
			s.armed = nil
			return a
		}
	}
	// Keep a partial command's first bytes for the next read.
	s.seen = max(s.seen, len(s.received)-8)
	return nil
}

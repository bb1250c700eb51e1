package idcardsim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/serialport/serialporttest"
)

// Fault is a misbehaviour the emulator plays on one reply.
type Fault int

const (
	// Noise sends random bytes before the reply.
	Noise Fault = iota + 1
	// BadChecksum sends the reply with its checksum byte flipped.
	BadChecksum
	// Truncate sends the first half of the reply and nothing more.
	Truncate
	// Silent sends no reply at all.
	Silent
	// UnplugMidReply sends half the reply, then the line is unplugged.
	UnplugMidReply
)

// Reader is an emulated SAM card reader on a pseudo-terminal. Its methods
// are safe to call while it serves.
type Reader struct {
	line *serialporttest.Line

	mu   sync.Mutex
	card *idcard.Card
	// read is set once the laid card was read: find then fails until the
	// card is laid again, while select and read still work on it, so a
	// host can read again after a transfer that failed.
	read     bool
	faults   []faultOn
	silent   bool
	samID    idcard.SAMID
	commands map[idcard.Command]int
}

type faultOn struct {
	f   Fault
	cmd idcard.Command // 0: the next reply, whatever the command
}

// New starts an emulated reader whose line a driver opens at dir/name,
// pacing its replies at baud (0: as fast as the pty goes). It serves until
// Close.
func New(dir, name string, baud int) (*Reader, error) {
	line, err := serialporttest.NewLine(dir, name, baud)
	if err != nil {
		return nil, err
	}
	r := &Reader{line: line, commands: map[idcard.Command]int{}}
	// 05.01-20100101-0123456789-1234567890, the format vendors print.
	binary.LittleEndian.PutUint16(r.samID[0:], 5)
	binary.LittleEndian.PutUint16(r.samID[2:], 1)
	binary.LittleEndian.PutUint32(r.samID[4:], 20100101)
	binary.LittleEndian.PutUint32(r.samID[8:], 123456789)
	binary.LittleEndian.PutUint32(r.samID[12:], 1234567890)
	go r.serve()
	return r, nil
}

// Path is what a driver opens.
func (r *Reader) Path() string { return r.line.Path() }

// Lay puts a card on the reader.
func (r *Reader) Lay(c idcard.Card) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.card, r.read = &c, false
}

// Lift takes the card off.
func (r *Reader) Lift() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.card, r.read = nil, false
}

// Inject queues faults, each played on one reply to cmd (0 for any
// command), in order.
func (r *Reader) Inject(cmd idcard.Command, faults ...Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range faults {
		r.faults = append(r.faults, faultOn{f: f, cmd: cmd})
	}
}

// SetSilent makes the reader stop answering (true) or answer again.
func (r *Reader) SetSilent(s bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.silent = s
}

// Unplug pulls the reader's cable; Replug puts it back.
func (r *Reader) Unplug() error { return r.line.Unplug() }

// Replug puts the reader's cable back in. A USB reader is powered by its
// cable, so it comes back with no memory of having read the card on it.
func (r *Reader) Replug() error {
	r.mu.Lock()
	r.read = false
	r.mu.Unlock()
	return r.line.Replug()
}

// Commands returns how often each command was received.
func (r *Reader) Commands() map[idcard.Command]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[idcard.Command]int, len(r.commands))
	for k, v := range r.commands {
		out[k] = v
	}
	return out
}

// Close stops the emulator and removes its line.
func (r *Reader) Close() error { return r.line.Close() }

func (r *Reader) serve() {
	buf := make([]byte, 0, 4096)
	chunk := make([]byte, 512)
	for {
		n, err := r.line.Read(chunk)
		if err != nil {
			if errors.Is(err, serialporttest.ErrUnplugged) {
				buf = buf[:0]
				r.line.WaitPlugged()
				if r.line.Closed() {
					return
				}
				continue
			}
			return
		}
		buf = append(buf, chunk[:n]...)
		for {
			body, used, err := idcard.DecodeFrame(buf)
			if errors.Is(err, idcard.ErrShort) {
				buf = append(buf[:0], buf[used:]...)
				break
			}
			buf = append(buf[:0], buf[used:]...)
			if err != nil {
				r.reply(0, idcard.Reply{Status: idcard.StatusChecksum})
				continue
			}
			cmd, data, err := idcard.ParseCommand(body)
			if err != nil {
				r.reply(0, idcard.Reply{Status: idcard.StatusLength})
				continue
			}
			r.reply(cmd, r.answer(cmd, data))
		}
	}
}

// answer is the reader's logic: what a real reader replies to cmd.
func (r *Reader) answer(cmd idcard.Command, data []byte) idcard.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commands[cmd]++
	switch cmd {
	case idcard.CmdResetSAM, idcard.CmdSAMStatus, idcard.CmdSetMaxRF:
		return idcard.Reply{Status: idcard.StatusOK}
	case idcard.CmdSAMID:
		return idcard.Reply{Status: idcard.StatusOK, Data: append([]byte(nil), r.samID[:]...)}
	case idcard.CmdFind:
		if r.card == nil || r.read {
			return idcard.Reply{Status: idcard.StatusNoCard}
		}
		return idcard.Reply{Status: idcard.StatusFound, Data: make([]byte, 4)}
	case idcard.CmdSelect:
		if r.card == nil {
			return idcard.Reply{Status: idcard.StatusSelectFailed}
		}
		return idcard.Reply{Status: idcard.StatusOK, Data: make([]byte, 8)}
	case idcard.CmdReadText, idcard.CmdReadFingerprint:
		if r.card == nil {
			return idcard.Reply{Status: idcard.StatusReadFailed}
		}
		text, err := idcard.EncodeText(*r.card)
		if err != nil {
			return idcard.Reply{Status: idcard.StatusReadFailed}
		}
		photo := fit(r.card.Photo, 1024)
		var fp []byte
		if cmd == idcard.CmdReadFingerprint {
			fp = fit(r.card.Fingerprint, 1024)
		}
		r.read = true
		return idcard.Reply{Status: idcard.StatusOK, Data: idcard.AppendReadData(nil, text, photo, fp)}
	case idcard.CmdReadNewAddress:
		return idcard.Reply{Status: idcard.StatusEmpty}
	}
	return idcard.Reply{Status: idcard.StatusBadCommand}
}

func fit(b []byte, n int) []byte {
	out := make([]byte, n)
	copy(out, b)
	return out
}

// reply sends rep, played through the next matching fault if any.
func (r *Reader) reply(cmd idcard.Command, rep idcard.Reply) {
	frame := idcard.AppendReply(nil, rep)
	r.mu.Lock()
	silent := r.silent
	var fault Fault
	for i, f := range r.faults {
		if f.cmd == 0 || f.cmd == cmd {
			fault = f.f
			r.faults = append(r.faults[:i], r.faults[i+1:]...)
			break
		}
	}
	r.mu.Unlock()
	if silent {
		return
	}
	switch fault {
	case Noise:
		noise := make([]byte, 3+rand.IntN(20))
		for i := range noise {
			noise[i] = byte(rand.IntN(256))
			if noise[i] == 0xAA {
				noise[i] = 0x55 // keep the noise from forming a preamble by chance
			}
		}
		frame = append(noise, frame...)
	case BadChecksum:
		frame[len(frame)-1] ^= 0x5A
	case Truncate:
		frame = frame[:len(frame)/2]
	case Silent:
		return
	case UnplugMidReply:
		r.line.Write(frame[:len(frame)/2])
		r.line.Unplug()
		return
	}
	r.line.Write(frame)
}

// String describes the reader for logs.
func (r *Reader) String() string { return fmt.Sprintf("idcardsim at %s", r.line.Path()) }

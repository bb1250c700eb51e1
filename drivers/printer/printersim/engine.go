package printersim

import "time"

// enqueue puts it into the buffer as room comes free: job data a part
// at a time, a command whole (even into a full buffer when it is empty,
// however long). A fence takes no room: it is answered, not printed.
func (p *Printer) enqueue(it item) bool {
	for {
		p.mu.Lock()
		room := p.bufCap - p.queued
		added := true
		switch {
		case it.kind == evFence:
			p.queue = append(p.queue, it)
			it.b = nil
		case it.kind != evData && (len(it.b) <= room || p.queued == 0):
			p.queue = append(p.queue, it)
			p.queued += len(it.b)
			it.b = nil
		case it.kind == evData && room > 0:
			n := min(room, len(it.b))
			p.queue = append(p.queue, item{kind: evData, b: it.b[:n]})
			p.queued += n
			it.b = it.b[n:]
		default:
			added = false
		}
		if added {
			p.notifyLocked()
		}
		ch := p.changed
		p.mu.Unlock()
		if len(it.b) == 0 {
			return true
		}
		select {
		case <-ch:
		case <-p.quit:
			return false
		}
	}
}

// engine is the print head: it takes the buffer in order at the paper
// speed, stopping while the printer is stopped.
func (p *Printer) engine() {
	last := time.Now()
	credit := 0.0
	for {
		p.mu.Lock()
		if len(p.queue) == 0 || p.st.stopped() {
			ch := p.changed
			p.mu.Unlock()
			select {
			case <-ch:
			case <-p.quit:
				return
			}
			last, credit = time.Now(), 0
			continue
		}
		now := time.Now()
		if p.speed > 0 {
			// Credit for at most two ticks: a head that waited does not
			// print faster afterwards.
			credit = min(credit+now.Sub(last).Seconds()*float64(p.speed), float64(p.speed)*2*tick.Seconds())
		}
		last = now
		reply, to, progressed := p.stepLocked(&credit)
		p.mu.Unlock()
		if to != nil {
			to.send(reply)
		}
		if !progressed {
			select {
			case <-time.After(tick):
			case <-p.quit:
				return
			}
		}
	}
}

// stepLocked prints from the front of the buffer. It returns a fence's
// reply and whom to send it, and whether anything was done.
func (p *Printer) stepLocked(credit *float64) ([]byte, *replier, bool) {
	it := &p.queue[0]
	switch it.kind {
	case evFence:
		p.queue = p.queue[1:]
		p.notifyLocked()
		if p.ignoreInOrder {
			return nil, nil, true
		}
		return fenceReply(it.b, p.st), it.to, true
	case evCut:
		p.queue = p.queue[1:]
		p.queued -= len(it.b)
		p.cur = append(p.cur, it.b...)
		p.jobs = append(p.jobs, p.cur)
		p.cur, p.curStopped = nil, false
		p.notifyLocked()
		return nil, nil, true
	}
	n := len(it.b)
	if p.speed > 0 {
		n = min(n, int(*credit))
	}
	trigger := func(after *int) bool {
		if *after >= 0 && *after <= n {
			n = *after
			return true
		}
		return false
	}
	paper, cover := trigger(&p.paperAfter), trigger(&p.coverAfter)
	if n == 0 && !paper && !cover {
		return nil, nil, false
	}
	p.cur = append(p.cur, it.b[:n]...)
	it.b = it.b[n:]
	p.queued -= n
	*credit -= float64(n)
	if p.paperAfter >= 0 {
		p.paperAfter -= n
	}
	if p.coverAfter >= 0 {
		p.coverAfter -= n
	}
	if len(it.b) == 0 {
		p.queue = p.queue[1:]
	}
	if paper || cover {
		st := p.st
		st.PaperOut = st.PaperOut || paper
		st.CoverOpen = st.CoverOpen || cover
		if paper {
			p.paperAfter = -1
		}
		if cover {
			p.coverAfter = -1
		}
		if !p.curStopped {
			p.curStopped = true
			p.interrupted++
		}
		p.setLocked(st)
		return nil, nil, true
	}
	p.notifyLocked()
	return nil, nil, true
}

func (p *Printer) sendASBLocked() {
	msg := asbStatus(p.st)
	for r := range p.asb {
		r.send(msg)
	}
}

// fenceReply is the answer to an in-order request, given when it is
// reached: GS r 1 and ESC v give the paper sensors, GS r 2 the drawer,
// GS ( H fn 48 the process ID.
func fenceReply(cmd []byte, st State) []byte {
	if cmd[0] == 0x1D && cmd[1] == '(' {
		return []byte{0x37, 0x22, cmd[7], cmd[8], cmd[9], cmd[10], 0x00}
	}
	if cmd[0] == 0x1D && (cmd[2] == 2 || cmd[2] == '2') {
		return []byte{0x00}
	}
	var b byte
	if st.PaperNearEnd || st.PaperOut {
		b |= 0x03
	}
	if st.PaperOut {
		b |= 0x0C
	}
	return []byte{b}
}

// asbStatus is an automatic status: byte 0 bit 4 fixed, bit 3 offline,
// bit 5 cover open; byte 2 bits 0–1 paper near end, bits 2–3 paper end.
func asbStatus(st State) []byte {
	b := []byte{0x10, 0, 0, 0}
	if st.stopped() {
		b[0] |= 0x08
	}
	if st.CoverOpen {
		b[0] |= 0x20
	}
	if st.PaperNearEnd || st.PaperOut {
		b[2] |= 0x03
	}
	if st.PaperOut {
		b[2] |= 0x0C
	}
	return b
}

// statusByte is the reply to DLE EOT n. Bits 1 and 4 are always set.
func statusByte(st State, n byte) byte {
	b := byte(0x12)
	switch n {
	case 1:
		if st.stopped() {
			b |= 0x08
		}
	case 2:
		if st.CoverOpen {
			b |= 0x04 | 0x40
		}
		if st.PaperOut {
			b |= 0x20
		}
	case 4:
		if st.PaperNearEnd || st.PaperOut {
			b |= 0x0C
		}
		if st.PaperOut {
			b |= 0x60
		}
	}
	return b
}

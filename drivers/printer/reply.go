package printer

// What a printer sends back is a mix: one-byte replies to DLE EOT,
// one-byte replies to GS r and ESC v, 7-byte process ID responses and,
// with ASB on, 4-byte automatic statuses. Their fixed bits tell them
// apart, so a reply to one request is never taken for another's.

type replyKind int

const (
	replyRealTime  replyKind = iota // DLE EOT n: bits 1 and 4 set, bit 0 clear
	replyPaper                      // GS r 1 / ESC v: bits 4 and 7 clear
	replyProcessID                  // GS ( H fn 48: 37 22 d1 d2 d3 d4 00
	replyASB                        // GS a: 4 bytes, the first with bit 4 set and bits 0, 1, 7 clear
)

type reply struct {
	kind replyKind
	b    byte    // replyRealTime, replyPaper
	id   [4]byte // replyProcessID
	st   Status  // replyASB
}

// replyReader splits what a printer sends into replies. asb says whether
// automatic status is on: without it a byte that could start a status is
// noise. The zero replyReader is ready to use.
type replyReader struct {
	asb   bool
	pid   [7]byte
	pidN  int
	frame [4]byte
	asbN  int
}

// pidHeader and pidID start a process ID response.
const (
	pidHeader = 0x37
	pidID     = 0x22
)

func (r *replyReader) feed(in []byte) []reply {
	var out []reply
	for _, c := range in {
		if r.pidN > 0 {
			if rep, done, ok := r.pidByte(c); ok {
				if done {
					out = append(out, rep)
				}
				continue
			}
			// Not a process ID response after all: read c afresh.
		}
		if r.asbN > 0 && c&asbRestMask == 0 {
			r.frame[r.asbN] = c
			r.asbN++
			if r.asbN == len(r.frame) {
				out = append(out, reply{kind: replyASB, st: parseASB(r.frame)})
				r.asbN = 0
			}
			continue
		}
		r.asbN = 0
		switch {
		case c == pidHeader:
			r.pid[0], r.pidN = c, 1
		case r.asb && c&asbFirstMask == asbFirst:
			r.frame[0], r.asbN = c, 1
		case c&0x13 == 0x12: // bit 7 may be set in DLE EOT 1's reply
			out = append(out, reply{kind: replyRealTime, b: c})
		case c&0x90 == 0:
			out = append(out, reply{kind: replyPaper, b: c})
		}
	}
	return out
}

// pidByte takes the next byte of a process ID response. ok is false when
// c cannot be that byte; done when the response is complete.
func (r *replyReader) pidByte(c byte) (rep reply, done, ok bool) {
	switch n := r.pidN; {
	case n == 1 && c == pidID, n >= 2 && n <= 5 && c >= '0' && c <= '9':
		r.pid[n] = c
		r.pidN++
		return reply{}, false, true
	case n == 6 && c == 0x00:
		r.pidN = 0
		rep = reply{kind: replyProcessID}
		copy(rep.id[:], r.pid[2:6])
		return rep, true, true
	}
	r.pidN = 0
	return reply{}, false, false
}

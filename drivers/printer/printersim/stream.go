package printersim

// A printer reads its input as commands, not bytes: a status query inside
// raster data is image data, and a cut is only a cut at a command
// boundary. streamParser knows the lengths of the commands whose data could
// otherwise be mistaken for commands.
type streamParser struct {
	pend []byte // bytes of an incomplete command
}

type evKind int

const (
	evData   evKind = iota
	evStatus        // DLE EOT n: answered at once
	evCut           // GS V: ends a job
	evFence         // GS r, ESC v, GS ( H fn 48: answered once all before it printed
	evASB           // GS a n: automatic status back on or off
)

type event struct {
	kind evKind
	n    byte   // DLE EOT n
	b    []byte // data, or the command
}

// maxPending bounds what an incomplete command may hold; a real printer's
// input buffer is of this order.
const maxPending = 1 << 20

func (s *streamParser) parse(in []byte) []event {
	buf := append(s.pend, in...)
	s.pend = nil
	var out []event
	data := 0 // start of plain data not yet emitted
	flush := func(end int) {
		if end > data {
			out = append(out, event{kind: evData, b: buf[data:end]})
		}
	}
	i := 0
	for i < len(buf) {
		n, kind, ok := commandLen(buf[i:])
		if !ok {
			if len(buf)-i > maxPending {
				// A command longer than any buffer: take it as data.
				i++
				continue
			}
			flush(i)
			s.pend = append([]byte(nil), buf[i:]...)
			return out
		}
		if kind != evData {
			flush(i)
			ev := event{kind: kind, b: buf[i : i+n]}
			if kind == evStatus {
				ev.n = buf[i+2]
			}
			out = append(out, ev)
			data = i + n
		}
		i += n
	}
	flush(len(buf))
	return out
}

// commandLen returns the length of the command at b[0]: 1 for plain data,
// and ok false when b ends inside the command.
func commandLen(b []byte) (n int, kind evKind, ok bool) {
	need := func(k int) (int, evKind, bool) { return k, evData, len(b) >= k }
	switch b[0] {
	case 0x10: // DLE EOT n
		if len(b) < 3 {
			return 0, 0, false
		}
		if b[1] == 0x04 {
			return 3, evStatus, true
		}
		return 1, evData, true
	case 0x1B: // ESC: most take one parameter byte
		if len(b) < 2 {
			return 0, 0, false
		}
		switch b[1] {
		case '@', '2':
			return 2, evData, true
		case 'v': // ESC v: paper sensor status, in order
			return 2, evFence, true
		case 'p': // ESC p m t1 t2: cash drawer
			return need(5)
		}
		return need(3)
	case 0x1D:
		if len(b) < 2 {
			return 0, 0, false
		}
		switch b[1] {
		case 0x56: // GS V m [n]
			if len(b) < 3 {
				return 0, 0, false
			}
			if b[2] == 0x41 || b[2] == 0x42 || b[2] == 'A' || b[2] == 'B' {
				if len(b) < 4 {
					return 0, 0, false
				}
				return 4, evCut, true
			}
			return 3, evCut, true
		case 'r': // GS r n: status, in order
			if len(b) < 3 {
				return 0, 0, false
			}
			return 3, evFence, true
		case 'a': // GS a n
			if len(b) < 3 {
				return 0, 0, false
			}
			return 3, evASB, true
		case 0x76: // GS v 0 m xL xH yL yH data
			if len(b) < 8 {
				return 0, 0, false
			}
			x := int(b[4]) | int(b[5])<<8
			y := int(b[6]) | int(b[7])<<8
			return need(8 + x*y)
		case 0x28: // GS ( x pL pH …
			if len(b) < 5 {
				return 0, 0, false
			}
			n := 5 + (int(b[3]) | int(b[4])<<8)
			if len(b) < n {
				return 0, 0, false
			}
			// GS ( H fn 48 m d1..d4: the process ID response.
			if b[2] == 'H' && n == 11 && b[5] == 0x30 {
				return n, evFence, true
			}
			return n, evData, true
		case 0x6B: // GS k m …
			if len(b) < 3 {
				return 0, 0, false
			}
			if b[2] >= 65 {
				if len(b) < 4 {
					return 0, 0, false
				}
				return need(4 + int(b[3]))
			}
			for j := 3; j < len(b); j++ {
				if b[j] == 0 {
					return j + 1, evData, true
				}
			}
			return 0, 0, false
		}
		return need(3)
	}
	return 1, evData, true
}

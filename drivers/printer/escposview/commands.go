package escposview

// The ESC, FS and DLE commands. A command that is understood changes the
// parser's state; one that is not is listed and stepped over whole when
// its length is known, so that its parameters are not printed as text.
//
// The length functions take the stream from the command's first byte and
// return the command's length. When the stream ends before the length can
// be known they return more than is left, which take reports as truncated.

func (p *parser) esc() {
	if len(p.src)-p.i < 2 {
		p.take(2)
		return
	}
	switch p.src[p.i+1] {
	case '@':
		p.i += 2
		p.reset()
	case '2':
		p.i += 2
		p.spacing = defaultSpacing
	case '3':
		if b, ok := p.take(3); ok {
			p.spacing = int(b[2])
		}
	case '!':
		if b, ok := p.take(3); ok {
			p.printMode(b[2])
		}
	case 'E':
		if b, ok := p.take(3); ok {
			p.st.bold = b[2]&1 == 1
		}
	case '-':
		if b, ok := p.take(3); ok {
			p.underline(b[2])
		}
	case 'a':
		if b, ok := p.take(3); ok {
			p.setAlign(b[2])
		}
	case 't':
		p.take(3) // the code page: text is GB18030 whatever it says
	case 'd':
		if b, ok := p.take(3); ok {
			p.feed(int(b[2]))
		}
	default:
		p.skip(escLen(p.src[p.i:]))
	}
}

// printMode is ESC !, which sets bold, double height, double width and
// underline at once; font B (bit 0) is not drawn.
func (p *parser) printMode(n byte) {
	p.st.bold = n&0x08 != 0
	p.st.h = 1 + n>>4&1
	p.st.w = 1 + n>>5&1
	p.st.underline = n >> 7
}

// underline is ESC - n, where n is 0 to 2 or '0' to '2'; the printer
// ignores any other n.
func (p *parser) underline(n byte) {
	if n >= '0' {
		n -= '0'
	}
	if n <= 2 {
		p.st.underline = n
	}
}

// setAlign is ESC a n, where n is 0 to 2 or '0' to '2'.
func (p *parser) setAlign(n byte) {
	if n >= '0' {
		n -= '0'
	}
	if n <= 2 {
		p.align = align(n)
	}
}

func escLen(b []byte) int {
	switch b[1] {
	case 0x0C, '<', 'L', 'S', 'i', 'm':
		return 2
	case ' ', '%', '=', '?', 'G', 'J', 'K', 'M', 'R', 'T', 'U', 'V', 'e', 'r', 'u', 'v', '{':
		return 3
	case '$', '\\', 'B', 'c':
		return 4
	case 'p':
		return 5 // ESC p m t1 t2: kick the cash drawer
	case 'W':
		return 10
	case '*':
		return bitImageLen(b)
	case 'D':
		return tabsLen(b)
	case '&':
		return userCharsLen(b)
	case '(':
		return pLen(b)
	}
	// Its length cannot be known: skip the prefix and hope.
	return 2
}

// u16 reads the little-endian number at b[k].
func u16(b []byte, k int) (int, bool) {
	if len(b) < k+2 {
		return 0, false
	}
	return int(b[k]) | int(b[k+1])<<8, true
}

// sized returns head+n, the length of a command whose data is n bytes, or
// more than len(b) when it does not fit, without overflowing.
func sized(b []byte, head int, n uint64) int {
	if n > uint64(len(b)) {
		return len(b) + 1
	}
	return head + int(n)
}

// pLen is the length of the commands of the form X ( fn pL pH data.
func pLen(b []byte) int {
	n, ok := u16(b, 3)
	if !ok {
		return 5
	}
	return sized(b, 5, uint64(n))
}

// bitImageLen is ESC * m nL nH d: nL+256·nH columns of one byte, or of
// three for the 24-dot modes.
func bitImageLen(b []byte) int {
	n, ok := u16(b, 3)
	if !ok {
		return 5
	}
	if b[2]&0x20 != 0 {
		n *= 3
	}
	return sized(b, 5, uint64(n))
}

// tabsLen is ESC D n1 … nk NUL: at most 32 tab stops, after which the
// printer takes the bytes as data.
func tabsLen(b []byte) int {
	const most = 32
	for j := 2; j < 2+most+1; j++ {
		if j >= len(b) {
			return len(b) + 1
		}
		if b[j] == 0 {
			return j + 1
		}
	}
	return 2 + most
}

// userCharsLen is ESC & y c1 c2, then for each character from c1 to c2 its
// width x and y·x bytes of it.
func userCharsLen(b []byte) int {
	if len(b) < 5 {
		return 5
	}
	y, n := int(b[2]), 5
	for c := int(b[3]); c <= int(b[4]); c++ {
		if n >= len(b) {
			return len(b) + 1
		}
		n += 1 + y*int(b[n])
	}
	return n
}

func (p *parser) fs() {
	b := p.src[p.i:]
	if len(b) < 2 {
		p.take(2)
		return
	}
	switch b[1] {
	case '&', '.':
		// Chinese mode on and off: the text is GB18030 either way.
		p.i += 2
	default:
		p.skip(fsLen(b))
	}
}

func fsLen(b []byte) int {
	switch b[1] {
	case '!', '-', 'C', 'W':
		return 3
	case '?', 'S', 'p':
		return 4
	case '2':
		return 75 // FS 2 c1 c2 and a 24×24-dot character
	case '(':
		return pLen(b)
	case 'q':
		return nvImagesLen(b)
	case 'g':
		// FS g 1 m a1 a2 a3 a4 nL nH d writes user memory; FS g 2 reads it.
		if len(b) < 3 {
			return 3
		}
		switch b[2] {
		case '1':
			n, ok := u16(b, 8)
			if !ok {
				return 10
			}
			return sized(b, 10, uint64(n))
		case '2':
			return 10
		}
	}
	return 2
}

// nvImagesLen is FS q n, then n images, each xL xH yL yH and x·y·8 bytes.
func nvImagesLen(b []byte) int {
	if len(b) < 3 {
		return 3
	}
	n := 3
	for range int(b[2]) {
		x, okx := u16(b, n)
		y, oky := u16(b, n+2)
		if !okx || !oky {
			return len(b) + 1
		}
		k := uint64(x) * uint64(y) * 8
		if k > uint64(len(b)) {
			return len(b) + 1
		}
		n += 4 + int(k)
	}
	return n
}

func (p *parser) dle() {
	b := p.src[p.i:]
	if len(b) < 2 {
		p.take(2)
		return
	}
	switch b[1] {
	case 0x04:
		// DLE EOT n, a status query: the printer answers, prints nothing.
		n := 3
		if len(b) > 2 && (b[2] == 7 || b[2] == 8) {
			n = 4 // DLE EOT 7 a, DLE EOT 8 a
		}
		p.take(n)
	case 0x05:
		p.skip(3)
	case 0x14:
		p.skip(dc4Len(b))
	default:
		// DLE begins no other command: it is a stray control byte, and
		// the byte after it is the printer's to read.
		p.note(p.i, "0x%02X", dle)
		p.i++
	}
}

// dc4Len is DLE DC4 fn …, the real-time commands.
func dc4Len(b []byte) int {
	if len(b) < 3 {
		return 3
	}
	switch b[2] {
	case 1, 2, 3:
		return 5
	case 7:
		return 4
	case 8:
		return 10
	}
	return 3
}

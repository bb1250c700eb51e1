package record

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CheckUTF8 refuses JSON whose bytes are not all UTF-8, naming the field
// (a dotted path under root) that holds the first bad byte. It must run
// before decoding: encoding/json turns such bytes into U+FFFD without a
// word, and what was stored would then not be what was sent.
func CheckUTF8(root string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	off := invalidAt(data)
	return fieldErr(fieldAt(root, data, off), "is not valid UTF-8 (byte 0x%02X at offset %d of the body)", data[off], off)
}

// invalidAt returns the offset of the first byte that is not UTF-8.
func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// fieldAt returns the dotted path, under root, of the JSON value or key
// that holds byte off of data: "payload.person.name", "ids.2". It reads
// tokens until one ends past off; on malformed JSON it names what it has
// reached, at worst root (or "body" when root is "").
func fieldAt(root string, data []byte, off int) string {
	var stack []jsonLevel
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return jsonPath(root, stack)
		}
		past := int(dec.InputOffset()) > off
		d, isDelim := tok.(json.Delim)
		top := len(stack) - 1
		switch {
		case isDelim && (d == '{' || d == '['):
			stack = append(stack, jsonLevel{object: d == '{', atKey: d == '{'})
		case isDelim: // '}' or ']'
			stack = stack[:top]
			if past {
				return jsonPath(root, stack)
			}
			valueDone(stack)
			continue
		case top >= 0 && stack[top].object && stack[top].atKey:
			stack[top].key, stack[top].atKey = tok.(string), false
		default: // a string, number, true, false or null
			if past {
				return jsonPath(root, stack)
			}
			valueDone(stack)
			continue
		}
		if past {
			return jsonPath(root, stack)
		}
	}
}

// jsonLevel is one open object or array on the way to a value.
type jsonLevel struct {
	object bool
	atKey  bool   // an object expects a key next
	key    string // an object's current key
	index  int    // an array's current index
}

// valueDone moves the innermost open container past a finished value.
func valueDone(stack []jsonLevel) {
	if len(stack) == 0 {
		return
	}
	top := &stack[len(stack)-1]
	if top.object {
		top.atKey = true
	} else {
		top.index++
	}
}

func jsonPath(root string, stack []jsonLevel) string {
	parts := []string{}
	if root != "" {
		parts = append(parts, root)
	}
	for _, l := range stack {
		switch {
		case !l.object:
			parts = append(parts, strconv.Itoa(l.index))
		case !l.atKey:
			parts = append(parts, l.key)
		}
	}
	if len(parts) == 0 {
		return "body"
	}
	return strings.Join(parts, ".")
}

package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// A document is what Parse learns from the file's syntax before decoding
// it: where each key is written, the extent of each top-level expression,
// and the values whose type does not fit the schema.
//
// Validate knows keys but not lines, and go-toml's decoder stops at the
// first bad value and turns type mismatches into messages about Go types.
// The document lets Parse put a line on every problem, and drop bad
// expressions so that decoding can go on to find the rest.
type document struct {
	lineStarts []int          // offset of the first byte of each line
	defined    map[string]int // key or table → line it is first written on
	implied    map[string]int // table → line of the first key or header inside it
	keyAt      map[int]string // offset of a written key → its full key
	spans      []span         // top-level expressions in document order
	findings   []finding      // type problems found while scanning
}

// A span is a top-level expression: a key-value, or a table header together
// with the key-values under it.
type span struct {
	key        string
	start, end int // byte range to blank to drop the expression
	header     bool
	blank      bool
}

// A finding is a problem in the span it names.
type finding struct {
	err  *Error
	span int
}

// scan indexes src and checks each value's type against sc. It returns an
// *Error instead when src is not valid TOML.
func scan(src []byte, sc *schema) (*document, *Error) {
	d := &document{
		lineStarts: []int{0},
		defined:    map[string]int{},
		implied:    map[string]int{},
		keyAt:      map[int]string{},
	}
	for i, b := range src {
		if b == '\n' {
			d.lineStarts = append(d.lineStarts, i+1)
		}
	}
	s := &scanner{doc: d, sc: sc}
	var p unstable.Parser
	p.Reset(src)
	var table []string
	header := -1
	for p.NextExpression() {
		e := p.Expression()
		s.span = len(d.spans)
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, off := keyParts(nil, e.Key())
			line := d.lineAt(off)
			start := d.lineStarts[line-1]
			if header >= 0 {
				d.spans[header].end = start
			}
			header = s.span
			d.spans = append(d.spans, span{key: keyString(parts), start: start, end: len(src), header: true})
			d.define(parts, line)
			d.keyAt[off] = keyString(parts)
			n := len(d.findings)
			s.header(parts, line, e.Kind == unstable.ArrayTable)
			s.badTable = len(d.findings) > n
			table = parts
		case unstable.KeyValue:
			start := int(e.Raw.Offset)
			d.spans = append(d.spans, span{start: start, end: start + int(e.Raw.Length)})
			d.spans[s.span].key = keyString(s.keyValue(table, e))
		}
	}
	if err := p.Error(); err != nil {
		return nil, d.syntaxError(src, err)
	}
	return d, nil
}

func (d *document) syntaxError(src []byte, err error) *Error {
	e := &Error{Msg: "invalid TOML: " + err.Error()}
	var pe *unstable.ParserError
	if errors.As(err, &pe) {
		e.Key = keyString(pe.Key)
		// The parser reports where it stopped as a slice of src.
		if off := cap(src) - cap(pe.Highlight); pe.Highlight != nil && off >= 0 && off <= len(src) {
			e.Line = d.lineAt(off)
		}
	}
	return e
}

// decodeError turns an error from go-toml's decoder into an *Error, and
// finds the span it lies in, or -1.
func (d *document) decodeError(err error) (*Error, int) {
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		return &Error{Msg: err.Error()}, -1
	}
	line, col := de.Position()
	e := &Error{Line: line, Key: keyString(de.Key()), Msg: strings.TrimPrefix(de.Error(), "toml: ")}
	i := d.spanAt(line, col)
	if i >= 0 {
		sp := d.spans[i]
		// go-toml sometimes names only the last part of the key.
		if !under(e.Key, []string{sp.key}) {
			e.Key = sp.key
		}
		if first := d.defined[e.Key]; e.Key == sp.key && first > 0 && first != line {
			e.Msg += fmt.Sprintf(" (first written on line %d)", first)
		}
	}
	return e, i
}

// unknownKey turns go-toml's report of an unknown key into an *Error.
func (d *document) unknownKey(de *toml.DecodeError, sc *schema) *Error {
	line, col := de.Position()
	// go-toml names keys inside inline tables as if they were written in
	// the enclosing table, but the key it points at is the one written.
	key, ok := d.keyAt[d.offset(line, col)]
	if !ok {
		key = keyString(de.Key())
	}
	return &Error{Line: line, Key: key, Msg: "unknown key" + sc.suggest(key)}
}

// offset returns the offset of a 1-based line and column, or -1.
func (d *document) offset(line, col int) int {
	if line < 1 || line > len(d.lineStarts) {
		return -1
	}
	return d.lineStarts[line-1] + col - 1
}

// spanAt returns the innermost span holding the given position, or -1.
func (d *document) spanAt(line, col int) int {
	off := d.offset(line, col)
	if off < 0 {
		return -1
	}
	for _, headers := range []bool{false, true} {
		for i, sp := range d.spans {
			if sp.header == headers && sp.start <= off && off < sp.end {
				return i
			}
		}
	}
	return -1
}

// blank replaces span i in src with spaces, keeping line breaks so that
// line numbers stay true.
func (d *document) blank(src []byte, i int) {
	sp := &d.spans[i]
	for j := sp.start; j < sp.end && j < len(src); j++ {
		if src[j] != '\n' {
			src[j] = ' '
		}
	}
	sp.blank = true
}

func (d *document) isBlank(i int) bool { return d.spans[i].blank }

func (d *document) lineAt(off int) int {
	return sort.SearchInts(d.lineStarts, off+1)
}

func (d *document) define(parts []string, line int) {
	if k := keyString(parts); d.defined[k] == 0 {
		d.defined[k] = line
	}
	for i := 1; i < len(parts); i++ {
		if k := keyString(parts[:i]); d.implied[k] == 0 {
			d.implied[k] = line
		}
	}
}

// line returns the line key is written on. For a key that is not written,
// it returns the line of the table that should hold it, so that a
// technician is shown where to add it, or 0 when that table is absent too.
func (d *document) line(key string) int {
	if l := d.defined[key]; l > 0 {
		return l
	}
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return 0
	}
	if l := d.defined[key[:i]]; l > 0 {
		return l
	}
	return d.implied[key[:i]]
}

// A scanner checks the expressions of a document against the schema.
type scanner struct {
	doc  *document
	sc   *schema
	span int // the top-level expression being scanned
	// badTable is set while scanning the key-values under a table header
	// that has been reported, so that they are not reported again.
	badTable bool
}

func (s *scanner) report(line int, key, format string, args ...any) {
	e := &Error{Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
	s.doc.findings = append(s.doc.findings, finding{err: e, span: s.span})
}

// resolve returns the kind of the key parts, reporting a problem and false
// when a part of it is written with the wrong case or goes through a key
// that is not a table. Keys that are simply unknown are left to go-toml,
// which reports them with their positions.
func (s *scanner) resolve(parts []string, line int) (kind, bool) {
	var k kind
	for i := range parts {
		key := keyString(parts[:i+1])
		var ok bool
		if k, ok = s.sc.kinds[key]; !ok {
			// go-toml matches keys case-insensitively, but the contract's
			// keys are lower case and outside tools must write them so.
			if known := s.sc.fold(parts[:i+1]); known != "" {
				s.report(line, key, "unknown key (did you mean %q? keys are case-sensitive)", known)
			}
			return 0, false
		}
		if i < len(parts)-1 && k != tableKind {
			s.report(line, key, "must be %s, not a table", k)
			return 0, false
		}
	}
	return k, true
}

func (s *scanner) header(parts []string, line int, array bool) {
	k, ok := s.resolve(parts, line)
	switch {
	case !ok:
	case k != tableKind:
		s.report(line, keyString(parts), "must be %s, not a table", k)
	case array:
		s.report(line, keyString(parts), "must be a table, not an array of tables")
	}
}

// keyValue indexes and checks the key-value kv, written in table, and
// returns its full key.
func (s *scanner) keyValue(table []string, kv *unstable.Node) []string {
	parts, off := keyParts(table, kv.Key())
	line := s.doc.lineAt(off)
	s.doc.define(parts, line)
	s.doc.keyAt[off] = keyString(parts)
	if s.badTable {
		return parts
	}
	k, ok := s.resolve(parts, line)
	if !ok {
		return parts
	}
	v := kv.Value()
	if k == tableKind && v.Kind == unstable.InlineTable {
		it := v.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				s.keyValue(parts, c)
			}
		}
		return parts
	}
	s.value(keyString(parts), k, v, line)
	return parts
}

func (s *scanner) value(key string, k kind, v *unstable.Node, line int) {
	var ok bool
	switch k {
	case stringKind:
		ok = v.Kind == unstable.String
	case intKind:
		ok = v.Kind == unstable.Integer
	case numberKind:
		ok = v.Kind == unstable.Integer || v.Kind == unstable.Float
	case boolKind:
		ok = v.Kind == unstable.Bool
	case stringsKind:
		ok = v.Kind == unstable.Array
		for it := v.Children(); ok && it.Next(); {
			if c := it.Node(); c.Kind != unstable.String {
				s.report(line, key, "must be %s, not an array holding %s", k, valueKind(c.Kind))
				return
			}
		}
	case durationKind:
		if v.Kind == unstable.String {
			var d Duration
			if err := d.UnmarshalText(v.Data); err != nil {
				s.report(line, key, "%v", err)
			}
			return
		}
	}
	if !ok {
		s.report(line, key, "must be %s, not %s", k, valueKind(v.Kind))
	}
}

// keyParts appends the parts of a key to prefix, in a new slice, and
// returns the offset of the key's first part.
func keyParts(prefix []string, it unstable.Iterator) ([]string, int) {
	parts := slices.Clip(prefix)
	off := -1
	for it.Next() {
		n := it.Node()
		if off < 0 {
			off = int(n.Raw.Offset)
		}
		parts = append(parts, string(n.Data))
	}
	return parts, max(off, 0)
}

// keyString writes a key as TOML would, quoting the parts that are not
// bare keys.
func keyString(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		if isBare(p) {
			b.WriteString(p)
		} else {
			fmt.Fprintf(&b, "%q", p)
		}
	}
	return b.String()
}

func isBare(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// kind is what the schema expects at a key.
type kind int

const (
	tableKind kind = iota + 1
	stringKind
	intKind
	boolKind
	durationKind
	stringsKind
	numberKind // a float64: 7 or 10.1
)

func (k kind) String() string {
	switch k {
	case tableKind:
		return "a table"
	case stringKind:
		return "a string"
	case intKind:
		return "an integer"
	case boolKind:
		return "true or false"
	case durationKind:
		return `a duration string such as "15s"`
	case stringsKind:
		return `an array of strings such as ["a", "b"]`
	case numberKind:
		return "a number such as 10.1"
	}
	return "nothing"
}

func valueKind(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.InlineTable:
		return "a table"
	default:
		return "a date or time"
	}
}

// A schema lists the keys of the file. It is derived from Config's toml
// tags, so that it cannot drift from what the decoder accepts.
type schema struct {
	keys  []string // in declaration order, so suggestions are stable
	kinds map[string]kind
}

func newSchema() *schema {
	s := &schema{kinds: map[string]kind{}}
	s.add("", reflect.TypeFor[Config]())
	return s
}

func (s *schema) add(prefix string, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		var k kind
		switch {
		case f.Type == reflect.TypeFor[Duration]():
			k = durationKind
		case f.Type.Kind() == reflect.Struct:
			k = tableKind
		case f.Type.Kind() == reflect.String:
			k = stringKind
		case f.Type.Kind() == reflect.Int:
			k = intKind
		case f.Type.Kind() == reflect.Float64:
			k = numberKind
		case f.Type.Kind() == reflect.Bool:
			k = boolKind
		case f.Type == reflect.TypeFor[[]string]():
			k = stringsKind
		default:
			panic("config: no TOML kind for " + f.Type.String())
		}
		s.keys = append(s.keys, key)
		s.kinds[key] = k
		if k == tableKind {
			s.add(key, f.Type)
		}
	}
}

// fold returns the known key that parts name when lowered, as go-toml
// lowers them when it finds no exact match, or "".
func (s *schema) fold(parts []string) string {
	lower := make([]string, len(parts))
	for i, p := range parts {
		lower[i] = strings.ToLower(p)
	}
	if key := strings.Join(lower, "."); s.kinds[key] != 0 {
		return key
	}
	return ""
}

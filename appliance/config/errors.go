package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is one problem with a configuration: in which file, on which line,
// at which key, and what is wrong. File and Line are empty when they are not
// known, as for the errors of Config.Validate, which checks a Config that
// need not come from a file.
type Error struct {
	File string
	Line int
	Key  string // dotted, e.g. "devices.idcard.baud"
	Msg  string
}

// Error formats e as "FILE:LINE: KEY: MSG", leaving out the parts that are
// not known, the way compilers do so that editors can jump to the line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if e.File != "" {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// suggest returns what to add to "unknown key" for key: the key that was
// probably meant, or else the keys allowed where key was written.
func (s *schema) suggest(key string) string {
	best, bestDist := "", 3
	for _, k := range s.keys {
		if strings.HasPrefix(key, k+".") {
			continue // the table key was written in is no suggestion
		}
		if d := distance(key, k, bestDist-1); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		best = s.moved(key)
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return s.allowed(key)
}

// moved returns the known key with the same last part as key, written in
// the wrong table, when there is one best candidate: the one that shares
// most of key's leading parts.
func (s *schema) moved(key string) string {
	parts := strings.Split(key, ".")
	best, bestShared, tie := "", -1, false
	for _, k := range s.keys {
		kp := strings.Split(k, ".")
		if kp[len(kp)-1] != parts[len(parts)-1] {
			continue
		}
		shared := 0
		for shared < len(kp) && shared < len(parts) && kp[shared] == parts[shared] {
			shared++
		}
		switch {
		case shared > bestShared:
			best, bestShared, tie = k, shared, false
		case shared == bestShared:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// allowed lists the keys of the innermost known table around key.
func (s *schema) allowed(key string) string {
	table := key
	for {
		i := strings.LastIndexByte(table, '.')
		if i < 0 {
			table = ""
			break
		}
		table = table[:i]
		if s.kinds[table] == tableKind {
			break
		}
	}
	prefix := ""
	if table != "" {
		prefix = table + "."
	}
	var names []string
	for _, k := range s.keys {
		if rest, ok := strings.CutPrefix(k, prefix); ok && !strings.Contains(rest, ".") {
			names = append(names, rest)
		}
	}
	if table == "" {
		return " (allowed tables: " + strings.Join(names, ", ") + ")"
	}
	return " (allowed in [" + table + "]: " + strings.Join(names, ", ") + ")"
}

// distance returns the edit distance between a and b, or limit+1 when it
// is greater than limit, which keeps long unknown keys cheap.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

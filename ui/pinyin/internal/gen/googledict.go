package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

// The layout of dict_pinyin.dat as libgooglepinyin 0.1.2 writes it on a
// 64-bit little-endian machine (SpellingTrie::save_spl_trie,
// DictList::save_list, DictTrie::save_dict and NGram::save_ngram, in that
// order). Counts are size_t; a trie node of the first level is 24 bytes,
// one of a deeper level 10; lemma ids are 3 bytes.
const (
	maxLemmaSize  = 8  // kMaxLemmaSize: the longest word, in characters
	fullSplIDBase = 30 // kFullSplIdStart: ids below it are half spellings
	le0NodeSize   = 24
	ge1NodeSize   = 10
	lemmaIDSize   = 3
	codebookSize  = 256
)

// reader walks the file, remembering the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || r.off+n > len(r.b) {
		r.err = fmt.Errorf("%s: %d bytes at offset %d run past the end (%d)", what, n, r.off, len(r.b))
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *reader) size(what string) int {
	b := r.take(8, what)
	if b == nil {
		return 0
	}
	v := binary.LittleEndian.Uint64(b)
	if v > 1<<24 {
		r.err = fmt.Errorf("%s: implausible count %d at offset %d", what, v, r.off-8)
		return 0
	}
	return int(v)
}

// googleDict is the part of dict_pinyin.dat the table needs.
type googleDict struct {
	spellings []string // by full spelling id - fullSplIDBase
	single    []rune   // single-character lemmas; lemma id i+1 is single[i]
	nodes     []byte   // first-level trie nodes
	lemmaIDs  []byte
	codes     []uint16 // score codebook
	scoreIdx  []byte   // lemma id -> codebook index
}

// readGoogleDict returns the score of each single character under each of
// its spellings (lower-case, ü as v); a lower score is more frequent.
func readGoogleDict(path string) (map[rune]map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("google pinyin dictionary: %w", err)
	}
	d, err := parseGoogleDict(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d.singleScores()
}

func parseGoogleDict(b []byte) (*googleDict, error) {
	r := &reader{b: b}
	d := &googleDict{}
	splSize, splNum := r.size("spelling size"), r.size("spelling count")
	r.take(5, "score amplifier and average") // float32, uint8
	if r.err == nil && splSize != 8 {
		return nil, fmt.Errorf("spelling size %d, want 8: not a libgooglepinyin 0.1.2 dictionary", splSize)
	}
	for range splNum {
		s := r.take(splSize, "spelling")
		if s != nil {
			// The last byte is the spelling's own score.
			d.spellings = append(d.spellings, strings.ToLower(strings.TrimRight(string(s[:splSize-1]), "\x00")))
		}
	}
	d.readLemmas(r)
	nLE0, nGE1 := r.size("first-level node count"), r.size("deeper node count")
	idxLen, _ := r.size("lemma id buffer length"), r.size("top lemma count")
	d.nodes = r.take(nLE0*le0NodeSize, "first-level nodes")
	r.take(nGE1*ge1NodeSize, "deeper nodes")
	d.lemmaIDs = r.take(idxLen, "lemma ids")
	nIdx := r.size("score index count")
	for range codebookSize {
		if c := r.take(2, "score codebook"); c != nil {
			d.codes = append(d.codes, binary.LittleEndian.Uint16(c))
		}
	}
	d.scoreIdx = r.take(nIdx, "score index")
	if r.err == nil && r.off != len(b) {
		r.err = fmt.Errorf("%d bytes left over after the score index", len(b)-r.off)
	}
	return d, r.err
}

// readLemmas reads the lemma list, keeping the single characters.
func (d *googleDict) readLemmas(r *reader) {
	scis := r.size("single character item count")
	var startPos, startID [maxLemmaSize + 1]int
	for i := range startPos {
		startPos[i] = r.size("lemma start position")
	}
	for i := range startID {
		startID[i] = r.size("lemma start id")
	}
	r.take(scis*4, "single character items") // char16 hanzi, uint16 spelling
	buf := r.take(startPos[maxLemmaSize]*2, "lemma text")
	if r.err != nil {
		return
	}
	if startID[0] != 1 || startPos[0] != 0 {
		r.err = fmt.Errorf("single-character lemmas start at id %d, position %d; want 1, 0", startID[0], startPos[0])
		return
	}
	for i := range startPos[1] {
		d.single = append(d.single, rune(binary.LittleEndian.Uint16(buf[2*i:])))
	}
}

// singleScores walks the root's children: each is one spelling, and the
// lemmas stored at it are the single characters read that way.
func (d *googleDict) singleScores() (map[rune]map[string]int, error) {
	node := func(i int) (son, homo, spl, nSon, nHomo int) {
		n := d.nodes[i*le0NodeSize:]
		u16 := func(o int) int { return int(binary.LittleEndian.Uint16(n[o:])) }
		return int(binary.LittleEndian.Uint64(n)), int(binary.LittleEndian.Uint64(n[8:])), u16(16), u16(18), u16(20)
	}
	first, _, _, count, _ := node(0)
	if (first+count)*le0NodeSize > len(d.nodes) {
		return nil, fmt.Errorf("root's children %d..%d lie outside the %d first-level nodes", first, first+count, len(d.nodes)/le0NodeSize)
	}
	scores := map[rune]map[string]int{}
	for i := first; i < first+count; i++ {
		_, homo, spl, _, nHomo := node(i)
		if spl < fullSplIDBase {
			continue // a half spelling ("zh") has no characters of its own
		}
		if spl-fullSplIDBase >= len(d.spellings) || (homo+nHomo)*lemmaIDSize > len(d.lemmaIDs) {
			return nil, fmt.Errorf("node %d: spelling %d or lemmas %d+%d out of range", i, spl, homo, nHomo)
		}
		syl := d.spellings[spl-fullSplIDBase]
		for k := homo; k < homo+nHomo; k++ {
			id := int(d.lemmaIDs[k*3]) | int(d.lemmaIDs[k*3+1])<<8 | int(d.lemmaIDs[k*3+2])<<16
			if id < 1 || id > len(d.single) || id >= len(d.scoreIdx) {
				return nil, fmt.Errorf("node %d (%s): lemma id %d is not a single character", i, syl, id)
			}
			r := d.single[id-1]
			if scores[r] == nil {
				scores[r] = map[string]int{}
			}
			s := int(d.codes[d.scoreIdx[id]])
			if old, ok := scores[r][syl]; !ok || s < old {
				scores[r][syl] = s
			}
		}
	}
	return scores, nil
}

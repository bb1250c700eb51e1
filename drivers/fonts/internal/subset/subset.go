// Package subset says which characters the bundled screen faces keep:
// printable ASCII and Latin-1, the punctuation and symbols the screens
// use, the 3,755 hanzi of GB 2312 level 1 (most names a card carries are
// written with them), and every character in the Go string literals under
// the directories named (the screens' own words and the demo data); with
// -gb2312, the whole of GB 2312 too (its 6,763 hanzi and its symbols).
// Both faces, the regular from Droid Sans Fallback and the bold from Noto
// Sans CJK SC Bold, keep the latter, the full Droid face standing behind
// them for any other character. Command chars prints them for pyftsubset;
// see the doc comment of drivers/fonts for the whole recipe.
package subset

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Fixed is what the face keeps whatever the sources say.
func Fixed() []rune {
	var rs []rune
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			rs = append(rs, r)
		}
	}
	add(0x20, 0x7e)     // ASCII
	add(0xa0, 0xff)     // Latin-1: ×, ·, °
	add(0x2010, 0x2016) // dashes
	add(0x2018, 0x201a) // quotes
	add(0x201c, 0x201e)
	add(0x2020, 0x2022) // daggers, bullet
	add(0x2025, 0x2027) // ellipses
	add(0x2190, 0x2193) // arrows
	add(0x3000, 0x3017) // CJK punctuation: 、。〈〉《》「」【】
	add(0xff01, 0xff5e) // full-width forms
	return append(rs, GB2312Level1()...)
}

// GB2312 is every character of GB 2312: its symbols and both levels of
// hanzi, decoded.
func GB2312() []rune {
	dec := simplifiedchinese.GBK.NewDecoder()
	var rs []rune
	for hi := 0xa1; hi <= 0xf7; hi++ {
		for lo := 0xa1; lo <= 0xfe; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil || s[0] < 0x80 {
				continue // a hole in the table
			}
			for _, r := range string(s) {
				if r != 0xfffd && !unicode.Is(unicode.Co, r) {
					rs = append(rs, r)
				}
			}
		}
	}
	return rs
}

// GB2312Level1 is GB 2312's level-1 hanzi: rows 16 to 55, decoded.
func GB2312Level1() []rune {
	dec := simplifiedchinese.GBK.NewDecoder()
	var rs []rune
	for hi := 0xb0; hi <= 0xd7; hi++ {
		for lo := 0xa1; lo <= 0xfe; lo++ {
			if hi == 0xd7 && lo > 0xf9 { // row 55 ends at 0xd7f9
				break
			}
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				panic(err)
			}
			rs = append(rs, []rune(string(s))...)
		}
	}
	return rs
}

// Sources are the directories, from the module's root, whose string
// literals the face must cover: the screens a resident, staff member or
// technician sees, and the demo data and cards they show.
func Sources() []string {
	return []string{"ui/kiosk", "ui/staff", "ui/tech", "ui/keyboard", "ui/touch", "ui/pinyin",
		"sim/demo", "drivers/idcard/idcardsim"}
}

// Literals is every non-ASCII letter, mark or symbol in the string
// literals of the Go files under dir, tests left out (they hold odd input
// on purpose).
func Literals(dir string) ([]rune, error) {
	var rs []rune
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, r := range s {
					if r > 0x7f && !unicode.IsControl(r) && !unicode.IsSpace(r) {
						rs = append(rs, r)
					}
				}
			}
			return true
		})
		return nil
	})
	return rs, err
}

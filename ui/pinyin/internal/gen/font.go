package main

import (
	"fmt"
	"os"

	"golang.org/x/image/font/sfnt"
)

// drawable returns a test for whether the font at path has a glyph for a
// character. A candidate the kiosk cannot draw would be a blank box that
// nobody can choose, so the table leaves such characters out.
func drawable(path string) (func(rune) bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	var buf sfnt.Buffer
	return func(r rune) bool {
		i, err := f.GlyphIndex(&buf, r)
		return err == nil && i != 0
	}, nil
}

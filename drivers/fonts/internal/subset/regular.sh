#!/bin/sh
# Rebuilds drivers/fonts/DroidSansFallback-subset.ttf, the screens' regular
# face, from the bundled full face with Debian's fonttools (pyftsubset).
# Run from the module's root:
#
#	drivers/fonts/internal/subset/regular.sh
#
# The subset keeps what package subset lists (go run
# ./drivers/fonts/internal/subset/chars -gb2312), every layout feature, the
# hinting and the .notdef outline, and changes no glyph it keeps, so a
# screen drawn with it is the same, pixel for pixel, as with the full face.
set -eu
src=drivers/fonts/DroidSansFallbackFull.ttf
out=drivers/fonts/DroidSansFallback-subset.ttf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./drivers/fonts/internal/subset/chars -gb2312 >"$tmp/chars.txt"
pyftsubset "$src" --text-file="$tmp/chars.txt" --layout-features='*' --notdef-outline \
	--name-IDs='*' --name-languages='*' --no-prune-unicode-ranges --output-file="$out"
ls -l "$out"

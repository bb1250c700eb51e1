#!/bin/sh
# Rebuilds drivers/fonts/NotoSansSC-Bold-subset.otf from Debian's
# fonts-noto-cjk (NotoSansCJK-Bold.ttc) with Debian's fonttools
# (pyftsubset). Run from the module's root:
#
#	drivers/fonts/internal/subset/build.sh /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
#
# Face 2 of the collection is Noto Sans CJK SC Bold. The subset keeps
# what package subset lists for the regular face too (go run
# ./drivers/fonts/internal/subset/chars -gb2312): a name typed into a
# field box is drawn bold, and the image has no system face to fall back
# to for a GB 2312 character (images/recipe/build.sh says why). It keeps
# the kern feature only (the others, for vertical text and Japanese or
# Korean forms the screens never ask for, would add 0.7 MB), and no hints (CFF
# hints are not used by Fyne's rasteriser). Its line metrics are then set
# to the regular face's (Droid Sans Fallback: ascent 267, descent 68 of
# 256 units), so that a bold line is as tall as a regular one and a screen
# laid out in one fits in the other; Noto's own (1160 and 288 of 1000)
# make a line 11 % taller. No glyph of the subset reaches past them but
# the vertical bars | and ¦, 18/1000 em below (Fyne does not clip text to
# its line).
set -eu
ttc=${1:?usage: build.sh NotoSansCJK-Bold.ttc}
out=drivers/fonts/NotoSansSC-Bold-subset.otf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./drivers/fonts/internal/subset/chars -gb2312 >"$tmp/chars.txt"
pyftsubset "$ttc" --font-number=2 --text-file="$tmp/chars.txt" \
	--layout-features=kern --no-hinting --name-IDs='*' --output-file="$tmp/bold.otf"
python3 - "$tmp/bold.otf" "$out" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
em = f["head"].unitsPerEm
asc, desc = round(267 / 256 * em), round(68 / 256 * em)
f["hhea"].ascent, f["hhea"].descent, f["hhea"].lineGap = asc, -desc, 0
os2 = f["OS/2"]
os2.usWinAscent, os2.usWinDescent = asc, desc
os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = asc, -desc, 0
f.save(sys.argv[2])
PY
ls -l "$out"

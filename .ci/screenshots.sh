#!/usr/bin/env bash
# Puts up every screen of the simulated kiosk in a virtual X display, in
# both languages and at the three reference sizes, the resident screens in the
# normal and the large (大字) mode (name-size-lang-large.png), and saves what the real
# window draws: .ci/screenshots.sh OUTDIR
set -euo pipefail
out=${1:?usage: screenshots.sh OUTDIR}
mkdir -p "$out"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/gridkiosk" ./cmd/gridkiosk
for size in 1280x800 800x480 1920x1080; do
  display=:$((90 + RANDOM % 100))
  Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  sleep 1
  echo "screenshots: $size"
  if ! DISPLAY=$display LC_ALL=zh_CN.UTF-8 timeout 900 "$dir/gridkiosk" run --simulate --data "$dir/sim-$size" \
      --admin "127.0.0.1:$((20000 + RANDOM % 20000))" --tour "$out" --size "$size" >"$dir/log-$size" 2>&1; then
    cat "$dir/log-$size" >&2
    kill $xvfb 2>/dev/null || true
    exit 1
  fi
  grep 'first frame' "$dir/log-$size" || true
  kill $xvfb 2>/dev/null || true
  wait $xvfb 2>/dev/null || true
done
ls "$out"/*.png | wc -l | xargs echo "screenshots: files in $out:"

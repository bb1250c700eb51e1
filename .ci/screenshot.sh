#!/usr/bin/env bash
# Starts the simulated kiosk in a virtual X display and saves a screenshot
# of its window once it has drawn: .ci/screenshot.sh OUT.png [WxH]
set -euo pipefail
out=${1:?usage: screenshot.sh OUT.png [WxH]}
size=${2:-1280x800}
dir=$(mktemp -d)
trap 'kill $kiosk $xvfb 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
go build -o "$dir/gridkiosk" ./cmd/gridkiosk
DISPLAY=$display LC_ALL=zh_CN.UTF-8 "$dir/gridkiosk" run --simulate --data "$dir/sim" --admin "127.0.0.1:$((20000 + RANDOM % 20000))" >"$dir/log" 2>&1 &
kiosk=$!
# Wait until the hub has the demo records and the screen shows them.
for _ in $(seq 120); do
  grep -q 'acked=3' "$dir/log" 2>/dev/null && break
  sleep 0.5
done
sleep 3
DISPLAY=$display import -window root "$out"
echo "screenshot: $out"

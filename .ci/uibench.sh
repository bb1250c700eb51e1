#!/usr/bin/env bash
# The kiosk as a process, measured under a virtual display: cold start to
# first frame, then the idle process's CPU share and resident memory.
# Used by make bench; prints one line of figures.
set -euo pipefail
dir=$(mktemp -d)
display=:$((90 + RANDOM % 100))
trap 'kill $kiosk $xvfb 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/gridkiosk" ./cmd/gridkiosk
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1
DISPLAY=$display LC_ALL=zh_CN.UTF-8 "$dir/gridkiosk" run --simulate --data "$dir/sim" \
  --admin "127.0.0.1:$((20000 + RANDOM % 20000))" >"$dir/log" 2>&1 &
kiosk=$!
for _ in $(seq 100); do grep -q 'first frame' "$dir/log" && break; sleep 0.2; done
first=$(grep -o 'since_start_ms=[0-9]*' "$dir/log" | head -1 | cut -d= -f2)
# Let the demo records go and the screen settle, then watch it idle.
sleep 10
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$kiosk/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
sleep 30
t1=$(ticks); s1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$kiosk/status")
cpu=$(echo "scale=2; 100 * ($t1 - $t0) / $hz / ($s1 - $s0)" | bc)
echo "uibench: cold start to first frame ${first} ms; idle CPU ${cpu}% of one core over 30 s; resident memory $((rss / 1024)) MiB"

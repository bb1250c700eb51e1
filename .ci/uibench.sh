#!/usr/bin/env bash
# The kiosk as a process, measured under virtual displays beside a minimal
# Fyne window (internal/minfyne) in the same run, so Fyne's own cost on
# this machine is the yardstick:
#   - cold start to first frame;
#   - idle CPU: utime+stime from /proc/PID/stat over IDLE_S seconds of
#     the start screen waiting, as a share of one core;
#   - resident memory: VmRSS from /proc/PID/status at the end of it;
#   - tap → next frame at 1280×800: .ci/tapprobe.c taps through XTEST and
#     times the first DAMAGE the X server reports after it (the new pixels
#     in the frame buffer), TAPS taps on the start screen's 中文 / English
#     button (English, then 中文, ...), each redrawing the screen; median
#     and p95.
# The kiosk is `gridkiosk run --simulate` on a data directory an earlier
# start laid out (as a station starts every day), once as a station runs it
# (--no-control-panel: a station has no simulation control window) and
# once with the simulation's control window open, as `make run` shows it.
# Used by make bench; prints its figures on lines starting "uibench:".
# KIOSK_BIN measures a kiosk built elsewhere (e.g. an older commit).
set -euo pipefail
IDLE_S=${IDLE_S:-60}
TAPS=${TAPS:-40}
# The language button at the top right of the 1280×800 start screen:
# English on the Chinese screen, 中文 on the English one, both over this
# point (since 大字 stands beside it, where the 中文 button was once).
TAP_A=${TAP_A:-"1110 75"}
TAP_B=${TAP_B:-"1110 75"}

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

if [ -n "${KIOSK_BIN:-}" ]; then cp "$KIOSK_BIN" "$dir/gridkiosk"; else go build -o "$dir/gridkiosk" ./cmd/gridkiosk; fi
go build -o "$dir/minfyne" ./internal/minfyne
gcc -O2 -Wall -o "$dir/tapprobe" .ci/tapprobe.c -lX11 -lXdamage -lXtst

# As on the image, which has no system fonts (images/recipe/build.sh): Fyne
# loads a system face for the locale's language at start whether it draws
# with it or not (here DejaVu Sans and its bold, 5 MB of heap, in the
# minimal window and the kiosk alike). In a mount namespace with an empty
# /usr/share/fonts when this user may make one (root), as the system is
# otherwise; the figures say which.
fonts="the machine's system fonts"
asimage=()
if unshare -m true 2>/dev/null; then
  fonts="no system fonts, as on the image"
  # shellcheck disable=SC2016
  asimage=(unshare -m sh -c 'for d in /usr/share/fonts /usr/local/share/fonts; do [ -d "$d" ] && mount -t tmpfs tmpfs "$d"; done; exec "$@"' sh)
fi

base=$((90 + RANDOM % 100))
# start NAME DISPLAY-OFFSET CMD...: a virtual 1280×800 display and CMD on it.
start() {
  local name=$1 display=:$((base + $2))
  shift 2
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  DISPLAY=$display LC_ALL=zh_CN.UTF-8 "${asimage[@]}" "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!)
  echo $! >"$dir/$name.pid"
  echo "$display" >"$dir/$name.display"
}
admin() { echo "127.0.0.1:$((20000 + RANDOM % 20000))"; }
# lay DATA-DIR: a kiosk started once on DATA-DIR and stopped after its
# first frame, so that what is measured is a station's every start, on
# the data it keeps, not its first (which also writes out the fallback
# face, reading 3.4 MB of the binary that then stay resident).
lay() {
  local display=:$((base + 9))
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  local x=$!
  # In pids too: a failure before the kill below would otherwise leave
  # these running, and cleanup's wait with them.
  pids+=("$x")
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  DISPLAY=$display LC_ALL=zh_CN.UTF-8 "${asimage[@]}" "$dir/gridkiosk" run --simulate --no-control-panel --data "$1" --admin "$(admin)" >"$dir/lay.log" 2>&1 &
  local k=$!
  pids+=("$k")
  for _ in $(seq 300); do grep -q 'first frame' "$dir/lay.log" && break; sleep 0.2; done
  grep -q 'first frame' "$dir/lay.log" || { echo "uibench: laying out $1: no first frame:"; cat "$dir/lay.log"; exit 1; }
  kill "$k" "$x" 2>/dev/null || true
  wait "$k" "$x" 2>/dev/null || true
}
lay "$dir/sim1"
lay "$dir/sim2"
start minfyne 0 "$dir/minfyne"
start kiosk 1 "$dir/gridkiosk" run --simulate --no-control-panel --data "$dir/sim1" --admin "$(admin)"
start kiosk+panel 2 "$dir/gridkiosk" run --simulate --data "$dir/sim2" --admin "$(admin)"

for name in minfyne kiosk kiosk+panel; do
  for _ in $(seq 300); do grep -q 'first frame' "$dir/$name.log" && break; sleep 0.2; done
  grep -q 'first frame' "$dir/$name.log" || { echo "uibench: $name drew no first frame:"; cat "$dir/$name.log"; exit 1; }
done
# Let the demo records go to the hub and the screens settle, then watch
# all three idle at once.
sleep 10
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$(cat "$dir/$1.pid")/stat"; }
declare -A t0
for name in minfyne kiosk kiosk+panel; do t0[$name]=$(ticks "$name"); done
s0=$(date +%s.%N)
sleep "$IDLE_S"
s1=$(date +%s.%N)
for name in minfyne kiosk kiosk+panel; do
  t1=$(ticks "$name")
  cpu=$(echo "scale=2; 100 * ($t1 - ${t0[$name]}) / $hz / ($s1 - $s0)" | bc)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$(cat "$dir/$name.pid")/status")
  first=$(grep -o 'since_start_ms=[0-9]*' "$dir/$name.log" | head -1 | cut -d= -f2)
  # In MiB and in the issue's MB (10^6 bytes: 150 MB is 143.05 MiB).
  printf 'uibench: %-12s first frame %5s ms; idle CPU %5s%% of one core over %s s; resident memory %s MiB (%s MB)\n' \
    "$name" "$first" "$cpu" "$IDLE_S" "$(echo "scale=1; $rss / 1024" | bc)" "$(echo "scale=1; $rss * 1024 / 1000000" | bc)"
done

# Tap latency on the station's kiosk, after the idle figures so that the
# taps do not count as idle work.
# shellcheck disable=SC2086
DISPLAY=$(cat "$dir/kiosk.display") "$dir/tapprobe" $TAP_A $TAP_B "$TAPS" >"$dir/taps"
sort -n -k1,1 "$dir/taps" | awk -v n="$TAPS" '
  { first[NR] = $1 }
  END {
    med = first[int((n + 1) / 2)]; p95 = first[int(n * 0.95 + 0.999)]
    printf "uibench: kiosk        tap → next frame at 1280×800 (XTEST tap to X DAMAGE), %d taps: median %.0f ms, p95 %.0f ms\n", n, med, p95
  }'
sort -n -k2,2 "$dir/taps" | awk -v n="$TAPS" '
  { last[NR] = $2 }
  END {
    printf "uibench: kiosk        tap → screen settled (last frame before 400 ms without one): median %.0f ms, p95 %.0f ms\n", last[int((n + 1) / 2)], last[int(n * 0.95 + 0.999)]
  }'
echo "uibench: load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $fonts"

#!/usr/bin/env bash
# gridflash against bmaptool, side by side on the real amd64 image written
# to a loop device (part of make bench; needs root for losetup):
#
#   bmaptool copy --bmap B IMAGE DEV   then   gridflash verify --device DEV
#   gridflash write --device DEV       (its read-back included)
#
# Each run writes to a fresh sparse backing file on a new loop device, the
# two in alternating order, so that neither always has the warmer cache;
# the image is read once first so that both read it from memory. It
# prints every run, the medians, the ratio gridflash / (bmaptool +
# verify) and the load average, which on a shared machine says how much
# to trust them.
#
#   images/flash/bench-real.sh [IMAGE]     (default dist/gridkiosk-amd64.img)
#   RUNS=5 GRIDFLASH=bin/gridflash images/flash/bench-real.sh
set -euo pipefail

img=${1:-dist/gridkiosk-amd64.img}
runs=${RUNS:-3}
gridflash=${GRIDFLASH:-}
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-real: needs root to attach loop devices" >&2
  exit 1
fi
command -v bmaptool >/dev/null || { echo "bench-real: bmaptool missing (apt-get install bmap-tools)" >&2; exit 1; }
[ -f "$img" ] || { echo "bench-real: no image at $img (sudo make image ARCH=amd64)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/gridflash-bench.XXXXXX")
dev=""
cleanup() {
  if [ -n "$dev" ]; then losetup --detach "$dev" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "$gridflash" ]; then
  gridflash=$work/gridflash
  go build -o "$gridflash" ./cmd/gridflash
fi

"$gridflash" keygen --out "$work/key" >/dev/null
"$gridflash" sign --key "$work/key.key" --image "$img" --version bench --arch amd64 --out "$work/manifest.json" >/dev/null
bmaptool -q create -o "$work/image.bmap" "$img"
size=$(stat -c %s "$img")
mapped=$(awk -F'[<>]' '/<MappedBlocksCount>/ {m=$3} /<BlockSize>/ {b=$3} END {printf "%.2f", m*b/1e9}' "$work/image.bmap")
cat "$img" >/dev/null

now() { date +%s.%N; }
attach() {
  rm -f "$work/card"
  truncate -s "$size" "$work/card"
  dev=$(losetup --find --show "$work/card")
}
detach() { losetup --detach "$dev"; dev=""; }

bmap_run() {
  attach
  local t0 t1 t2
  t0=$(now)
  bmaptool -q copy --bmap "$work/image.bmap" "$img" "$dev"
  t1=$(now)
  "$gridflash" verify --device "$dev" --manifest "$work/manifest.json" --pubkey "$work/key.pub" \
    >/dev/null 2>"$work/verify.log" || { cat "$work/verify.log" >&2; exit 1; }
  t2=$(now)
  detach
  copy+=("$(echo "$t1 - $t0" | bc)")
  verify+=("$(echo "$t2 - $t1" | bc)")
}
grid_run() {
  attach
  local t0 t1
  t0=$(now)
  "$gridflash" write --image "$img" --manifest "$work/manifest.json" --pubkey "$work/key.pub" \
    --device "$dev" --yes --force-non-removable >/dev/null 2>"$work/write.log" || { cat "$work/write.log" >&2; exit 1; }
  t1=$(now)
  detach
  write+=("$(echo "$t1 - $t0" | bc)")
}

copy=() verify=() write=()
echo "gridflash vs bmaptool: $img ($(echo "scale=2; $size / 1000000000" | bc) GB, $mapped GB mapped), loop device, $runs runs"
for ((i = 0; i < runs; i++)); do
  if ((i % 2 == 0)); then bmap_run; grid_run; else grid_run; bmap_run; fi
  printf 'run %d: bmaptool copy %.2f s + gridflash verify %.2f s = %.2f s; gridflash write (with read-back) %.2f s\n' \
    $((i + 1)) "${copy[i]}" "${verify[i]}" "$(echo "${copy[i]} + ${verify[i]}" | bc)" "${write[i]}"
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
base=()
for ((i = 0; i < runs; i++)); do base+=("$(echo "${copy[i]} + ${verify[i]}" | bc)"); done
mc=$(median "${copy[@]}") mv=$(median "${verify[@]}") mb=$(median "${base[@]}") mw=$(median "${write[@]}")
printf 'median: bmaptool copy %.2f s + gridflash verify %.2f s = %.2f s; gridflash write %.2f s; ratio %.2f (goal <= 1.10)\n' \
  "$mc" "$mv" "$mb" "$mw" "$(echo "scale=4; $mw / $mb" | bc)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

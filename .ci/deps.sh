#!/usr/bin/env bash
# Installs what building and testing gridkiosk needs on Debian 12, and only
# what is missing: the C toolchain and X/GL headers for Fyne, the
# handwriting model, and Go itself when the machine has none (or one older
# than go.mod asks for); espeak-ng speaks the default voice pack and
# alsa-utils' aplay plays it.
#
#   .ci/deps.sh            packages for building and running (amd64)
#   .ci/deps.sh arm64      also the arm64 cross compiler and -dev packages
#   .ci/deps.sh xvfb       also Xvfb and ImageMagick, for screenshots
#   .ci/deps.sh test       also what the tests need, and bench what the
#                          benchmarks need; both fetch the handwriting
#                          test's stroke data with npm
set -euo pipefail

want_go=$(awk '$1 == "go" {print $2; exit}' "$(dirname "$0")/../go.mod")
go_dir=${GRIDKIOSK_GO_DIR:-/usr/local/go}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxrandr-dev libxxf86vm-dev
      libxi-dev libxcursor-dev libxinerama-dev libxkbcommon-dev curl unzip ca-certificates
      espeak-ng alsa-utils tegaki-zinnia-simplified-chinese)
hanzi_data=false
for extra in "$@"; do
  case "$extra" in
    arm64) pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libgl1-mesa-dev:arm64 libx11-dev:arm64
                  libxrandr-dev:arm64 libxxf86vm-dev:arm64 libxi-dev:arm64 libxcursor-dev:arm64
                  libxinerama-dev:arm64 libxkbcommon-dev:arm64) ;;
    xvfb) pkgs+=(xvfb imagemagick x11-utils) ;;
    # The hub's PostgreSQL store is tested against a real server; fuse3's
    # fusermount3 mounts the power-cut file system when not run as root.
    # The handwriting accuracy test: the 通用规范汉字表's levels are in
    # Unihan (unicode-data), its strokes in hanzi-writer-data (npm).
    # Headless chromium drives the county console's browser test, with a
    # CJK font for its screenshots, and opens the hub's status page;
    # zbarimg reads a printed receipt's QR code.
    # System updates: the hub's release tests and images/recipe's bundle
    # test sign and check real RAUC bundles (rauc, mksquashfs, openssl) and
    # their dm-verity hash tree (veritysetup); dbus-daemon runs the private
    # bus the fake RAUC (drivers/rauc/raucsim) is tested on.
    test) pkgs+=(postgresql dosfstools mtools shellcheck fuse3 unicode-data chromium fonts-droid-fallback zbar-tools
                 rauc squashfs-tools openssl cryptsetup-bin e2fsprogs fdisk dbus-daemon); hanzi_data=true ;;
    # uibench's tap probe (.ci/tapprobe.c) taps through XTEST and waits
    # for the frame through DAMAGE; bc does its sums.
    # The province benchmark runs gridhub on a real PostgreSQL too.
    bench) pkgs+=(bmap-tools unicode-data libxdamage-dev libxtst-dev bc postgresql); hanzi_data=true ;;
    *) echo "deps.sh: unknown extra '$extra' (want arm64, xvfb, test or bench)" >&2; exit 2 ;;
  esac
done

# Any npm will do: Debian's, or the one in NodeSource's nodejs (which
# Debian's npm package conflicts with).
if $hanzi_data && ! command -v npm >/dev/null; then pkgs+=(npm); fi

# The tests start their own PostgreSQL cluster; Debian's package would
# also create and start a "main" one on port 5432 that nothing uses.
if [[ " ${pkgs[*]} " == *" postgresql "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
  "${sudo_cmd[@]}" mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | "${sudo_cmd[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi

native=$(dpkg --print-architecture)
# installed PKG: dpkg-query says "install ok installed" only for a fully
# installed package. A bare name is asked for with the native architecture
# first, because once arm64 packages are installed beside it a bare name
# matches both; packages of architecture "all" answer only to the bare name.
installed() {
  local p=$1 q=$1
  case "$p" in *:*) ;; *) q="$p:$native" ;; esac
  [ "$(dpkg-query -W -f='${Status}' "$q" 2>/dev/null)" = "install ok installed" ] ||
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]
}
missing=()
for p in "${pkgs[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if printf '%s\n' "${missing[@]}" | grep -q ':arm64'; then
    "${sudo_cmd[@]}" dpkg --add-architecture arm64
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Stroke medians of 9,000+ characters (Make Me a Hanzi, Arphic Public
# License) for the handwriting accuracy test, which looks for them here;
# not committed, since they are not ours to relicense.
if $hanzi_data; then
  hanzi_ver=2.0.1
  npm_dir=${XDG_CACHE_HOME:-$HOME/.cache}/gridkiosk/npm
  if ! grep -qs "\"version\": \"$hanzi_ver\"" "$npm_dir/node_modules/hanzi-writer-data/package.json"; then
    echo "deps: fetching hanzi-writer-data $hanzi_ver with npm into $npm_dir"
    mkdir -p "$npm_dir"
    npm install --prefix "$npm_dir" --no-save --no-audit --no-fund --loglevel=error "hanzi-writer-data@$hanzi_ver" >/dev/null
  fi
fi

# Go: Debian 12's own is too old, so fetch the toolchain from the Go module
# proxy (the same zip the go command's toolchain switch downloads).
have_go() {
  local g=$1
  [ -x "$g" ] || return 1
  local v; v=$("$g" env GOVERSION 2>/dev/null | sed 's/^go//')
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$want_go" "$v" | sort -V | head -n1)" = "$want_go" ]
}
if have_go "$(command -v go || true)" || have_go "$go_dir/bin/go"; then
  exit 0
fi
arch=$(dpkg --print-architecture)
minor=$(echo "$want_go" | cut -d. -f1,2) # the newest patch release of go.mod's minor version
ver=$(curl -fsS https://proxy.golang.org/golang.org/toolchain/@v/list \
      | sed -n "s/^v0\.0\.1-go\($minor\.[0-9]*\)\.linux-$arch\$/\1/p" | sort -V | tail -n1)
[ -n "$ver" ] || { echo "deps: no Go toolchain for linux-$arch on the module proxy" >&2; exit 1; }
echo "deps: installing Go $ver into $go_dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL -o "$tmp/go.zip" "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go$ver.linux-$arch.zip"
unzip -q "$tmp/go.zip" -d "$tmp/x"
"${sudo_cmd[@]}" rm -rf "$go_dir"
"${sudo_cmd[@]}" mv "$tmp/x/golang.org/toolchain@v0.0.1-go$ver.linux-$arch" "$go_dir"
"${sudo_cmd[@]}" chmod -R a+rX "$go_dir"
"${sudo_cmd[@]}" chmod a+x "$go_dir"/bin/* "$go_dir"/pkg/tool/*/*
echo "deps: Go installed; add $go_dir/bin to PATH (the Makefile does)"

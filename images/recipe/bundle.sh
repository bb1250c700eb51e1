#!/usr/bin/env bash
# bundle.sh [options] ARCH SOURCE OUTDIR: a signed RAUC bundle (verity
# format) that installs SOURCE's root file system into a station's other
# root slot: OUTDIR/gridkiosk-ARCH-VERSION.raucb.
#
# SOURCE is an image from build.sh (its partition 2, slot A, is taken) or
# a root ext4 file. The bundle's version is the root's own
# /usr/lib/gridkiosk/system-version, which the station reports once it
# runs it; its compatible, gridkiosk-ARCH, must match the root's RAUC
# configuration and so the stations of that architecture. The file system
# is shrunk to its contents first: the bundle is what a station downloads.
#
# Options:
#   --keys DIR       signing.cert.pem, signing.key.pem and ca.cert.pem, as
#                    bundle-keys.sh makes them (default keys)
#   --version V      fail unless the root's version is V (make bundle
#                    VERSION_SYS=... says which build it expects)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

KEYS=keys WANT_VERSION='' ARCH='' SOURCE='' OUTDIR=''
while [ $# -gt 0 ]; do
	case "$1" in
	--keys) KEYS=${2:?--keys needs a directory}; shift 2 ;;
	--version) WANT_VERSION=${2:?--version needs a version}; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*)
		if [ -z "$ARCH" ]; then ARCH=$1; elif [ -z "$SOURCE" ]; then SOURCE=$1; elif [ -z "$OUTDIR" ]; then OUTDIR=$1; else die "unexpected argument $1"; fi
		shift
		;;
	esac
done
case "$ARCH" in
amd64 | arm64) ;;
*) die "usage: bundle.sh [--keys DIR] [--version V] amd64|arm64 IMAGE.img|ROOT.ext4 OUTDIR" ;;
esac
[ -n "$OUTDIR" ] || die "usage: bundle.sh [--keys DIR] [--version V] amd64|arm64 IMAGE.img|ROOT.ext4 OUTDIR"
[ -f "$SOURCE" ] || die "no $SOURCE (make image ARCH=$ARCH builds one)"

for tool in rauc mksquashfs debugfs e2fsck resize2fs sfdisk openssl; do
	command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install rauc squashfs-tools e2fsprogs fdisk openssl)"
done
for f in signing.cert.pem signing.key.pem ca.cert.pem; do
	[ -f "$KEYS/$f" ] || die "no $KEYS/$f: make bundle-keys makes the keys (or --keys DIR / BUNDLE_KEYS=DIR with your county's)"
done

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/gridkiosk-bundle.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/bundle"
root=$WORK/bundle/rootfs.ext4

# The root file system: partition 2 of an image, or the file itself.
if [ "$(sfdisk --dump "$SOURCE" 2>/dev/null | sed -n 's/^label: //p')" != "" ]; then
	# sfdisk's dump: "IMG2 : start=528384, size=6291456, type=...".
	read -r start size < <(sfdisk --dump "$SOURCE" | awk -F'[:,=]' '
		$1 ~ /2 *$/ && /start=/ { gsub(/ /, "", $3); gsub(/ /, "", $5); print $3, $5; exit }') ||
		die "$SOURCE has no partition 2 (slot A)"
	dd if="$SOURCE" of="$root" bs=512 skip="$start" count="$size" conv=sparse status=none iflag=fullblock ||
		die "cannot read slot A out of $SOURCE"
else
	cp --sparse=always "$SOURCE" "$root"
fi
debugfs -R 'stat /usr/lib/gridkiosk/system-version' "$root" 2>/dev/null | grep -q 'Inode:' ||
	die "$SOURCE holds no gridkiosk root (no /usr/lib/gridkiosk/system-version in its ext4)"

VERSION=$(debugfs -R 'cat /usr/lib/gridkiosk/system-version' "$root" 2>/dev/null | tr -d '\r\n')
[ -n "$VERSION" ] || die "the root's /usr/lib/gridkiosk/system-version is empty"
if [ -n "$WANT_VERSION" ] && [ "$WANT_VERSION" != "$VERSION" ]; then
	die "the root is version $VERSION, not $WANT_VERSION: rebuild the image with VERSION_SYS=$WANT_VERSION or leave VERSION_SYS out"
fi
COMPATIBLE=$(debugfs -R 'cat /etc/rauc/system.conf' "$root" 2>/dev/null | sed -n 's/^compatible=//p' | head -n1)
[ "$COMPATIBLE" = "gridkiosk-$ARCH" ] ||
	die "the root's RAUC configuration says compatible=${COMPATIBLE:-nothing}, not gridkiosk-$ARCH: is $SOURCE an $ARCH image?"

say "root of $SOURCE: version $VERSION, $COMPATIBLE; shrinking its ext4"
e2fsck -fy "$root" >/dev/null 2>&1 || [ $? -le 1 ] || die "e2fsck found the root file system broken"
resize2fs -M "$root" >/dev/null 2>&1 || die "resize2fs -M failed on the root file system"

cat >"$WORK/bundle/manifest.raucm" <<-EOF2
	[update]
	compatible=$COMPATIBLE
	version=$VERSION
	description=gridkiosk system $VERSION ($ARCH)
	build=$(date -u +%Y%m%dT%H%M%SZ)

	[bundle]
	format=verity

	[image.rootfs]
	filename=rootfs.ext4
EOF2

mkdir -p "$OUTDIR"
OUT=$OUTDIR/gridkiosk-$ARCH-$VERSION.raucb
rm -f "$OUT"
# --keyring: rauc checks the new bundle's signature against the CA the
# images carry, so a bundle no station would accept is not made.
rauc bundle --cert="$KEYS/signing.cert.pem" --key="$KEYS/signing.key.pem" --keyring="$KEYS/ca.cert.pem" \
	"$WORK/bundle" "$OUT" >"$WORK/rauc.log" 2>&1 || { cat "$WORK/rauc.log" >&2; die "rauc bundle failed"; }
sha256sum "$OUT" | sed 's#  .*/#  #' >"$OUT.sha256"
say "bundle: $OUT ($(du -h "$OUT" | cut -f1), version $VERSION, $COMPATIBLE, sha256 $(cut -c1-16 "$OUT.sha256")...)"
echo "$OUT"

# shellcheck shell=bash
# Helpers shared by build.sh and check.sh. Sourced, not run.

# say MSG: a progress line, with the seconds since the script started.
say() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&2; }

# die MSG: the plain reason, and out.
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# need_root: both scripts create files owned by other users, run package
# scripts in a chroot or write disk images as root.
need_root() {
	[ "$(id -u)" -eq 0 ] || die "run me as root (sudo $0 ...)"
}

# installed PKG: true when dpkg has PKG fully installed.
installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# need_pkgs PKG...: installs, from Debian's archive, those not installed.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing build tools: ${missing[*]}"
	apt-get update -qq || die "apt-get update failed: cannot install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "could not install ${missing[*]} with apt-get"
}

# partition_offset IMG N: byte offset of partition N, from sfdisk's dump
# ("IMG1 : start=8192, size=..., type=...").
partition_offset() {
	local start
	start=$(sfdisk --dump "$1" 2>/dev/null | awk -F'[:,=]' -v n="$2" \
		'$1 ~ (n " *$") && /start=/ { gsub(/ /, "", $3); print $3; exit }')
	[ -n "$start" ] || die "$1 has no partition $2"
	echo $((start * 512))
}

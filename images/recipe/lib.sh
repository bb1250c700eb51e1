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

# apt_source_uri SUITE [ETC]: the first URI of ETC's apt sources (default
# /etc/apt) that serves SUITE with the main component, from sources.list,
# sources.list.d/*.list (one-line style) and sources.list.d/*.sources
# (deb822); nothing when none does. County IT builds behind its own Debian
# mirror, which its build machine already uses.
apt_source_uri() {
	local suite=$1 etc=${2:-/etc/apt} f
	local files=()
	[ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
	for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v suite="$suite" '
		function has(list, word,   n, i, a) {
			n = split(list, a, /[ \t]+/)
			for (i = 1; i <= n; i++) if (a[i] == word) return 1
			return 0
		}
		# deb822: a stanza ends at a blank line or the end of its file.
		function stanza() {
			if (!done && types != "" && has(types, "deb") && has(suites, suite) && has(comps, "main") && enabled != "no" && uris != "") {
				split(uris, u, /[ \t]+/); print u[1]; done = 1; exit
			}
			types = uris = suites = comps = enabled = ""
		}
		FNR == 1 { stanza() }
		FILENAME ~ /\.sources$/ {
			if ($0 ~ /^[ \t]*$/) { stanza(); next }
			if ($0 ~ /^#/) next
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "enabled") enabled = tolower(val)
			next
		}
		# One-line style: deb [options] URI SUITE COMPONENT...
		$1 == "deb" {
			i = 2
			if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) != suite) next
			for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; done = 1; exit }
		}
		END { stanza() }
	' "${files[@]}" | sed 's#/*$##'
}

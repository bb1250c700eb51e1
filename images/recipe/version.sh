#!/usr/bin/env bash
# version.sh [REPO]: the system version of an image or bundle built from
# REPO's checkout: its last commit's UTC time and short hash,
# YYYY.MM.DD.HHMMSS+g<commit> (wire.CompareVersions orders them by time).
set -euo pipefail
repo=${1:-.}
when=$(TZ=UTC git -C "$repo" log -1 --date=format-local:%Y.%m.%d.%H%M%S --format=%cd) ||
	{ echo "version.sh: $repo is not a git checkout: pass the version yourself (VERSION_SYS=...)" >&2; exit 1; }
echo "$when+g$(git -C "$repo" rev-parse --short=8 HEAD)"

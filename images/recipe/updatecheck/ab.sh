# shellcheck shell=bash disable=SC2153,SC2154
# ab.sh: updatecheck.sh's steps for an A/B image (sourced by it, not run):
# bundles, install, rollback and the power cuts. Uses updatecheck.sh's
# helpers (step, pass, fail, boot, cut, send, do_cmd, wait_line, ...)
# and variables (WORK, SERIAL, FROM, LINE, N, SLOT, CTLPORT, ...).

# other SLOT: the slot an install goes to.
other() { if [ "$1" = A ]; then echo B; else echo A; fi; }

# bundle_keys: the keys bundles are signed with, the ones whose CA the
# image's keyring holds (make bundle-keys; BUNDLE_KEYS as for make image).
bundle_keys() {
	KEYS=${BUNDLE_KEYS:-keys}
	case "$KEYS" in /*) ;; *) KEYS=$repo/$KEYS ;; esac
	if [ ! -f "$KEYS/signing.cert.pem" ] || [ ! -f "$KEYS/signing.key.pem" ]; then
		fail "no bundle signing key in $KEYS: make bundle-keys, then make image, with the same BUNDLE_KEYS"
	fi
	if ! debugfs -R 'cat /etc/rauc/keyring.pem' "$IMAGE?offset=$(partition_offset "$IMAGE" 2)" 2>/dev/null | cmp -s - "$KEYS/ca.cert.pem"; then
		fail "$IMAGE's RAUC keyring is not $KEYS/ca.cert.pem: its stations would refuse these bundles (make image with BUNDLE_KEYS=$KEYS)"
	fi
}

# make_bundle ROOT OUT: the image part's bundle.sh, as make bundle runs it,
# on ROOT (an ext4 image); the bundle is moved to OUT.
# rauc bundle runs mksquashfs from PATH: this one compresses with lz4,
# several times faster than the default gzip on a busy machine, and read
# by every Debian kernel (CONFIG_SQUASHFS_LZ4).
make_bundle() {
	local made
	mkdir -p "$WORK/bin"
	printf '#!/bin/sh\nexec %s "$@" -comp lz4\n' "$(command -v mksquashfs)" >"$WORK/bin/mksquashfs"
	chmod +x "$WORK/bin/mksquashfs"
	made=$(PATH=$WORK/bin:$PATH "$here/bundle.sh" --keys "$KEYS" amd64 "$1" "$WORK/bundles" 2>"$WORK/bundle.log" | tail -n1) ||
		{ cat "$WORK/bundle.log" >&2; fail "bundle.sh failed on $1"; }
	mv -f "$made" "$2"
}

# set_file FS PATH CONTENT: a file in an ext4 image, with debugfs.
set_file() {
	local tmp=$WORK/set_file.tmp
	printf '%s\n' "$3" >"$tmp"
	debugfs -w -f - "$1" >>"$WORK/debugfs.log" 2>&1 <<-EOF
		rm $2
		write $tmp $2
		set_inode_field $2 mode 0100644
	EOF
	[ "$(debugfs -R "cat $2" "$1" 2>/dev/null)" = "$3" ] || fail "could not write $2 into $1"
}

# release_add FILE VERSION: the bundle into the hub's releases.
release_add() {
	hub_admin release add "$1" --version "$2" --arch amd64 --keyring "$KEYS/ca.cert.pem" >>"$WORK/hub-admin.log" 2>&1 ||
		{ tail -n 5 "$WORK/hub-admin.log" >&2; fail "gridhub release add $2 failed"; }
}

# assign VERSION: the station should run VERSION (gridhub release assign).
assign() {
	hub_admin release assign "$1" --station "$STATION" >>"$WORK/hub-admin.log" 2>&1 ||
		{ tail -n 5 "$WORK/hub-admin.log" >&2; fail "gridhub release assign $1 failed"; }
}

# version_at SECONDS: a version in the image's form, SECONDS from now.
version_at() { echo "$(date -u -d "+$1 seconds" +%Y.%m.%d.%H%M%S)+g$(git -C "$repo" rev-parse --short=8 HEAD 2>/dev/null || echo 00000000)"; }

# bundles_start: the bundles are made in the background while slot A
# boots (mksquashfs and a booting guest share the machine, and neither
# waits for the other). The station's updater installs only newer
# releases, so each update of the check gets its own, each newer than the
# last: good1 for the install, bad (gridkiosk never sends READY) for the
# rollback, good2... for the power cuts' updates, one per three cuts.
bundles_start() {
	need_pkgs rauc squashfs-tools openssl
	bundle_keys
	BUNDLES_AT=$SECONDS
	NGOOD=$((1 + (CUTS + 2) / 3))
	# UC_BUNDLES: the bundles of an earlier run's kept work directory,
	# made from the same image (to repeat a run without making them again).
	if [ -n "${UC_BUNDLES:-}" ]; then
		cp "$UC_BUNDLES/versions" "$UC_BUNDLES/old-version" "$WORK/" || die "UC_BUNDLES=$UC_BUNDLES has no versions"
		# shellcheck disable=SC1091
		. "$WORK/versions"
		[ "${#GOOD[@]}" -ge "$NGOOD" ] || die "UC_BUNDLES=$UC_BUNDLES has ${#GOOD[@]} good bundles; UC_CUTS=$CUTS needs $NGOOD"
		local b
		for b in "${!GOOD[@]}" bad; do
			[ "$b" = bad ] || b=good$((b + 1))
			ln -f "$UC_BUNDLES/$b.raucb" "$WORK/$b.raucb" 2>/dev/null || cp "$UC_BUNDLES/$b.raucb" "$WORK/$b.raucb" ||
				die "no $b.raucb in UC_BUNDLES=$UC_BUNDLES"
		done
		: & BUNDLER=$!
		return
	fi
	local i
	GOOD=("$(version_at 0)") BAD_VERSION=$(version_at 1)
	for ((i = 2; i <= NGOOD; i++)); do GOOD+=("$(version_at "$i")"); done
	# Plain assignments, not declare -p: sourced in a function, declare
	# would make them its locals.
	printf 'GOOD=(%s)\nBAD_VERSION=%s\n' "${GOOD[*]}" "$BAD_VERSION" >"$WORK/versions"
	make_bundles >"$WORK/bundles.log" 2>&1 &
	BUNDLER=$!
}

# root_copy: a fresh copy of the image's slot A root, the helper
# injected, in WORK/root.ext4.
root_copy() {
	local off size root=$WORK/root.ext4
	off=$(partition_offset "$IMAGE" 2)
	size=$(sfdisk --dump "$IMAGE" 2>/dev/null | awk -F'[:,=]' '$1 ~ /2 *$/ && /size=/ { gsub(/ /, "", $5); print $5; exit }')
	[ -n "$size" ] || die "no size for partition 2 of $IMAGE"
	dd if="$IMAGE" of="$root" bs=1M iflag=skip_bytes,count_bytes skip="$off" count=$((size * 512)) conv=sparse status=none
	inject "$root"
}

make_bundles() {
	local root=$WORK/root.ext4 i
	root_copy
	debugfs -R 'cat /usr/lib/gridkiosk/system-version' "$root" 2>/dev/null | head -n1 >"$WORK/old-version"
	for i in "${!GOOD[@]}"; do
		set_file "$root" /usr/lib/gridkiosk/system-version "${GOOD[i]}"
		make_bundle "$root" "$WORK/good$((i + 1)).raucb"
	done
	# The bad one: gridkiosk runs but never sends READY=1, so the trial
	# service never sees it healthy.
	set_file "$root" /usr/lib/gridkiosk/system-version "$BAD_VERSION"
	debugfs -w -R 'mkdir /etc/systemd/system/gridkiosk.service.d' "$root" >>"$WORK/debugfs.log" 2>&1
	set_file "$root" /etc/systemd/system/gridkiosk.service.d/never-ready.conf \
		"$(printf '%s\n' '# updatecheck: a station that never becomes healthy' '[Service]' 'ExecStart=' 'ExecStart=/bin/sleep infinity')"
	make_bundle "$root" "$WORK/bad.raucb"
	rm -f "$root"
}

step_bundles() {
	step bundles "${#GOOD[@]} good bundles and a bad one from a copy of slot A's root, added to the hub"
	wait "$BUNDLER" || { tail -n 20 "$WORK/bundles.log" >&2; fail "making the bundles failed"; }
	local made=$((SECONDS - BUNDLES_AT)) i
	for i in "${!GOOD[@]}"; do release_add "$WORK/good$((i + 1)).raucb" "${GOOD[i]}"; done
	release_add "$WORK/bad.raucb" "$BAD_VERSION"
	BUNDLE_SIZE=$(stat -c %s "$WORK/good1.raucb")
	NEXT=0
	pass "image $(cat "$WORK/old-version"); good ${GOOD[0]} ... ${GOOD[-1]} ($((BUNDLE_SIZE / 1048576)) MiB each), bad $BAD_VERSION; made in ${made}s beside the first boot; all at the hub"
}

# next_good: the next good release, newer than any installed before.
# A cut that finds its update over already moves to the next update, so
# the cuts can want more updates than the bundles made at the start: one
# more is made then, newer than all (a run ended with "no good release
# left" when two cuts had landed past their phase).
next_good() {
	[ "$NEXT" -lt "${#GOOD[@]}" ] || more_good
	WANT=${GOOD[NEXT]}
	NEXT=$((NEXT + 1))
}

# more_good: one more good bundle, made now and added to the hub.
more_good() {
	local v i=$((${#GOOD[@]} + 1)) t0=$SECONDS
	v=$(version_at 0)
	root_copy
	set_file "$WORK/root.ext4" /usr/lib/gridkiosk/system-version "$v"
	make_bundle "$WORK/root.ext4" "$WORK/good$i.raucb"
	rm -f "$WORK/root.ext4"
	release_add "$WORK/good$i.raucb" "$v"
	GOOD+=("$v")
	say "one more good bundle, $v, made and added in $((SECONDS - t0))s (the cuts wanted more updates than were made)"
}

# hub_says WHEN: gridhub's station list, what the county sees of the
# station's version and update now (the hub stops meanwhile, as for
# hub_admin).
hub_says() {
	stop_hub
	echo "--- gridhub station list ($1)"
	"$GRIDHUB" station list --data "$WORK/hub" 2>&1 || true
	start_hub
}

# rx VERSION: VERSION as an extended regexp matching itself (a version
# has dots and a "+").
rx() {
	local v=${1//./\\.}
	echo "${v//+/\\+}"
}

# wait_upd PATTERN SECONDS WHAT: the station's updater, in this boot,
# reports a state matching PATTERN (its helper's UPD lines).
wait_upd() {
	wait_line "GRIDKIOSK-UC: UPD $BOOTID $1" "$2" || fail "$3: not within $2s (the updater's last word: $(last_upd))"
}

# last_upd: the last UPD line of this boot.
last_upd() { tail -c +$((FROM + 1)) "$SERIAL" | tr -d '\r' | grep -a "GRIDKIOSK-UC: UPD $BOOTID " | tail -n1 | sed 's/.*UPD [^ ]* //'; }

# ask VERSION: VERSION assigned at the hub (gridhub release assign), and
# the station told to ask the hub now (gridkiosk update check, as a
# technician would; else it asks at its next check_interval).
ask() {
	assign "$1"
	do_cmd 120 check
	[ "$RC" = 0 ] || fail "gridkiosk update check failed in the guest"
}

# update_to VERSION: the station's own updater fetches VERSION, installs
# it and reboots; times in DL_S and INST_S. Returns as the reboot starts.
update_to() {
	local t0 t1
	here_on
	t0=$SECONDS
	ask "$1"
	wait_upd "state=downloading pending=$(rx "$1") " 300 "the station did not start fetching $1"
	wait_upd "state=(waiting|installing|rebooting|failed) " 1800 "the download of $1 did not end"
	[[ $LINE != *state=failed* ]] || fail "the download of $1 failed: $(last_upd)"
	t1=$SECONDS DL_S=$((t1 - t0))
	wait_reboot "the install of $1 did not end"
	INST_S=$((SECONDS - t1))
}

# wait_reboot WHAT: the station's updater starts its reboot: its
# "rebooting" line, or, when the guest went down before its helper's next
# look (it looks once a second), the next boot's BOOT line. FROM is left
# before that BOOT line for wait_boot (callers set it past the boot they
# start in). Not an offset of the line: reading one back from the live
# serial log came back empty in a run, for a reason not yet understood.
wait_reboot() {
	wait_line "GRIDKIOSK-UC: (UPD $BOOTID state=(rebooting|failed) |BOOT )" 1800 ||
		fail "$1: not within 1800s (the updater's last word: $(last_upd))"
	[[ $LINE != *state=failed* ]] || fail "$1: $(last_upd)"
	# Whether the updater was seen to start its reboot, or only the next
	# boot was: then the install's time runs to that boot's BOOT line.
	REBOOT_SEEN=0
	[[ $LINE != *state=rebooting* ]] || REBOOT_SEEN=1
}

# confirmed VERSION: the booted slot runs VERSION, marked good, and the
# station's updater says the update went well.
confirmed() {
	[ "$VERSION" = "$1" ] || fail "slot $SLOT runs version $VERSION, want $1"
	do_cmd "$TRIAL_TIMEOUT" good "$TRIAL_TIMEOUT"
	[ "$RC" = 0 ] || fail "slot $SLOT was never marked good"
	wait_upd "state=idle pending= reason=ok " 300 "the station never said $1 is ok"
}

step_install() {
	local from=$SLOT t0
	next_good
	step install "release $WANT assigned at the hub; the station fetches it, installs it into slot $(other "$SLOT"), reboots into it, healthy, marked good"
	update_to "$WANT"
	t0=$SECONDS
	wait_boot
	[ "$SLOT" = "$(other "$from")" ] || fail "after the install the station booted slot $SLOT, want $(other "$from")"
	confirmed "$WANT"
	FB_S=$((SECONDS - t0))
	verify_guest
	verify_hub 300
	hub_says "after the install"
	local inst="install ${INST_S}s (the station's updater and RAUC), reboot to READY ${READY_S}s"
	if [ "$REBOOT_SEEN" = 0 ]; then
		inst="install and reboot ${INST_S}s (the station's updater and RAUC; the guest was down before its helper saw it rebooting), READY ${READY_S}s after the new slot's BOOT line"
	fi
	pass "$from -> $SLOT ($VERSION): download ${DL_S}s, $inst, marked good and ok ${FB_S}s after the reboot; $HAVE records kept, $AT_HUB at the hub"
}

step_rollback() {
	step rollback "a release whose gridkiosk never becomes healthy: back to slot $SLOT by itself, and not fetched again"
	local good=$SLOT bad boots=0 t0
	bad=$(other "$good")
	update_to "$BAD_VERSION"
	t0=$SECONDS
	# The bad slot boots (its helper says so), never becomes ready, and
	# the station goes back to the good slot: boots counted on the way.
	while :; do
		wait_line 'GRIDKIOSK-UC: BOOT ' "$BOOT_TIMEOUT" || fail "no boot reported within ${BOOT_TIMEOUT}s"
		boot_line
		# Past this BOOT line only: its READY may follow within a second,
		# before the host has read the BOOT line.
		past_line 'GRIDKIOSK-UC: BOOT '
		[ "$SLOT" = "$good" ] && break
		[ "$SLOT" = "$bad" ] || fail "unexpected slot $SLOT"
		boots=$((boots + 1))
		say "the bad slot $bad ($VERSION) booted ($boots)"
		[ "$boots" -le 6 ] || fail "slot $bad booted $boots times: the boot-count limit did not stop it"
		[ $((SECONDS - t0)) -le "$TRIAL_TIMEOUT" ] || fail "still in the bad slot after ${TRIAL_TIMEOUT}s"
	done
	local back=$((SECONDS - t0))
	[ "$boots" -ge 1 ] || fail "the bad slot never booted: the install did not switch slots"
	wait_line 'GRIDKIOSK-UC: READY ' "$BOOT_TIMEOUT" || fail "back in slot $SLOT, gridkiosk never became ready"
	do_cmd 600 good 600
	[ "$RC" = 0 ] || fail "back in slot $SLOT, it is not marked good"
	wait_upd "state=failed pending= reason=rolled_back " 300 "the station never said the update rolled back"
	# The hub still assigns the bad release: asked again, the station
	# must not fetch it (it would install and roll back at every check).
	ask "$BAD_VERSION"
	if wait_line "GRIDKIOSK-UC: UPD $BOOTID state=downloading" 90; then
		fail "the rolled-back release $BAD_VERSION was fetched again"
	fi
	do_cmd 60 status
	verify_guest
	verify_hub 300
	hub_says "after the rollback"
	pass "slot $bad ($BAD_VERSION) booted $boots time(s), back in slot $good ($VERSION) ${back}s after the reboot into it, said rolled back, not fetched again when asked; $HAVE records kept, $AT_HUB at the hub"
}

# where_cut: the last thing the guest said before the cut.
where_cut() {
	local last
	last=$(tail -c +$((FROM + 1)) "$SERIAL" | tr -d '\r' | grep -aoE 'GRIDKIOSK-UC: (UPD [^ ]+ state=[a-z]+|BOOT|READY|GOOD)' | tail -n1)
	last=${last#GRIDKIOSK-UC: }
	echo "${last/UPD $BOOTID /}"
}

# one_cut I PHASE: a power cut at a seeded point of PHASE of the update
# to WANT under way, then the checks after it. The station carries on
# with the update by itself after each cut.
one_cut() {
	local i=$1 phase=$2 at before where
	step "cut$i" "a power cut during the $phase of the update to $WANT (slot $SLOT, $VERSION)"
	case "$phase" in
	download)
		# A resumed download has only what is left to fetch: a second
		# cut falls in that, not where the first one's download ended.
		local left=$((DL_S - DL_DONE - 3))
		at=$((RANDOM % (left > 1 ? left : 1) + 1))
		DL_DONE=$((DL_DONE + at))
		wait_upd "state=downloading pending=$(rx "$WANT") " 300 "the download did not start"
		;;
	install)
		at=$((RANDOM % (INST_S > 4 ? INST_S - 3 : 1) + 1))
		# A download that failed (its SHA-256) ends the wait at once: the
		# station would not fetch again before its next check, an hour on.
		wait_upd "state=(installing pending=$(rx "$WANT")|failed) " 1800 "the install did not start"
		[[ $LINE != *state=failed* ]] || fail "the update to $WANT failed before its install: $(last_upd)"
		;;
	firstboot)
		at=$((RANDOM % (FB_S > 2 ? FB_S : 2)))
		here_on
		wait_reboot "the reboot into $WANT did not start"
		;;
	esac
	sleep "$at"
	before=$(stored_ids | wc -l)
	where=$(where_cut)
	cut
	say "cut $i: ${at}s into the $phase (the guest's last word: $where); $before records acknowledged before it"
	recover
	pass "$phase +${at}s ($where): booted slot $SLOT ($VERSION), good; READY ${READY_S}s; all $HAVE records kept ($before before the cut), $AT_HUB at the hub"
}

# downloading: whether the update to WANT still fetches its bundle in
# this boot. After a cut late in its download (the bundle whole on disk)
# or in its install, the next boot goes on to the install at once.
downloading() {
	wait_upd "state=(downloading|waiting|installing|rebooting) pending=$(rx "$WANT") " 300 "the update to $WANT did not go on"
	[[ $LINE == *state=downloading* ]]
}

# finish_update: the station, left to itself after the cuts, ends on WANT.
finish_update() {
	[ "$VERSION" = "$WANT" ] && return 0
	here_on
	wait_reboot "after the cuts the update to $WANT did not reach its reboot"
	wait_boot
	confirmed "$WANT"
}

# step_cuts: CUTS power cuts, up to five to an update (two in its
# download, which then resumes from what was synced before the first;
# two in its install, which RAUC then does again; one in its first
# boot), the station carrying each update on by itself after each cut. A
# phase the update has passed already when its cut was due is skipped,
# and another update makes up for it: the station often finishes an
# update while the check recovers from a cut (boot, good, records: 5-8
# minutes under TCG), and each update costs about 20 minutes before any.
step_cuts() {
	local phases=(download download install install firstboot) cuts=0 p n
	n=${#phases[@]}
	p=$(((n - CUTS % n) % n)) # the last update's last cut is in its first boot
	while [ "$cuts" -lt "$CUTS" ]; do
		next_good
		here_on
		ask "$WANT"
		DL_DONE=0
		for (( ; p < n && cuts < CUTS; p++)); do
			if [ "$VERSION" = "$WANT" ]; then
				say "the update to $WANT passed its ${phases[p]} before its cut: the cut goes to the next update"
				break
			fi
			if [ "${phases[p]}" = download ] && ! downloading; then
				say "the update to $WANT had its bundle before cut $((cuts + 1)) was due: the cut goes to its install"
				continue
			fi
			cuts=$((cuts + 1))
			one_cut "$cuts" "${phases[p]}"
		done
		p=0
		finish_update
	done
}

# ab_steps STEPS: the bundles, then each of STEPS (install, rollback,
# cuts) asked for, in that order.
ab_steps() {
	step_bundles
	case " $1 " in *" install "*) step_install ;; esac
	case " $1 " in *" rollback "*) step_rollback ;; esac
	case " $1 " in *" cuts "*) step_cuts ;; esac
}

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
# waits for the other): two good ones, so that each update has a release
# other than the one running to go to, and a bad one.
bundles_start() {
	need_pkgs rauc squashfs-tools openssl
	bundle_keys
	BUNDLES_AT=$SECONDS
	# UC_BUNDLES: the bundles of an earlier run's kept work directory,
	# made from the same image (to repeat a run without making them again).
	if [ -n "${UC_BUNDLES:-}" ]; then
		local b
		for b in good good2 bad; do
			ln -f "$UC_BUNDLES/$b.raucb" "$WORK/$b.raucb" 2>/dev/null || cp "$UC_BUNDLES/$b.raucb" "$WORK/$b.raucb" ||
				die "no $b.raucb in UC_BUNDLES=$UC_BUNDLES"
		done
		cp "$UC_BUNDLES/versions" "$UC_BUNDLES/old-version" "$WORK/" || die "UC_BUNDLES=$UC_BUNDLES has no versions"
		# shellcheck disable=SC1091
		. "$WORK/versions"
		: & BUNDLER=$!
		return
	fi
	# Newer than the image, in its version form.
	GOOD_VERSION=$(version_at 0) GOOD2_VERSION=$(version_at 1) BAD_VERSION=$(version_at 2)
	printf 'GOOD_VERSION=%s\nGOOD2_VERSION=%s\nBAD_VERSION=%s\n' "$GOOD_VERSION" "$GOOD2_VERSION" "$BAD_VERSION" >"$WORK/versions"
	make_bundles >"$WORK/bundles.log" 2>&1 &
	BUNDLER=$!
}

make_bundles() {
	local off size root=$WORK/root.ext4
	off=$(partition_offset "$IMAGE" 2)
	size=$(sfdisk --dump "$IMAGE" 2>/dev/null | awk -F'[:,=]' '$1 ~ /2 *$/ && /size=/ { gsub(/ /, "", $5); print $5; exit }')
	[ -n "$size" ] || die "no size for partition 2 of $IMAGE"
	dd if="$IMAGE" of="$root" bs=1M iflag=skip_bytes,count_bytes skip="$off" count=$((size * 512)) conv=sparse status=none
	inject "$root"
	debugfs -R 'cat /usr/lib/gridkiosk/system-version' "$root" 2>/dev/null | head -n1 >"$WORK/old-version"
	set_file "$root" /usr/lib/gridkiosk/system-version "$GOOD_VERSION"
	make_bundle "$root" "$WORK/good.raucb"
	set_file "$root" /usr/lib/gridkiosk/system-version "$GOOD2_VERSION"
	make_bundle "$root" "$WORK/good2.raucb"
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
	step bundles "two good bundles and a bad one from a copy of slot A's root, added to the hub"
	wait "$BUNDLER" || { tail -n 20 "$WORK/bundles.log" >&2; fail "making the bundles failed"; }
	local made=$((SECONDS - BUNDLES_AT))
	release_add "$WORK/good.raucb" "$GOOD_VERSION"
	release_add "$WORK/good2.raucb" "$GOOD2_VERSION"
	release_add "$WORK/bad.raucb" "$BAD_VERSION"
	BUNDLE_SIZE=$(stat -c %s "$WORK/good.raucb")
	pass "image $(cat "$WORK/old-version"); good $GOOD_VERSION and $GOOD2_VERSION ($((BUNDLE_SIZE / 1048576)) MiB), bad $BAD_VERSION; made in ${made}s beside the first boot; all three at the hub"
}

# update_to VERSION [RATE]: assign VERSION at the hub and have the guest
# fetch and install it (hubinstall); times in DL_S, INST_S.
update_to() {
	local t0 t1
	assign "$1"
	t0=$SECONDS
	here_on
	send hubinstall "${2:-0}"
	wait_line 'GRIDKIOSK-UC: DOWNLOAD (done|failed)' 1800 || fail "the download of $1 did not end within 1800s"
	[[ $LINE == *done* ]] || fail "the download of $1 failed: $LINE"
	t1=$SECONDS DL_S=$((t1 - t0))
	wait_line "GRIDKIOSK-UC: DONE $N " 1800 || fail "rauc install of $1 did not end within 1800s"
	INST_S=$((SECONDS - t1))
	[ "${LINE##* }" = 0 ] || fail "rauc install of $1 failed: $(tail -c +$((FROM + 1)) "$SERIAL" | grep -a 'GRIDKIOSK-UC:  ' | tr -d '\r' | tail -n 5 | tr '\n' ' ')"
}

# reboot_guest: the guest reboots (into the slot RAUC made primary); the
# serial log's search point is left before the reboot.
reboot_guest() {
	here_on
	send reboot
	wait_line 'GRIDKIOSK-UC: REBOOT' 60 || fail "the guest did not start its reboot"
	send idle
}

# next_good: a good release other than the one running.
next_good() { if [ "$VERSION" = "$GOOD_VERSION" ]; then echo "$GOOD2_VERSION"; else echo "$GOOD_VERSION"; fi; }

step_install() {
	step install "a newer release assigned at the hub, fetched, installed into slot $(other "$SLOT"); reboot, healthy, marked good"
	local from=$SLOT t0 want
	want=$(next_good)
	update_to "$want"
	reboot_guest
	t0=$SECONDS
	wait_boot
	[ "$SLOT" = "$(other "$from")" ] || fail "after the install the station booted slot $SLOT, want $(other "$from")"
	[ "$VERSION" = "$want" ] || fail "slot $SLOT runs version $VERSION, want $want"
	do_cmd "$TRIAL_TIMEOUT" good "$TRIAL_TIMEOUT"
	[ "$RC" = 0 ] || fail "slot $SLOT was never marked good"
	FB_S=$((SECONDS - t0))
	verify_guest
	verify_hub 300
	pass "$from -> $SLOT ($VERSION): download ${DL_S}s, rauc install ${INST_S}s, reboot to READY ${READY_S}s, marked good ${FB_S}s after the reboot; $HAVE records kept, $AT_HUB at the hub"
}

step_rollback() {
	step rollback "a bundle whose gridkiosk never becomes healthy: back to slot $SLOT by itself"
	local good=$SLOT bad boots=0 t0
	bad=$(other "$good")
	update_to "$BAD_VERSION"
	reboot_guest
	t0=$SECONDS
	# The bad slot boots (its helper says so), never becomes ready, and
	# the station goes back to the good slot: boots counted on the way.
	while :; do
		wait_line 'GRIDKIOSK-UC: BOOT ' "$BOOT_TIMEOUT" || fail "no boot reported within ${BOOT_TIMEOUT}s"
		SLOT=$(sed -n 's/.* slot=\([^ ]*\).*/\1/p' <<<"$LINE")
		VERSION=$(sed -n 's/.* version=\([^ ]*\).*/\1/p' <<<"$LINE")
		here_on
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
	do_cmd 60 status
	verify_guest
	verify_hub 300
	pass "slot $bad ($BAD_VERSION) booted $boots time(s), back in slot $good ($VERSION) ${back}s after the reboot into it; $HAVE records kept, $AT_HUB at the hub"
}

# where_cut: the last thing the guest said before the cut.
where_cut() {
	local last
	last=$(tail -c +$((FROM + 1)) "$SERIAL" | tr -d '\r' | grep -aoE 'GRIDKIOSK-UC: (DOWNLOAD|INSTALL|REBOOT|BOOT|READY|GOOD)[^ ]*( [a-z]+)?' | tail -n1)
	echo "${last#GRIDKIOSK-UC: }"
}

# one_cut I PHASE: an update interrupted by a cut during PHASE, then
# the checks after it.
one_cut() {
	local i=$1 phase=$2 at from=$SLOT before where rate=0
	step "cut$i" "a power cut during the $phase of an update ($from -> $(other "$from"))"
	here_on
	local want
	want=$(next_good)
	case "$phase" in
	download)
		# Slowed so that it lasts about a minute: a cut lands in it.
		rate=$((BUNDLE_SIZE / 60))
		at=$((RANDOM % 55 + 2))
		assign "$want"
		send hubinstall "$rate"
		wait_line 'GRIDKIOSK-UC: DOWNLOAD start' 300 || fail "the download did not start"
		;;
	install)
		at=$((RANDOM % (INST_S > 2 ? INST_S : 2)))
		assign "$want"
		send hubinstall 0
		wait_line 'GRIDKIOSK-UC: INSTALL start' 1800 || fail "the install did not start"
		;;
	firstboot)
		at=$((RANDOM % (FB_S > 2 ? FB_S : 2)))
		update_to "$want"
		reboot_guest
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

step_cuts() {
	local i phases=(download install firstboot) order=() j tmp
	# Each phase as often as the others, in a seeded order.
	for ((i = 0; i < CUTS; i++)); do order+=("${phases[i % 3]}"); done
	for ((i = CUTS - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		tmp=${order[i]} order[i]=${order[j]} order[j]=$tmp
	done
	for ((i = 0; i < CUTS; i++)); do
		one_cut $((i + 1)) "${order[i]}"
	done
}

ab_steps() {
	step_bundles
	step_install
	step_rollback
	step_cuts
}

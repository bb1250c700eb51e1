#!/usr/bin/env bash
# updatecheck.sh [IMAGE]: the whole update story of an amd64 gridkiosk
# image in qemu (TCG, OVMF), with power cuts. IMAGE (default
# dist/gridkiosk-amd64.img) is not changed: a copy is booted.
#
# The station's county hub is a real "gridhub serve" on this machine,
# which qemu's user networking shows the guest as 10.0.2.2. Every update
# is the station's own: releases are added and assigned with gridhub
# (release add, release assign), and gridkiosk's updater fetches,
# installs with RAUC and reboots by itself (the provisioned window is
# all day). A small web server beside the hub (python3 http.server, also
# at 10.0.2.2) carries the host's few commands to a guest helper
# (updatecheck/gridkiosk-updatecheck, injected into the root slots with
# debugfs): "gridkiosk update check" after an assignment, so the station
# asks the hub now rather than at its next check_interval; waits for a
# slot marked good; the records check. The helper reports on the serial
# console: records stored, and each change of the station's update state
# (its admin API's GET /v1/update). Steps, each timed:
#   boot      boot slot A, gridkiosk ready, records stored and at the hub
#   cut0      (an image without A/B slots) a power cut while records are
#             being stored: all back, at the hub
# With an A/B image (RAUC in the guest, bundle.sh and bundle keys here):
#   bundles   good bundles, each a newer version (the station installs
#             only newer ones), and a bad one (gridkiosk never sends
#             READY), made from a copy of slot A's root, added to the hub
#   install   a good release assigned; the station downloads it,
#             installs it into the other slot, reboots; the new slot
#             boots, gridkiosk healthy, the slot marked good by the
#             image's trial service, the station says "ok"
#   rollback  the bad release assigned and installed; its slot never
#             becomes healthy and the station returns to its predecessor
#             by itself, says it rolled back, and does not fetch the
#             same release again when asked
#   cutN      UC_CUTS (10) power cuts at random points (seed UC_SEED,
#             printed) of the station's updates, three to an update:
#             during its download, its install and the first boot of the
#             new slot. After each the station boots a good slot, every
#             record acknowledged before the cut is still in its outbox
#             and reaches the hub, and the station carries the update on
#             by itself (the download resumes with a Range request, an
#             interrupted install is done again) until it runs it
#
# A power cut is qemu killed with SIGKILL. What that loses is what the
# guest had not yet handed to its disk: its page cache, ext4's uncommitted
# journal, RAUC's unfinished slot writes. The disk is opened with
# cache=none (O_DIRECT): qemu keeps no write-back data of its own, the
# guest sees a disk with a volatile write cache whose flushes (fsync,
# barriers) become fdatasync of the image file, and the image file after
# the kill holds exactly what the virtual disk had received. (With the
# default cache=writeback the host's page cache would hold that too, and
# survive the kill equally; neither mode drops writes the disk had
# acknowledged but not flushed, as a real disk's cache might.)
#
# Environment: UC_SEED (random seed of the cut points; default from the
# clock, always printed), UC_CUTS (10), UC_BOOT_TIMEOUT (1800 s for a boot
# to reach gridkiosk's READY), UC_TRIAL_TIMEOUT (1800 s for a bad slot to
# be left), UC_KEEP=1 to keep the work directory, UC_CPU (Nehalem),
# GRIDHUB (the gridhub binary, default bin/linux-amd64/gridhub), UC_BUNDLES
# (a kept work directory of an earlier run on the same image: its bundles
# are used again instead of being made), UC_STEPS (which of install,
# rollback and cuts run, in that order; default all three: a run that
# leaves one out does not PASS), UC_TRACE=1 (every command it runs, into
# the work directory's trace.log).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

IMAGE=${1:-$repo/dist/gridkiosk-amd64.img}
[ -f "$IMAGE" ] || die "no image at $IMAGE (sudo make image ARCH=amd64)"
GRIDHUB=${GRIDHUB:-$repo/bin/linux-amd64/gridhub}
[ -x "$GRIDHUB" ] || die "no gridhub binary at $GRIDHUB (make build-amd64)"
SEED=${UC_SEED:-$(date +%s)}
CUTS=${UC_CUTS:-10}
BOOT_TIMEOUT=${UC_BOOT_TIMEOUT:-1800}
TRIAL_TIMEOUT=${UC_TRIAL_TIMEOUT:-1800}
# A guest that says nothing for HANG_S seconds since the kernel restarted
# the machine, or since qemu started, is taken for qemu hung in the
# firmware: seen once, OVMF under TCG after a guest's reboot, 25 minutes
# without a byte on the serial line or a block read, the next slot's boot
# count untouched (systemd-boot never ran). It is power-cycled, as a
# station's watchdog would, and the run counts and names each such cycle.
HANG_S=${UC_HANG_S:-600}
HANGS=0
RANDOM=$SEED
STATION=141029-update-01

tools() {
	local p pkgs=(qemu-system-x86 ovmf mtools e2fsprogs fdisk python3 curl)
	for p in "${pkgs[@]}"; do
		installed "$p" || need_root
	done
	need_pkgs "${pkgs[@]}"
	OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
	OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
	if [ ! -f "$OVMF_CODE" ] || [ ! -f "$OVMF_VARS" ]; then die "OVMF firmware not found in /usr/share/OVMF"; fi
}

# free_port: a TCP port nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- steps and their times ---------------------------------------------

declare -a STEPS=()
step() { STEP=$1 STEP_AT=$SECONDS; say "step $STEP: $2"; }
pass() {
	local t=$((SECONDS - STEP_AT))
	STEPS+=("$(printf '%-10s PASS %5ss  %s' "$STEP" "$t" "$*")")
	say "step $STEP: PASS in ${t}s $*"
}
fail() {
	STEPS+=("$(printf '%-10s FAIL %5ss  %s' "${STEP:-setup}" "$((SECONDS - ${STEP_AT:-0}))" "$*")")
	summary
	[ -n "${SERIAL:-}" ] && [ -f "$SERIAL" ] && { echo "--- end of $SERIAL"; tail -n 60 "$SERIAL" | tr -d '\r'; }
	die "step ${STEP:-setup}: $*"
}
# unexpected STATUS COMMAND WHERE FUNCTIONS: the ERR trap's report.
unexpected() {
	say "unexpected exit status $1 of '$2' at $3 (in ${4:-main})"
}
summary() {
	echo "--- update check (seed $SEED), seconds of wall time each, qemu TCG"
	printf '  %s\n' "${STEPS[@]}"
	[ "$HANGS" = 0 ] || echo "  qemu hung in the firmware $HANGS time(s) and was power-cycled (UC_HANG_S=$HANG_S)"
}

# --- the copy, its provisioning and the helper ---------------------------

copy_image() {
	[ "$(sfdisk --dump "$IMAGE" | sed -n 's/^label: //p')" = gpt ] ||
		die "$IMAGE is not an amd64 image (no GPT)"
	DISK=$WORK/disk.img
	cp --sparse=always "$IMAGE" "$DISK"
	# Room on the data partition (it grows on first boot) for a bundle.
	truncate -s +2G "$DISK"
	BOOT_OFF=$(partition_offset "$DISK" 1)
	PARTS=$(sfdisk --dump "$DISK" 2>/dev/null | grep -c 'start=')
	# An A/B image has boot, root A, root B and data.
	AB=0
	if [ "$PARTS" -ge 4 ]; then AB=1; fi
}

provision() {
	export MTOOLS_SKIP_CHECK=1
	local m=(-i "$DISK@@$BOOT_OFF") e
	sed "s/@HUBPORT@/$HUBPORT/" "$here/updatecheck/provision.toml.in" >"$WORK/provision.toml"
	mcopy -o "${m[@]}" "$WORK/provision.toml" ::gridkiosk/provision.toml
	printf '%s\n' "$TOKEN" >"$WORK/upstream.token"
	mcopy -o "${m[@]}" "$WORK/upstream.token" ::gridkiosk/upstream.token
	printf 'CTL=http://10.0.2.2:%s\nREC_EVERY=%s\n' "$CTLPORT" "${UC_REC_EVERY:-4}" >"$WORK/updatecheck.env"
	mcopy -o "${m[@]}" "$WORK/updatecheck.env" ::gridkiosk/updatecheck.env
	# The serial console and systemd's status lines, in every loader
	# entry (an A/B image has one per slot, with boot counters in the
	# name: mcopy -o keeps the name, so the counters are untouched).
	local extra="console=ttyS0,115200 systemd.show_status=1 systemd.mask=serial-getty@ttyS0.service"
	for e in $(mdir -b "${m[@]}" ::loader/entries/ | sed 's|.*/||'); do
		mtype "${m[@]}" "::loader/entries/$e" >"$WORK/$e"
		grep -q '^options ' "$WORK/$e" || die "loader entry $e has no options line"
		sed -i -e '/^options /s/ quiet//' -e "/^options /s/\$/ $extra/" "$WORK/$e"
		mcopy -o "${m[@]}" "$WORK/$e" "::loader/entries/$e"
	done
}

# inject FS: the helper and its unit into a root file system (an ext4
# image file, or "IMG?offset=N"), with debugfs: nothing is mounted.
inject() {
	local fs=$1 wants=/etc/systemd/system/multi-user.target.wants
	debugfs -R 'stat /usr/bin/gridkiosk' "$fs" >/dev/null 2>&1 || die "debugfs cannot read a root file system in $fs"
	cat >"$WORK/debugfs.cmd" <<-EOF
		mkdir /usr/local/sbin
		rm /usr/local/sbin/gridkiosk-updatecheck
		write $here/updatecheck/gridkiosk-updatecheck /usr/local/sbin/gridkiosk-updatecheck
		set_inode_field /usr/local/sbin/gridkiosk-updatecheck mode 0100755
		rm /etc/systemd/system/gridkiosk-updatecheck.service
		write $here/updatecheck/gridkiosk-updatecheck.service /etc/systemd/system/gridkiosk-updatecheck.service
		set_inode_field /etc/systemd/system/gridkiosk-updatecheck.service mode 0100644
		rm $wants/gridkiosk-updatecheck.service
		symlink $wants/gridkiosk-updatecheck.service /etc/systemd/system/gridkiosk-updatecheck.service
		mkdir /etc/systemd/system.conf.d
		rm /etc/systemd/system.conf.d/updatecheck.conf
		write $here/updatecheck/system.conf /etc/systemd/system.conf.d/updatecheck.conf
		set_inode_field /etc/systemd/system.conf.d/updatecheck.conf mode 0100644
	EOF
	debugfs -w -f "$WORK/debugfs.cmd" "$fs" >"$WORK/debugfs.log" 2>&1
	debugfs -R "stat $wants/gridkiosk-updatecheck.service" "$fs" 2>/dev/null | grep -q 'Type: symlink' ||
		{ cat "$WORK/debugfs.log" >&2; die "could not add the helper to $fs"; }
}

inject_slots() {
	inject "$DISK?offset=$(partition_offset "$DISK" 2)"
	# Slot B, when the image made it a copy of A: both must report.
	if [ "$AB" = 1 ] && debugfs -R 'stat /usr/bin/gridkiosk' "$DISK?offset=$(partition_offset "$DISK" 3)" >/dev/null 2>&1; then
		inject "$DISK?offset=$(partition_offset "$DISK" 3)"
	fi
}

# --- the host's side: hub and control server ----------------------------

start_hub() {
	"$GRIDHUB" serve --listen "127.0.0.1:$HUBPORT" --data "$WORK/hub" --console=false >>"$WORK/hub.log" 2>&1 &
	HUB=$!
	local i
	for ((i = 0; i < 60; i++)); do
		curl -sf -o /dev/null "http://127.0.0.1:$HUBPORT/healthz" && return 0
		kill -0 "$HUB" 2>/dev/null || { tail -n 20 "$WORK/hub.log" >&2; die "gridhub serve exited"; }
		sleep 0.5
	done
	die "gridhub serve did not answer on 127.0.0.1:$HUBPORT within 30s"
}

stop_hub() {
	[ -n "${HUB:-}" ] || return 0
	kill "$HUB" 2>/dev/null || true
	wait "$HUB" 2>/dev/null || true
	HUB=''
}

# hub_admin ARGS...: a gridhub command on the hub's store (bbolt allows one
# process: the hub stops meanwhile, and the station retries).
hub_admin() {
	stop_hub
	"$GRIDHUB" "$@" --data "$WORK/hub"
	start_hub
}

start_ctl() {
	mkdir -p "$WORK/ctl"
	echo "0 idle" >"$WORK/ctl/cmd"
	: >"$WORK/ctl/ids"
	python3 -m http.server --bind 127.0.0.1 --directory "$WORK/ctl" "$CTLPORT" >"$WORK/ctl.log" 2>&1 &
	CTLD=$!
}

# --- qemu: boot, cut, the serial log ------------------------------------

RUN=0
boot() {
	# Whatever the last boot was asked and did not finish is not
	# asked again.
	send idle
	RUN=$((RUN + 1))
	SERIAL=$WORK/serial-$RUN.log
	: >"$SERIAL"
	# restrict=off: the guest reaches the host's loopback as 10.0.2.2
	# (the hub and the control server listen on 127.0.0.1 only).
	qemu-system-x86_64 -machine q35 -accel tcg -cpu "${UC_CPU:-Nehalem}" -smp 2 -m 2048 \
		-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
		-drive if=pflash,format=raw,file="$WORK/OVMF_VARS.fd" \
		-drive file="$DISK",format=raw,if=virtio,cache=none \
		-netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
		-vga none -monitor none -display none -serial file:"$SERIAL" \
		>"$WORK/qemu-$RUN.log" 2>&1 &
	QEMU=$!
}

# cut: the power cut.
cut() {
	kill -KILL "$QEMU" 2>/dev/null || true
	wait "$QEMU" 2>/dev/null || true
	QEMU=''
}

# halt: the guest powers off (or, if it will not, a cut).
halt() {
	send poweroff
	local i
	for ((i = 0; i < 120; i++)); do
		kill -0 "$QEMU" 2>/dev/null || { wait "$QEMU" 2>/dev/null || true; QEMU=''; return 0; }
		sleep 1
	done
	cut
}

# The serial log's readers: wait_line, past_line, boot_line and the rest.
# shellcheck source-path=SCRIPTDIR source=updatecheck/serial.sh
. "$here/updatecheck/serial.sh"

# send VERB ARGS...: the next command for the guest helper.
N=0
send() {
	N=$((N + 1))
	echo "$N $*" >"$WORK/ctl/.cmd"
	mv -f "$WORK/ctl/.cmd" "$WORK/ctl/cmd"
}

# do_cmd SECONDS VERB ARGS...: send it and wait for its DONE; RC gets its
# exit status. A guest that reboots before it answers (the station's
# updater does, in its window, carrying on an update after a cut) is asked
# again once it is up: the helper of a new boot does not take up what the
# last one was given. FROM is as it was for the caller's later waits.
do_cmd() {
	local t=$1 from=$FROM boots=0
	shift
	while :; do
		FROM=$(stat -c %s "$SERIAL")
		send "$@"
		wait_line "GRIDKIOSK-UC: (DONE $N |BOOT )" "$t" || { FROM=$from; fail "the guest did not finish '$*' within ${t}s"; }
		[[ $LINE != *"DONE $N "* ]] || break
		boots=$((boots + 1))
		[ "$boots" -le 3 ] || { FROM=$from; fail "the guest rebooted $boots times before it finished '$*'"; }
		boot_line
		say "the guest rebooted (slot $SLOT, $VERSION) before it finished '$*': asked again once it is ready"
		past_line 'GRIDKIOSK-UC: BOOT '
		wait_line 'GRIDKIOSK-UC: READY ' "$BOOT_TIMEOUT" || { FROM=$from; fail "slot $SLOT booted but gridkiosk never became ready"; }
	done
	FROM=$from
	RC=${LINE##* }
}

# wait_boot: the helper's BOOT line and gridkiosk's READY after it.
wait_boot() {
	local t0=$SECONDS
	wait_line 'GRIDKIOSK-UC: BOOT ' "$BOOT_TIMEOUT" || fail "no boot reported within ${BOOT_TIMEOUT}s"
	boot_line
	BOOT_S=$((SECONDS - t0))
	wait_line 'GRIDKIOSK-UC: READY ' "$BOOT_TIMEOUT" || fail "slot $SLOT booted but gridkiosk never became ready"
	READY_S=$((SECONDS - t0))
}

# --- records -------------------------------------------------------------

# stored_ids: every id the guest acknowledged, in every boot so far.
# (None yet is no failure: grep's status is not the list's.)
stored_ids() { cat "$WORK"/serial-*.log | tr -d '\r' | { grep -aoE 'GRIDKIOSK-UC: STORED [0-9A-Za-z-]+' || true; } | awk '{print $3}' | sort -u; }

# wait_records N: until the guest has stored N more records than now.
wait_records() {
	local want=$(($(stored_ids | wc -l) + $1)) i
	for ((i = 0; i < 300; i++)); do
		[ "$(stored_ids | wc -l)" -ge "$want" ] && return 0
		sleep 1
	done
	fail "the guest stored fewer than $1 records in 300s"
}

# verify_guest: every id stored so far is in the station's outbox.
verify_guest() {
	stored_ids >"$WORK/ctl/ids"
	do_cmd 600 verify
	[ "$RC" = 0 ] || fail "records stored before are missing from the station: $(tail -c +$((FROM + 1)) "$SERIAL" | grep -a 'MISSING\|VERIFY' | tr -d '\r' | head -n 5 | tr '\n' ' ')"
	HAVE=$(sed -n 's/.*VERIFY have=\([0-9]*\).*/\1/p' <<<"$(tail -c +$((FROM + 1)) "$SERIAL" | grep -a 'VERIFY have=' | tail -n1)")
}

# verify_hub SECONDS: every id stored so far reaches the hub.
verify_hub() {
	local deadline=$((SECONDS + $1)) id code left
	stored_ids >"$WORK/hub-want"
	cp "$WORK/hub-want" "$WORK/hub-left"
	while :; do
		: >"$WORK/hub-left.new"
		while read -r id; do
			code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
				"http://127.0.0.1:$HUBPORT/v1/records/$id/status")
			[ "$code" = 200 ] || echo "$id" >>"$WORK/hub-left.new"
		done <"$WORK/hub-left"
		mv "$WORK/hub-left.new" "$WORK/hub-left"
		left=$(wc -l <"$WORK/hub-left")
		[ "$left" = 0 ] && { AT_HUB=$(wc -l <"$WORK/hub-want"); return 0; }
		[ "$SECONDS" -ge "$deadline" ] && fail "$left of $(wc -l <"$WORK/hub-want") stored records did not reach the hub within $1s (first: $(head -n1 "$WORK/hub-left"))"
		sleep 3
	done
}

# --- the steps -----------------------------------------------------------

step_boot() {
	step boot "boot slot A, gridkiosk ready, records stored and at the hub"
	boot
	here_on
	wait_boot
	[ "$AB" = 0 ] || [ "$SLOT" = A ] || fail "the first boot is slot $SLOT, want A"
	wait_records 3
	verify_hub 300
	pass "slot $SLOT version $VERSION: BOOT line ${BOOT_S}s, READY ${READY_S}s; $AT_HUB records at the hub"
}

# cut_and_recover WHAT: after a cut, boot again: a good slot, every
# record still there and at the hub.
recover() {
	boot
	FROM=0
	wait_boot
	if [ "$AB" = 1 ]; then
		do_cmd "$TRIAL_TIMEOUT" good "$TRIAL_TIMEOUT"
		[ "$RC" = 0 ] || fail "after the cut the booted slot $SLOT was never marked good"
	fi
	verify_guest
	verify_hub 300
}

step_cut0() {
	step cut0 "a power cut while records are being stored"
	local wait=$((RANDOM % 20 + 3))
	here_on
	wait_records 1
	sleep "$wait"
	local before
	before=$(stored_ids | wc -l)
	cut
	recover
	pass "cut ${wait}s after a record; $before stored before the cut, all $HAVE in the outbox after it, $AT_HUB at the hub; back in ${READY_S}s"
}

main() {
	tools
	[ "$(id -u)" -eq 0 ] || need_root
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/gridkiosk-updatecheck.XXXXXX")
	trap cleanup EXIT
	# A command failing where no check expects it ends the run (set -e):
	# say which, and where, rather than end with its bare status.
	set -E
	trap 'unexpected $? "$BASH_COMMAND" "${BASH_SOURCE[0]##*/}:$LINENO" "${FUNCNAME[*]}"' ERR
	# UC_TRACE=1: every command the check runs, into WORK/trace.log.
	if [ "${UC_TRACE:-0}" = 1 ]; then
		exec {trace}>"$WORK/trace.log"
		BASH_XTRACEFD=$trace
		set -x
	fi
	say "seed $SEED (UC_SEED=$SEED repeats these cut points); work directory $WORK"
	HUBPORT=$(free_port)
	CTLPORT=$(free_port)
	TOKEN=$("$GRIDHUB" station add --station "$STATION" --data "$WORK/hub" 2>/dev/null)
	start_hub
	start_ctl
	say "copying $IMAGE"
	copy_image
	provision
	inject_slots
	cp "$OVMF_VARS" "$WORK/OVMF_VARS.fd"
	if [ "$AB" = 1 ]; then
		# shellcheck source-path=SCRIPTDIR source=updatecheck/ab.sh
		. "$here/updatecheck/ab.sh"
		bundles_start
	fi
	step_boot
	if [ "$AB" = 1 ]; then
		ab_steps "${UC_STEPS:-install rollback cuts}"
	else
		# No update to cut into: a cut while records are stored.
		step_cut0
		STEPS+=("$(printf '%-10s SKIP  (%s)' 'A/B' "$IMAGE has $PARTS partitions: not an A/B image, no update to install")")
	fi
	halt
	hub_view
	summary
	if [ "$AB" = 0 ]; then
		die "the image has no A/B slots: only the boot and power-cut steps could run"
	fi
	if [ "${UC_STEPS:-install rollback cuts}" != "install rollback cuts" ]; then
		die "UC_STEPS=\"$UC_STEPS\" left steps out: every step that ran passed, but the check as a whole did not run"
	fi
	echo "updatecheck.sh: PASS (seed $SEED)"
}

# kill_tree PID: PID and the processes it started, by their ids.
kill_tree() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
	kill "$1" 2>/dev/null || true
}

# hub_view: what the county sees at the end, as gridhub prints it.
hub_view() {
	stop_hub
	echo "--- gridhub station list"
	"$GRIDHUB" station list --data "$WORK/hub" 2>&1 || true
	echo "--- gridhub release list"
	"$GRIDHUB" release list --data "$WORK/hub" 2>&1 || true
}

cleanup() {
	# What fails while tearing down is no news (a guest already gone).
	trap - ERR
	[ -n "${QEMU:-}" ] && kill -KILL "$QEMU" 2>/dev/null
	[ -n "${BUNDLER:-}" ] && kill_tree "$BUNDLER"
	stop_hub
	[ -n "${CTLD:-}" ] && kill "$CTLD" 2>/dev/null
	if [ "${UC_KEEP:-0}" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

main "$@"

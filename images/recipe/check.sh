#!/usr/bin/env bash
# check.sh IMAGE: boots an amd64 gridkiosk image in qemu, under UEFI
# (OVMF) and software emulation (TCG), and checks that the appliance comes
# up and stores a record. IMAGE itself is not changed: a copy is booted.
#
# Into the copy go, without mounting anything:
#   - a provisioning file on the boot partition (mcopy), as a technician
#     would put it there
#   - a serial console and systemd's status lines on the kernel command
#     line (the image has neither: an industrial PC's COM ports carry the
#     station's devices)
#   - gridkiosk-check.service and its script on the root (debugfs), which
#     wait for gridkiosk.service to be active (READY=1 sent), POST a record
#     with the admin token and want 201, see it left alone for longer
#     than WatchdogSec (its pings arrive), freeze gridkiosk to see the
#     watchdog restart it, check the read-only root and the failed units,
#     print GRIDKIOSK-CHECK lines on the console and power off.
# The admin API listens on the guest's loopback only, by design, so the
# record is submitted from inside and the serial log is the only channel.
#
# The copy is 256 MiB larger than IMAGE, so that the first boot's growing
# of the data partition is seen too. Exits 0 when the guest printed PASS
# and powered off; otherwise prints the reason and the end of the log.
#
# Environment: CHECK_TIMEOUT (900 seconds for the whole boot and check),
# CHECK_CPU (qemu's CPU model, Nehalem),
# CHECK_KEEP=1 to keep the work directory (the copy and serial.log),
# CHECK_DISPLAY=1 to boot with a (virtual) display instead, so that the
# kiosk screen starts (cage -- gridkiosk run), and save what it shows as
# CHECK_SCREENSHOT (default kiosk-screen.png in the current directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

IMAGE=${1:-}
[ -n "$IMAGE" ] || { echo "usage: $0 IMAGE (an amd64 image from build.sh)" >&2; exit 2; }
[ -f "$IMAGE" ] || die "no image at $IMAGE"
TIMEOUT=${CHECK_TIMEOUT:-900}

tools() {
	local p pkgs=(qemu-system-x86 ovmf mtools e2fsprogs fdisk python3)
	for p in "${pkgs[@]}"; do
		installed "$p" || need_root
	done
	need_pkgs "${pkgs[@]}"
	OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
	OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
	if [ ! -f "$OVMF_CODE" ] || [ ! -f "$OVMF_VARS" ]; then die "OVMF firmware not found in /usr/share/OVMF"; fi
}

# copy_image: the copy to boot, and where its partitions are.
copy_image() {
	[ "$(sfdisk --dump "$IMAGE" | sed -n 's/^label: //p')" = gpt ] ||
		die "$IMAGE is not an amd64 image (no GPT); arm64 images are checked by layout_test.go"
	DISK=$WORK/disk.img
	cp --sparse=always "$IMAGE" "$DISK"
	truncate -s +256M "$DISK"
	BOOT_OFF=$(partition_offset "$DISK" 1)
	ROOT_OFF=$(partition_offset "$DISK" 2)
}

# provision: the station configuration a technician would write
# (check/provision.toml), and the console on the kernel command line.
provision() {
	export MTOOLS_SKIP_CHECK=1
	mcopy -o -i "$DISK@@$BOOT_OFF" "$here/check/provision.toml" ::gridkiosk/provision.toml
	# The serial console, kernel messages and systemd's status lines.
	local entry=$WORK/gridkiosk-a.conf
	mtype -i "$DISK@@$BOOT_OFF" ::loader/entries/gridkiosk-a.conf >"$entry"
	grep -q '^options ' "$entry" || die "the boot partition's loader entry has no options line"
	local extra="console=ttyS0,115200 systemd.show_status=1 systemd.mask=serial-getty@ttyS0.service"
	# qemu's virtual GPU has no 3D: wlroots draws with pixman, in software.
	[ "${CHECK_DISPLAY:-0}" = 1 ] && extra+=" systemd.setenv=WLR_RENDERER=pixman"
	sed -i -e '/^options /s/ quiet//' -e "/^options /s/\$/ $extra/" "$entry"
	mcopy -o -i "$DISK@@$BOOT_OFF" "$entry" ::loader/entries/gridkiosk-a.conf
}

# inject_check: the check unit, written into the root file system with
# debugfs (through the partition's offset: nothing is mounted).
inject_check() {
	local fs="$DISK?offset=$ROOT_OFF" wants=/etc/systemd/system/multi-user.target.wants
	debugfs -R 'stat /usr/bin/gridkiosk' "$fs" >/dev/null 2>&1 ||
		die "debugfs cannot read the root file system at offset $ROOT_OFF"
	cat >"$WORK/debugfs.cmd" <<-EOF
		mkdir /usr/local/sbin
		write $here/check/gridkiosk-check /usr/local/sbin/gridkiosk-check
		set_inode_field /usr/local/sbin/gridkiosk-check mode 0100755
		write $here/check/gridkiosk-check.service /etc/systemd/system/gridkiosk-check.service
		set_inode_field /etc/systemd/system/gridkiosk-check.service mode 0100644
		symlink $wants/gridkiosk-check.service /etc/systemd/system/gridkiosk-check.service
	EOF
	debugfs -w -f "$WORK/debugfs.cmd" "$fs" >"$WORK/debugfs.log" 2>&1
	debugfs -R "stat $wants/gridkiosk-check.service" "$fs" 2>/dev/null | grep -q 'Type: symlink' ||
		{ cat "$WORK/debugfs.log" >&2; die "could not add the check unit to the root file system"; }
}

# boot: qemu in the background, serial console to serial.log. User-mode
# networking with restrict=on: the guest gets DHCP but reaches nothing.
boot() {
	cp "$OVMF_VARS" "$WORK/OVMF_VARS.fd"
	# Headless by default: no graphics device, so the station runs serve.
	VIDEO=(-vga none -monitor none)
	if [ "${CHECK_DISPLAY:-0}" = 1 ]; then
		# virtio-vga rather than the standard VGA: wlroots (cage) needs a
		# DRM device that imports PRIME buffers, as real GPUs do.
		VIDEO=(-vga none -device virtio-vga -monitor "unix:$WORK/monitor.sock,server=on,wait=off")
	fi
	SERIAL=$WORK/serial.log
	: >"$SERIAL"
	# Nehalem: SSE4.2 and no AVX, like the Celeron boards of many fanless
	# industrial PCs. Under "-cpu max" gridkiosk's kiosk screen segfaulted
	# at once, three starts out of three, in C code (no Go trace): Mesa's
	# llvmpipe compiles its shaders for the CPU it is told of, and TCG
	# emulates that CPU's newest instructions less well than hardware runs them.
	qemu-system-x86_64 -machine q35 -accel tcg -cpu "${CHECK_CPU:-Nehalem}" -smp 2 -m 2048 \
		-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
		-drive if=pflash,format=raw,file="$WORK/OVMF_VARS.fd" \
		-drive file="$DISK",format=raw,if=virtio \
		-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0 \
		"${VIDEO[@]}" -display none -serial file:"$SERIAL" -no-reboot \
		>"$WORK/qemu.log" 2>&1 &
	QEMU=$!
	START=$SECONDS
}

# seen PATTERN: has the guest printed it yet?
seen() { grep -aEq -- "$1" "$SERIAL"; }

# mark NAME PATTERN: note when PATTERN first appears.
declare -A AT=()
mark() { [ -z "${AT[$1]:-}" ] && seen "$2" && AT[$1]=$((SECONDS - START)); return 0; }

# watch: until PASS and power-off, FAIL, qemu's end, or the timeout.
watch() {
	local verdict=''
	while :; do
		mark kernel 'Linux version'
		mark check 'GRIDKIOSK-CHECK: READY'
		mark record 'POST /v1/records -> 201'
		mark pass 'GRIDKIOSK-CHECK: PASS'
		seen 'GRIDKIOSK-CHECK: FAIL' && verdict=fail
		if [ "${CHECK_DISPLAY:-0}" = 1 ] && [ -z "${AT[screen]:-}" ] && seen 'GRIDKIOSK-CHECK: SCREEN'; then
			screenshot
		fi
		if ! kill -0 "$QEMU" 2>/dev/null; then
			wait "$QEMU" || true
			break
		fi
		if [ $((SECONDS - START)) -ge "$TIMEOUT" ]; then
			kill "$QEMU" 2>/dev/null || true
			wait "$QEMU" 2>/dev/null || true
			verdict=timeout
			break
		fi
		sleep 1
	done
	AT[off]=$((SECONDS - START))
	mark pass 'GRIDKIOSK-CHECK: PASS'
	report "$verdict"
}

# screenshot: what the virtual display shows, through qemu's monitor,
# taken again (up to 5 times, 3 s apart) while it is still blank. A black
# or single-colour screen is a failure: the session is up but shows nothing.
screenshot() {
	AT[screen]=$((SECONDS - START))
	SHOT=${CHECK_SCREENSHOT:-$PWD/kiosk-screen.png}
	if python3 - "$WORK/monitor.sock" "$SHOT" <<-'EOF'; then SCREEN_OK=1; else SCREEN_OK=0; fi
		import socket, struct, sys, time, zlib

		def colours(path):
		    # The distinct byte values of the decoded pixel rows: a blank
		    # screen has its one colour and the rows' filter-type bytes.
		    data = open(path, "rb").read()[8:]
		    idat = b""
		    while data:
		        n, kind = struct.unpack(">I4s", data[:8])
		        if kind == b"IDAT":
		            idat += data[8:8 + n]
		        data = data[12 + n:]
		    return len(set(zlib.decompress(idat)))

		s = socket.socket(socket.AF_UNIX)
		s.connect(sys.argv[1])
		for attempt in range(5):
		    s.sendall(("screendump %s -f png\n" % sys.argv[2]).encode())
		    time.sleep(3)
		    try:
		        n = colours(sys.argv[2])
		    except (OSError, struct.error, zlib.error) as e:
		        print("check.sh: screenshot %d unreadable: %s" % (attempt + 1, e))
		        continue
		    if n > 8:
		        print("check.sh: screenshot %d shows the screen drawn (%d distinct byte values)" % (attempt + 1, n))
		        sys.exit(0)
		    print("check.sh: screenshot %d is blank (%d distinct byte values)" % (attempt + 1, n))
		sys.exit(1)
	EOF
}

report() {
	local verdict=$1 k
	echo "--- guest's check lines"
	grep -a 'GRIDKIOSK-CHECK\|gridkiosk-provision:\|gridkiosk-growdata:\|gridkiosk-session:' "$SERIAL" | tr -d '\r' || true
	echo "--- timings (seconds since qemu started, TCG)"
	for k in kernel check screen record pass off; do
		printf '  %-7s %s\n' "$k" "${AT[$k]:--}"
	done
	echo "  (kernel: Linux starts; check: the check saw gridkiosk.service active, i.e. READY=1 sent;"
	echo "   record: 201 from POST /v1/records; pass: all checked, incl. a watchdog restart; off: qemu exited)"
	echo "  guest: $(grep -aoE 'gridkiosk.service active [0-9]+s after the kernel started' "$SERIAL" | head -n1)"
	case "$verdict" in
	timeout) tail -n 40 "$SERIAL" | tr -d '\r'; die "no PASS within ${TIMEOUT}s (serial log: $SERIAL)" ;;
	fail) die "the check inside the guest failed (see above; serial log: $SERIAL)" ;;
	esac
	if [ "${CHECK_DISPLAY:-0}" = 1 ]; then
		[ -n "${AT[screen]:-}" ] || die "the guest never reported its kiosk screen up (serial log: $SERIAL)"
		[ "${SCREEN_OK:-0}" = 1 ] || die "the kiosk screen stayed blank (last screenshot: $SHOT)"
	fi
	[ -n "${AT[pass]:-}" ] || { tail -n 40 "$SERIAL" | tr -d '\r'; die "qemu stopped before the check passed (serial log: $SERIAL)"; }
	seen 'reboot: Power down' || die "the guest passed but did not power off cleanly (serial log: $SERIAL)"
	[ -z "${SHOT:-}" ] || echo "kiosk screen: $SHOT"
	echo "check.sh: PASS: $IMAGE booted, stored a record and powered off in ${AT[off]}s"
}

cleanup() {
	if [ -n "${QEMU:-}" ] && kill -0 "$QEMU" 2>/dev/null; then kill "$QEMU" 2>/dev/null || true; fi
	if [ "${CHECK_KEEP:-0}" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

tools
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gridkiosk-check.XXXXXX")
trap cleanup EXIT
say "copying $IMAGE"
copy_image
provision
inject_check
say "booting the copy in qemu (TCG, OVMF); this takes a few minutes"
boot
watch

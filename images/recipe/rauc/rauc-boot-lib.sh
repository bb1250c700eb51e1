# shellcheck shell=bash
# What both boot loader backends share: the boot partition (made writable
# only while a backend changes it), the slots, and copying a slot's kernel
# onto the boot partition. Sourced by boot-efi and boot-tryboot, installed
# as /usr/lib/gridkiosk/rauc-boot-lib.sh.
#
# Environment, for tests (the defaults are the station's):
#   GK_BOOT_DIR     the boot partition's mount point (/boot/firmware)
#   GK_CMDLINE      the kernel command line (/proc/cmdline)
#   GK_RAUC_CONF    RAUC's system.conf, for the slots' devices
#   GK_SLOT_TREES   a directory with A/ and B/ standing in for the mounted
#                   slots (unset: the slot's partition is mounted read-only)

# A die inside $(...) must end the backend too, not only the subshell.
shopt -s inherit_errexit

BOOT=${GK_BOOT_DIR:-/boot/firmware}
CMDLINE=${GK_CMDLINE:-/proc/cmdline}
RAUC_CONF=${GK_RAUC_CONF:-/etc/rauc/system.conf}

die() { echo "rauc-boot-backend: $*" >&2; exit 1; }

# check_slot NAME: A or B, nothing else.
check_slot() {
	case "${1:-}" in
	A | B) ;;
	*) die "unknown slot '${1:-}' (the slots' bootnames are A and B)" ;;
	esac
}

other() { if [ "$1" = A ]; then echo B; else echo A; fi; }

# get_current: the slot the running system booted from, as the boot entry
# named it on the kernel command line (rauc.slot=).
get_current() {
	local slot
	slot=$(tr ' ' '\n' <"$CMDLINE" | sed -n 's/^rauc\.slot=//p' | tail -n1)
	[ -n "$slot" ] || die "no rauc.slot= on the kernel command line ($CMDLINE)"
	check_slot "$slot"
	echo "$slot"
}

# boot_writable: the boot partition is mounted read-only; a backend that
# changes it remounts it read-write and, on exit, flushes and remounts it
# read-only again.
boot_writable() {
	[ -d "$BOOT" ] || die "no boot partition at $BOOT"
	if mountpoint -q "$BOOT" && findmnt -n -o OPTIONS --target "$BOOT" | tr ',' '\n' | grep -qx ro; then
		mount -o remount,rw "$BOOT" || die "cannot remount $BOOT read-write"
		trap 'sync -f "$BOOT/." 2>/dev/null || sync; mount -o remount,ro "$BOOT"' EXIT
	else
		trap 'sync -f "$BOOT/." 2>/dev/null || sync' EXIT
	fi
}

# put SRC DST: DST replaced by a copy of SRC all at once: a power cut
# leaves the old file or the new one, not half of either.
put() {
	cp "$1" "$2.new" && sync -f "$2.new" 2>/dev/null
	mv -f "$2.new" "$2" || die "cannot write $2"
}

# write_file DST: DST replaced by standard input, all at once.
write_file() {
	cat >"$1.new" && sync -f "$1.new" 2>/dev/null
	mv -f "$1.new" "$1" || die "cannot write $1"
}

# slot_device SLOT: the slot's block device, from RAUC's system.conf.
slot_device() {
	local dev
	dev=$(awk -F= -v want="$1" '
		/^\[/ { if (bootname == want && device != "") { print device; exit } device = bootname = "" }
		$1 == "device" { device = $2 }
		$1 == "bootname" { bootname = $2 }
		END { if (bootname == want && device != "") print device }' "$RAUC_CONF" | head -n1)
	[ -n "$dev" ] || die "$RAUC_CONF names no device for slot $1"
	echo "$dev"
}

# slot_mount SLOT: TREE is a directory holding the slot's root file
# system; the partition is mounted read-only for it (and unmounted by
# slot_release).
SLOT_MNT='' TREE=''
slot_mount() {
	if [ -n "${GK_SLOT_TREES:-}" ]; then
		TREE=$GK_SLOT_TREES/$1
		return
	fi
	local dev
	dev=$(slot_device "$1")
	SLOT_MNT=$(mktemp -d /run/gridkiosk-slot.XXXXXX) || die "cannot make a mount point in /run"
	mount -o ro "$dev" "$SLOT_MNT" || { rmdir "$SLOT_MNT"; SLOT_MNT=''; die "cannot mount slot $1 ($dev)"; }
	TREE=$SLOT_MNT
}

slot_release() {
	if [ -n "$SLOT_MNT" ]; then
		umount "$SLOT_MNT" && rmdir "$SLOT_MNT"
		SLOT_MNT=''
	fi
}

# install_kernel SLOT FILE...: the slot's kernel and initramfs (and the
# extra files named, relative to the slot's root: the Pi's device trees)
# copied into the boot partition's SLOT/ folder, unless they are there
# already. A slot is made primary only after this succeeded, so the boot
# loader never starts a new root with an old kernel.
install_kernel() {
	local slot=$1 tree kver f g dst
	shift
	slot_mount "$slot"
	tree=$TREE
	kver=$(find "$tree/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n1 || true)
	if [ -z "$kver" ] || [ ! -f "$tree/boot/initrd.img-$kver" ]; then
		slot_release
		die "slot $slot holds no kernel and initramfs in /boot: not a gridkiosk root, it cannot be booted"
	fi
	mkdir -p "$BOOT/$slot"
	local pairs=("$tree/boot/vmlinuz-$kver" vmlinuz "$tree/boot/initrd.img-$kver" initrd.img)
	for f in "$@"; do
		f=${f//@KVER@/$kver}
		for g in "$tree"/$f; do
			[ -f "$g" ] || { slot_release; die "slot $slot has no $f"; }
			pairs+=("$g" "$(basename "$g")")
		done
	done
	local i
	for ((i = 0; i < ${#pairs[@]}; i += 2)); do
		dst=$BOOT/$slot/${pairs[i + 1]}
		cmp -s "${pairs[i]}" "$dst" && continue
		# The slot is not primary now (RAUC marked it bad before
		# writing it): its old files go first, so that the boot
		# partition never has to hold three kernels at once.
		rm -f "$dst"
		put "${pairs[i]}" "$dst" || { slot_release; die "cannot copy slot $slot's ${pairs[i + 1]} to $BOOT/$slot"; }
	done
	slot_release
}

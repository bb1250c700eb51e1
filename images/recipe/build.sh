#!/usr/bin/env bash
# build.sh ARCH OUT.img: builds the gridkiosk appliance image, Debian 12
# (bookworm) from Debian's own archive with Debian's own tools, for
#   amd64  x86 industrial PCs, booting UEFI with systemd-boot (GPT)
#   arm64  Raspberry Pi 4 and 5, booting the Pi firmware (MBR)
#
# Partitions: 1 FAT boot (the EFI system partition, or the Pi's firmware
# partition) holding each slot's kernel, 2 and 3 the root slots A and B
# (ext4, read-only, the same size; RAUC writes an update into the one not
# running), 4 ext4 data mounted at /var/lib/gridkiosk, which grows to the
# end of the disk on first boot and which no update touches. Slot B is
# left empty and marked bad for the boot loader: see README.image.
#
# Nothing is mounted: the root file system is made by mmdebstrap in a
# directory and turned into ext4 with "mke2fs -d", the FAT by mkfs.vfat and
# mcopy, and they are written into the partitions sfdisk laid out.
# The image's package versions go to OUT.img.manifest.
#
# Options:
#   --binary PATH       the gridkiosk binary (default bin/linux-ARCH/gridkiosk,
#                       made with "make build-ARCH" when missing)
#   --keyring PATH      the CA certificate bundles must be signed under, the
#                       image's /etc/rauc/keyring.pem (make bundle-keys)
#   --voice DIR         the voice pack (default build/voice, make voice-pack)
#   --version V         the system version (default: the last commit's UTC
#                       time, YYYY.MM.DD.HHMMSS+g<commit>)
#   --mirror URL        Debian mirror (default: $IMAGE_MIRROR, else the first
#                       bookworm main source of this machine's apt, else
#                       http://deb.debian.org/debian)
#   --security URL      security mirror (default: $IMAGE_SECURITY_MIRROR, else
#                       this machine's bookworm-security source, else
#                       http://deb.debian.org/debian-security)
#   --snapshot STAMP    build from snapshot.debian.org as of STAMP
#                       (YYYYMMDDTHHMMSSZ): the same packages every time
#   --keep-work         keep the work directory (root tree, file systems)
# Environment: BOOT_MB (256), DATA_MB (256), ROOT_MB (3072: each root
# slot's size, the same for every version, as later updates must fit into
# the slots of a station flashed now), SOURCE_DATE_EPOCH (default: the
# snapshot's time, else the last commit's).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

ARCH='' OUT='' BINARY='' KEEP=0 SNAPSHOT='' KEYRING='' VOICE='' VERSION_SYS=''
MIRROR='' SECURITY=''
BOOT_MB=${BOOT_MB:-256}
DATA_MB=${DATA_MB:-256}
ROOT_MB=${ROOT_MB:-3072}

parse_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
		--keyring) KEYRING=${2:?--keyring needs a CA certificate}; shift 2 ;;
		--voice) VOICE=${2:?--voice needs a directory}; shift 2 ;;
		--version) VERSION_SYS=${2:?--version needs a version}; shift 2 ;;
		--mirror) MIRROR=${2:?--mirror needs a URL}; shift 2 ;;
		--security) SECURITY=${2:?--security needs a URL}; shift 2 ;;
		--snapshot) SNAPSHOT=${2:?--snapshot needs YYYYMMDDTHHMMSSZ}; shift 2 ;;
		--keep-work) KEEP=1; shift ;;
		-h | --help) usage ;;
		-*) die "unknown option $1 (see --help)" ;;
		*) if [ -z "$ARCH" ]; then ARCH=$1; elif [ -z "$OUT" ]; then OUT=$1; else die "unexpected argument $1"; fi; shift ;;
		esac
	done
	case "$ARCH" in
	amd64 | arm64) ;;
	"") usage ;;
	*) die "ARCH must be amd64 or arm64, not '$ARCH'" ;;
	esac
	[ -n "$OUT" ] || usage
	case "$OUT" in *.img) ;; *) die "OUT must end in .img: $OUT" ;; esac
	mkdir -p "$(dirname "$OUT")"
	OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
	if [ -n "$SNAPSHOT" ]; then
		[[ $SNAPSHOT =~ ^[0-9]{8}T[0-9]{6}Z$ ]] || die "--snapshot wants YYYYMMDDTHHMMSSZ, not $SNAPSHOT"
		MIRROR=http://snapshot.debian.org/archive/debian/$SNAPSHOT
		SECURITY=http://snapshot.debian.org/archive/debian-security/$SNAPSHOT
	fi
	mirrors
	[ -n "$KEYRING" ] || die "no --keyring: the image must know which key signs its updates (make bundle-keys, then make image)"
	[ -f "$KEYRING" ] || die "no keyring at $KEYRING (make bundle-keys makes one)"
	grep -q 'BEGIN CERTIFICATE' "$KEYRING" || die "$KEYRING is not a PEM certificate"
	[ -n "$VOICE" ] || VOICE=$repo/build/voice
	[ -f "$VOICE/manifest.json" ] || die "no voice pack in $VOICE (make voice-pack makes build/voice)"
}

# mirrors: where Debian comes from, and which source said so, for the
# manifest: the option, then the environment, then this machine's own apt
# sources, and Debian's CDN last.
mirrors() {
	local from
	if [ -n "$MIRROR" ]; then MIRROR_FROM=option
	elif [ -n "${IMAGE_MIRROR:-}" ]; then MIRROR=$IMAGE_MIRROR MIRROR_FROM=IMAGE_MIRROR
	else
		MIRROR=$(apt_source_uri bookworm) MIRROR_FROM="this machine's apt sources"
		[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian MIRROR_FROM=default
	fi
	if [ -n "$SECURITY" ]; then from=option
	elif [ -n "${IMAGE_SECURITY_MIRROR:-}" ]; then SECURITY=$IMAGE_SECURITY_MIRROR from=IMAGE_SECURITY_MIRROR
	else
		SECURITY=$(apt_source_uri bookworm-security) from="this machine's apt sources"
		[ -n "$SECURITY" ] || SECURITY=http://deb.debian.org/debian-security from=default
	fi
	MIRROR_FROM="$MIRROR ($MIRROR_FROM), security $SECURITY ($from)"
}

# host_tools: what building needs, from Debian; for arm64 on another
# architecture, the image's package scripts run through qemu-user.
host_tools() {
	need_root
	local pkgs=(mmdebstrap dosfstools mtools e2fsprogs fdisk openssl)
	[ "$ARCH" = "$(dpkg --print-architecture)" ] || pkgs+=(qemu-user-static binfmt-support arch-test)
	need_pkgs "${pkgs[@]}"
	if [ "$ARCH" != "$(dpkg --print-architecture)" ] && ! arch-test "$ARCH" >/dev/null 2>&1; then
		# binfmt_misc is not always mounted in containers and VMs.
		mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
			die "cannot mount binfmt_misc, so $ARCH programs cannot run here (needed for the image's package scripts)"
		update-binfmts --enable >/dev/null 2>&1 || true
		arch-test "$ARCH" >/dev/null 2>&1 ||
			die "this machine cannot run $ARCH programs even with qemu-user-static (arch-test $ARCH fails)"
	fi
}

# find_binary: the gridkiosk binary for ARCH, checked to be one.
find_binary() {
	if [ -z "$BINARY" ]; then
		BINARY=$repo/bin/linux-$ARCH/gridkiosk
		if [ ! -x "$BINARY" ]; then
			say "no $BINARY yet: make build-$ARCH"
			make -C "$repo" "build-$ARCH" >&2 || die "make build-$ARCH failed"
		fi
	fi
	[ -f "$BINARY" ] || die "no gridkiosk binary at $BINARY"
	# ELF e_machine, bytes 18-19: 62 is x86-64, 183 is AArch64.
	local want machine
	want=$([ "$ARCH" = amd64 ] && echo 62 || echo 183)
	machine=$(od -An -t u2 -j 18 -N 2 "$BINARY" | tr -d ' ')
	[ "$machine" = "$want" ] || die "$BINARY is not a linux-$ARCH binary (ELF machine $machine, want $want)"
	BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
}

# ids: partition and file system identifiers, derived from the
# architecture so that a rebuild gives the same ones.
hexid() { printf 'gridkiosk/%s/%s' "$ARCH" "$1" | sha256sum | cut -c1-32; }
uuid() { local h; h=$(hexid "$1"); echo "${h:0:8}-${h:8:4}-4${h:13:3}-a${h:17:3}-${h:20:12}"; }
ids() {
	if [ "$ARCH" = amd64 ]; then
		DISK_ID=$(uuid disk)
		BOOT_PARTUUID=$(uuid boot) ROOT_A_PARTUUID=$(uuid root) ROOT_B_PARTUUID=$(uuid root-b) DATA_PARTUUID=$(uuid data)
	else
		# MBR, which the Pi 4's boot ROM reads everywhere: PARTUUID is the
		# disk identifier and the partition number.
		DISK_ID=$(hexid disk | cut -c1-8)
		BOOT_PARTUUID=$DISK_ID-01 ROOT_A_PARTUUID=$DISK_ID-02 ROOT_B_PARTUUID=$DISK_ID-03 DATA_PARTUUID=$DISK_ID-04
	fi
	ROOT_FSUUID=$(uuid rootfs) DATA_FSUUID=$(uuid datafs) BOOT_VOLID=$(hexid bootfs | cut -c1-8)
}

# epoch: SOURCE_DATE_EPOCH, for file times in the image and package
# scripts that honour it.
epoch() {
	if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
		if [ -n "$SNAPSHOT" ]; then
			SOURCE_DATE_EPOCH=$(date -u -d "${SNAPSHOT:0:4}-${SNAPSHOT:4:2}-${SNAPSHOT:6:2} ${SNAPSHOT:9:2}:${SNAPSHOT:11:2}:${SNAPSHOT:13:2}" +%s)
		else
			SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
		fi
	fi
	export SOURCE_DATE_EPOCH
	VERSION=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)
	[ -n "$VERSION_SYS" ] || VERSION_SYS=$("$here/version.sh" "$repo")
	# The form wire.CheckVersion takes: stations order versions by it.
	[[ $VERSION_SYS =~ ^[0-9]{1,9}(\.[0-9]{1,9}){0,5}(\+[0-9A-Za-z.-]{1,40})?$ ]] ||
		die "system version '$VERSION_SYS' is not dotted numbers with an optional +build (e.g. 2026.12.07.140500+g61892aa)"
}

# packages: the image's packages beyond Debian's minbase.
packages() {
	PKGS=(
		# boot, init, devices
		systemd systemd-sysv udev dbus kmod initramfs-tools zstd e2fsprogs dosfstools fdisk
		# network, time (no RTC on a Pi), name resolution
		systemd-timesyncd systemd-resolved iproute2 ca-certificates curl
		tzdata locales procps less
		# system updates: RAUC and its D-Bus service (A/B slots, signed
		# bundles), polkit for the one thing the gridkiosk user may ask
		# of logind (reboot into an update); spoken prompts through ALSA
		rauc rauc-service polkitd alsa-utils
		# the kiosk session: cage on Wayland, gridkiosk's X11/GLX window
		# through Xwayland, seat access through seatd
		cage xwayland seatd libgl1 libglx-mesa0 libgl1-mesa-dri libegl1 libgles2 libx11-6
		libxcursor1 libxrandr2 libxinerama1 libxi6 libxxf86vm1 libxkbcommon0 xkb-data
		# No system fonts: the kiosk draws from its own faces
		# (drivers/fonts). Fyne loads a system face for the locale's
		# language at start, for each text style, whether it draws with
		# it or not: fonts-noto-cjk's two Sans faces were 42 MB of the
		# kiosk's heap, for no glyph on any screen.
		# handwritten names: Zinnia's model, read by ui/handwriting in Go
		tegaki-zinnia-simplified-chinese
	)
	if [ "$ARCH" = amd64 ]; then
		# systemd-boot-efi is the boot loader alone, without the package
		# scripts that would install it to a mounted ESP. Realtek NICs are
		# common in industrial PCs and some need their firmware.
		PKGS+=(linux-image-amd64 systemd-boot-efi firmware-realtek)
	else
		# bookworm's 6.1 kernel has no device tree for the Pi 5 (bcm2712):
		# the 6.12 kernel from bookworm-backports has both boards'.
		PKGS+=(linux-image-arm64/bookworm-backports raspi-firmware)
	fi
}

bootstrap() {
	local sources=(
		"deb $MIRROR bookworm main non-free-firmware"
		"deb $MIRROR bookworm-updates main non-free-firmware"
		"deb $SECURITY bookworm-security main non-free-firmware"
	)
	[ "$ARCH" = arm64 ] && sources+=("deb $MIRROR bookworm-backports main non-free-firmware")
	local opts=(
		--mode=root --variant=minbase --architectures="$ARCH"
		--include="$(IFS=,; echo "${PKGS[*]}")"
		--aptopt='APT::Install-Recommends "false"'
		# No manuals or documentation in the image, but the licences.
		--dpkgopt='path-exclude=/usr/share/man/*'
		--dpkgopt='path-exclude=/usr/share/doc/*'
		--dpkgopt='path-include=/usr/share/doc/*/copyright'
		--dpkgopt='path-exclude=/usr/share/locale/*'
		--dpkgopt='path-include=/usr/share/locale/zh_CN/*'
		--dpkgopt='path-include=/usr/share/locale/locale.alias'
		# The initramfs is made while the kernel installs: its settings first.
		--essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" && cp '$here/rootfs/etc/initramfs-tools/conf.d/gridkiosk' \"\$1/etc/initramfs-tools/conf.d/\""
		--customize-hook="'$here/customize.sh' \"\$1\""
	)
	[ -n "$SNAPSHOT" ] && opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
	export GK_RECIPE=$here GK_BINARY=$BINARY GK_ARCH=$ARCH GK_VERSION=$VERSION GK_VERSION_SYS=$VERSION_SYS
	export GK_KEYRING=$KEYRING GK_VOICE=$VOICE
	export GK_ROOT_A_PARTUUID=$ROOT_A_PARTUUID GK_ROOT_B_PARTUUID=$ROOT_B_PARTUUID
	export GK_BOOT_PARTUUID=$BOOT_PARTUUID GK_DATA_PARTUUID=$DATA_PARTUUID
	say "mmdebstrap: Debian 12 $ARCH from $MIRROR (several minutes; arm64 runs its package scripts through qemu)"
	mmdebstrap "${opts[@]}" bookworm "$ROOT" "${sources[@]}" >"$WORK/mmdebstrap.log" 2>&1 ||
		{ tail -n 30 "$WORK/mmdebstrap.log" >&2; die "mmdebstrap failed (whole log: $WORK/mmdebstrap.log)"; }
	KVER=$(find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -V | tail -n1)
	[ -n "$KVER" ] || die "no kernel in the image's /boot"
	[ -f "$ROOT/boot/initrd.img-$KVER" ] || die "no initramfs for kernel $KVER in the image's /boot"
}

# in_root CMD...: runs one of the image's programs (through qemu-user for
# arm64), in the locale gridkiosk's UI toolkit expects.
in_root() { LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 chroot "$ROOT" "$@"; }

# manifest: what is in the image, next to it.
manifest() {
	local m=$OUT.manifest
	{
		echo "# gridkiosk appliance image $(basename "$OUT")"
		echo "# version: $VERSION"
		echo "# system version: $VERSION_SYS"
		echo "# arch: $ARCH"
		echo "# mirror: $MIRROR_FROM"
		echo "# gridkiosk: $(in_root /usr/bin/gridkiosk version 2>/dev/null || echo unknown), sha256 $(sha256sum "$BINARY" | cut -d' ' -f1)"
		echo "# debian: bookworm from $MIRROR and $SECURITY${SNAPSHOT:+ (snapshot $SNAPSHOT)}"
		echo "# kernel: $KVER"
		echo "# SOURCE_DATE_EPOCH: $SOURCE_DATE_EPOCH ($(date -u -d "@$SOURCE_DATE_EPOCH" +%FT%TZ))"
		echo "# partitions: boot ${BOOT_MB}MiB PARTUUID=$BOOT_PARTUUID, root A ${ROOT_MB}MiB PARTUUID=$ROOT_A_PARTUUID (ro), root B ${ROOT_MB}MiB PARTUUID=$ROOT_B_PARTUUID (empty), data ${DATA_MB}MiB PARTUUID=$DATA_PARTUUID"
		echo "# keyring: $(openssl x509 -in "$KEYRING" -noout -subject -fingerprint -sha256 2>/dev/null | tr '\n' ' ')"
		echo "# package<TAB>version<TAB>architecture"
		dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Package}\t${Version}\t${Architecture}\n' | LC_ALL=C sort
	} >"$m"
	say "manifest: $m ($(grep -vc '^#' "$m") packages)"
}

# slot_cmdline SLOT PARTUUID: the kernel command line that boots a root
# slot: its partition read-only, and rauc.slot= so that RAUC knows which
# slot runs (both slots hold the same file system, so only the boot entry
# can tell them apart).
slot_cmdline() {
	echo "root=PARTUUID=$2 rauc.slot=$1 ro rootflags=noatime rootwait fsck.repair=yes quiet vt.global_cursor_default=0"
}

# boot_files: the boot partition's contents, in BOOTDIR. Each slot's
# kernel and initramfs live in a folder named after the slot (A/, B/),
# because an update brings its own kernel with its root; the backend
# (/usr/lib/gridkiosk/rauc-boot-backend) copies them there before it makes
# a slot primary. Slot A is filled now; B gets a boot entry the loader
# will not choose until an update has been written to it.
boot_files() {
	mkdir -p "$BOOTDIR/gridkiosk" "$BOOTDIR/A" "$BOOTDIR/B"
	cp "$ROOT/boot/vmlinuz-$KVER" "$BOOTDIR/A/vmlinuz"
	cp "$ROOT/boot/initrd.img-$KVER" "$BOOTDIR/A/initrd.img"
	if [ "$ARCH" = amd64 ]; then
		uefi_boot_files
	else
		pi_boot_files
	fi
	install -m 0644 "$here/README.image" "$BOOTDIR/gridkiosk/README.txt"
	in_root /usr/bin/gridkiosk config example >"$BOOTDIR/gridkiosk/provision.toml.example" ||
		die "the image's gridkiosk cannot run here (gridkiosk config example failed)"
	install -m 0644 "$ROOT/usr/share/doc/gridkiosk/local.rules.example" "$BOOTDIR/gridkiosk/local.rules.example"
	# The boot partition is mounted over this: nothing may hide under it.
	find "$ROOT/boot/firmware" -mindepth 1 -delete
}

# uefi_boot_files: systemd-boot with boot counting. An entry named
# gridkiosk-b+6.conf has 6 tries left; systemd-boot counts one down on
# each boot (gridkiosk-b+5-1.conf), and one with none left
# (gridkiosk-b+0-6.conf) is sorted last, so "default gridkiosk-*" then
# picks the other slot. Among the rest, sort-key puts the primary first.
# A slot confirmed good has no counter (gridkiosk-a.conf).
uefi_boot_files() {
	local efi=$ROOT/usr/lib/systemd/boot/efi/systemd-bootx64.efi
	[ -f "$efi" ] || die "systemd-boot is missing from the image ($efi)"
	mkdir -p "$BOOTDIR/EFI/BOOT" "$BOOTDIR/EFI/systemd" "$BOOTDIR/loader/entries"
	# The removable-media path: firmware boots it without NVRAM entries.
	cp "$efi" "$BOOTDIR/EFI/BOOT/BOOTX64.EFI"
	cp "$efi" "$BOOTDIR/EFI/systemd/systemd-bootx64.efi"
	# No menu and no editing the kernel command line at the kiosk.
	printf 'default gridkiosk-*\ntimeout 0\neditor no\n' >"$BOOTDIR/loader/loader.conf"
	# No serial console: an industrial PC's COM ports carry the
	# station's devices. systemd's GPT auto-mounting is off, as fstab
	# says where everything goes.
	local slot name key partuuid
	for slot in A B; do
		if [ "$slot" = A ]; then
			name=gridkiosk-a.conf key=gridkiosk-0 partuuid=$ROOT_A_PARTUUID
		else
			name=gridkiosk-b+0.conf key=gridkiosk-1 partuuid=$ROOT_B_PARTUUID
		fi
		printf 'title gridkiosk (Debian 12, slot %s)\nsort-key %s\nlinux /%s/vmlinuz\ninitrd /%s/initrd.img\noptions %s console=tty1 systemd.gpt_auto=0\n' \
			"$slot" "$key" "$slot" "$slot" "$(slot_cmdline "$slot" "$partuuid")" >"$BOOTDIR/loader/entries/$name"
	done
}

# pi_boot_files: the Pi firmware, its config.txt choosing the slot. The
# firmware reads autoboot.txt first: tryboot_a_b=1 makes it read
# config.txt (not tryboot.txt) on a "reboot '0 tryboot'", from the
# partition [tryboot] names; there is one FAT here (MBR's four primaries
# are boot, A, B and data), so both name partition 1 and config.txt's own
# [tryboot] section picks the slot on trial with os_prefix. The firmware
# clears the tryboot flag whatever happens, so any reboot after a trial
# that was not confirmed comes back to the [all] slot.
pi_boot_files() {
	local dtbs=$ROOT/usr/lib/linux-image-$KVER/broadcom f
	for f in bcm2711-rpi-4-b.dtb bcm2712-rpi-5-b.dtb; do
		[ -f "$dtbs/$f" ] || die "kernel $KVER has no $f"
	done
	cp "$dtbs"/bcm2711-rpi-*.dtb "$dtbs"/bcm2712-rpi-*.dtb "$BOOTDIR/A/"
	# The Pi 4's GPU firmware (the Pi 5 keeps its own in EEPROM).
	cp "$ROOT"/usr/lib/raspi-firmware/* "$BOOTDIR/"
	cat >"$BOOTDIR/autoboot.txt" <<-EOF
		[all]
		tryboot_a_b=1
		boot_partition=1
		[tryboot]
		boot_partition=1
	EOF
	cat >"$BOOTDIR/config.txt" <<-EOF
		# gridkiosk: Raspberry Pi 4 and 5 booting Debian's own kernel.
		# Written by images/recipe/build.sh; the os_prefix lines by
		# /usr/lib/gridkiosk/rauc-boot-backend.
		arm_64bit=1
		# The firmware picks the mainline device tree named after the board.
		upstream_kernel=1
		kernel=vmlinuz
		initramfs initrd.img followkernel
		# Serial console on GPIO 14/15.
		enable_uart=1
		disable_overscan=1
		# The slot: kernel, initramfs, cmdline.txt and device trees come
		# from its folder.
		[all]
		os_prefix=A/
		[tryboot]
		os_prefix=B/
		[all]
	EOF
	echo "console=ttyS1,115200 console=tty1 $(slot_cmdline A "$ROOT_A_PARTUUID")" >"$BOOTDIR/A/cmdline.txt"
	echo "console=ttyS1,115200 console=tty1 $(slot_cmdline B "$ROOT_B_PARTUUID")" >"$BOOTDIR/B/cmdline.txt"
}

# data_files: the data partition's first contents: the mount points and
# directories of the read-only root's writable state.
data_files() {
	local uid gid
	uid=$(awk -F: '$1 == "gridkiosk" {print $3}' "$ROOT/etc/passwd")
	gid=$(awk -F: '$1 == "gridkiosk" {print $3}' "$ROOT/etc/group")
	if [ -z "$uid" ] || [ -z "$gid" ]; then die "the image has no gridkiosk user"; fi
	mkdir -p "$DATADIR/.system/etc-gridkiosk" "$DATADIR/.system/var-lib-systemd/upper" "$DATADIR/.system/var-lib-systemd/work" \
		"$DATADIR/.system/rauc" "$DATADIR/.system/trial" "$DATADIR/update"
	chown "$uid:$gid" "$DATADIR"
	chmod 0750 "$DATADIR"
	chmod -R 0755 "$DATADIR/.system"
	chown "0:$gid" "$DATADIR/.system/etc-gridkiosk"
	chmod 0750 "$DATADIR/.system/etc-gridkiosk"
	# Downloaded bundles: the station writes them, RAUC (root) reads them.
	chown "$uid:$gid" "$DATADIR/update"
	chmod 0750 "$DATADIR/update"
	DATA_OWNER=$uid:$gid
}

# clamp_times: no file newer than SOURCE_DATE_EPOCH, so file times do not
# depend on when the image was built.
clamp_times() {
	local d
	for d in "$ROOT" "$BOOTDIR" "$DATADIR"; do
		find "$d" -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"
	done
}

# filesystems: ext4 for root and data from their directories, FAT for
# boot; the root's size follows its contents.
filesystems() {
	local used
	used=$(du -s -x --block-size=1M "$ROOT" | cut -f1)
	# Room for ext4's journal and inode tables, and a margin.
	local need=$((used * 5 / 4 + 256))
	[ "$need" -le "$ROOT_MB" ] ||
		die "the root needs ${need} MiB but a slot is ROOT_MB=${ROOT_MB} MiB; a bigger slot means reflashing every station"
	export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
	truncate -s "${ROOT_MB}M" "$WORK/root.ext4"
	truncate -s "${DATA_MB}M" "$WORK/data.ext4"
	say "root file system: ${used} MiB of files in a ${ROOT_MB} MiB ext4 (one slot)"
	mke2fs -q -F -t ext4 -b 4096 -m 0 -L gk-root -U "$ROOT_FSUUID" -E "hash_seed=$ROOT_FSUUID,root_owner=0:0" \
		-d "$ROOT" "$WORK/root.ext4" "${ROOT_MB}M" || die "mke2fs of the root file system failed"
	mke2fs -q -F -t ext4 -b 4096 -m 1 -L gk-data -U "$DATA_FSUUID" -E "hash_seed=$DATA_FSUUID,root_owner=$DATA_OWNER" \
		-d "$DATADIR" "$WORK/data.ext4" "${DATA_MB}M" || die "mke2fs of the data file system failed"
	# mke2fs -d takes the top directory's owner from root_owner but not its
	# mode: the station's data is for the station's user alone.
	debugfs -w -R 'set_inode_field / mode 040750' "$WORK/data.ext4" >/dev/null 2>&1 ||
		die "could not set the data file system's mode"
	say "boot file system: $(du -s --block-size=1M "$BOOTDIR" | cut -f1) MiB of files in a ${BOOT_MB} MiB FAT32"
	mkfs.vfat -F 32 -n GK-BOOT -i "$BOOT_VOLID" --invariant -C "$WORK/boot.vfat" $((BOOT_MB * 1024)) >/dev/null ||
		die "mkfs.vfat failed"
	MTOOLS_SKIP_CHECK=1 mcopy -i "$WORK/boot.vfat" -s -p -m -Q "$BOOTDIR"/* ::/ ||
		die "copying the boot files onto the FAT failed (does BOOT_MB=$BOOT_MB hold them?)"
}

# assemble: the partition table, then each file system at its partition's
# offset. The first partition starts at 4 MiB, every one on a MiB boundary.
assemble() {
	local boot_start=4 root_start rootb_start data_start total
	root_start=$((boot_start + BOOT_MB))
	rootb_start=$((root_start + ROOT_MB))
	data_start=$((rootb_start + ROOT_MB))
	# One MiB more at the end for GPT's backup table.
	total=$((data_start + DATA_MB + 1))
	local s=2048 # sectors per MiB
	rm -f "$OUT"
	truncate -s "${total}M" "$OUT"
	local table
	if [ "$ARCH" = amd64 ]; then
		table="label: gpt
label-id: $DISK_ID
unit: sectors
sector-size: 512

start=$((boot_start * s)), size=$((BOOT_MB * s)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$BOOT_PARTUUID, name=gk-boot
start=$((root_start * s)), size=$((ROOT_MB * s)), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$ROOT_A_PARTUUID, name=gk-root-a
start=$((rootb_start * s)), size=$((ROOT_MB * s)), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$ROOT_B_PARTUUID, name=gk-root-b
start=$((data_start * s)), size=$((DATA_MB * s)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$DATA_PARTUUID, name=gk-data"
	else
		table="label: dos
label-id: 0x$DISK_ID
unit: sectors

start=$((boot_start * s)), size=$((BOOT_MB * s)), type=c, bootable
start=$((root_start * s)), size=$((ROOT_MB * s)), type=83
start=$((rootb_start * s)), size=$((ROOT_MB * s)), type=83
start=$((data_start * s)), size=$((DATA_MB * s)), type=83"
	fi
	sfdisk --quiet "$OUT" <<<"$table" || die "sfdisk could not write the partition table"
	dd if="$WORK/boot.vfat" of="$OUT" bs=1M seek="$boot_start" conv=notrunc,sparse status=none
	dd if="$WORK/root.ext4" of="$OUT" bs=1M seek="$root_start" conv=notrunc,sparse status=none
	# Slot B stays a hole: nothing to write when flashing, and its boot
	# entry is bad until an update fills it.
	dd if="$WORK/data.ext4" of="$OUT" bs=1M seek="$data_start" conv=notrunc,sparse status=none
}

cleanup() {
	# A build stopped inside mmdebstrap (a ^C, a session's end) can leave
	# its proc, sys and dev mounts in the root tree: rm -rf then walked
	# into the host's /sys. Unmount them, deepest first, and never delete
	# across a file system.
	# awk, not grep: no mount left is the usual case, and grep's status 1
	# under set -e ended the cleanup before its rm (and the build with 1).
	local m
	while read -r m; do
		umount -l "$m" || say "could not unmount $m"
	done < <(findmnt -rn -o TARGET | awk -v w="$WORK/" 'index($0, w) == 1' | sort -r)
	if [ "$KEEP" = 1 ]; then
		say "work directory kept: $WORK"
	else
		rm -rf --one-file-system "$WORK"
	fi
}

main() {
	parse_args "$@"
	host_tools
	find_binary
	ids
	epoch
	packages
	# Outside the repository: a kept work dir holds a whole root tree, and
	# inside the checkout it would be walked by go vet ./... and editors.
	WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/gridkiosk-image.XXXXXX")
	ROOT=$WORK/root BOOTDIR=$WORK/boot DATADIR=$WORK/data
	mkdir -p "$BOOTDIR" "$DATADIR"
	trap cleanup EXIT
	say "building $OUT ($ARCH, gridkiosk $VERSION, binary $BINARY)"
	bootstrap
	say "root tree ready (kernel $KVER)"
	boot_files
	data_files
	clamp_times
	filesystems
	assemble
	manifest
	sha256sum "$OUT" | sed 's#  .*/#  #' >"$OUT.sha256"
	say "done: $OUT ($(du -h --apparent-size "$OUT" | cut -f1), $(du -h "$OUT" | cut -f1) on disk) in ${SECONDS}s"
}

main "$@"

#!/usr/bin/env bash
# customize.sh ROOT: mmdebstrap's customize hook for build.sh. Turns the
# freshly installed Debian in ROOT into the gridkiosk appliance's root file
# system: the binary, units, rules and settings, the station user, and
# what a read-only root needs. build.sh exports the GK_* variables.
set -euo pipefail

root=$1
: "${GK_RECIPE:?} ${GK_BINARY:?} ${GK_ARCH:?} ${GK_VERSION:?} ${GK_VERSION_SYS:?} ${GK_KEYRING:?} ${GK_VOICE:?}"
: "${GK_ROOT_A_PARTUUID:?} ${GK_ROOT_B_PARTUUID:?} ${GK_BOOT_PARTUUID:?} ${GK_DATA_PARTUUID:?} ${SOURCE_DATE_EPOCH:?}"

in_root() { chroot "$root" "$@"; }

# copy_overlay: the recipe's files, with modes set here rather than taken
# from however the checkout was made.
copy_overlay() {
	local src=$GK_RECIPE/rootfs f rel
	while IFS= read -r -d '' f; do
		rel=${f#"$src"/}
		if [ -d "$f" ]; then
			install -d -m 0755 "$root/$rel"
		elif [[ $rel == usr/lib/gridkiosk/* ]]; then
			install -m 0755 "$f" "$root/$rel"
		else
			install -m 0644 "$f" "$root/$rel"
		fi
	done < <(find "$src" -mindepth 1 -print0 | sort -z)
	sed -i -e "s/@BOOT_PARTUUID@/$GK_BOOT_PARTUUID/" -e "s/@DATA_PARTUUID@/$GK_DATA_PARTUUID/" "$root/etc/fstab"
	install -m 0755 "$GK_BINARY" "$root/usr/bin/gridkiosk"
	# The system's version, which the station reports and RAUC's bundle
	# manifest repeats.
	echo "$GK_VERSION_SYS" >"$root/usr/lib/gridkiosk/system-version"
	chmod 0644 "$root/usr/lib/gridkiosk/system-version"
	# The voice pack (make voice-pack), where voice.pack_dir's default
	# looks for it.
	install -d -m 0755 "$root/usr/share/gridkiosk/voice"
	find "$GK_VOICE" -maxdepth 1 -type f -exec install -m 0644 -t "$root/usr/share/gridkiosk/voice" {} +
}

# rauc: the updater's configuration, the CA its bundles must be signed
# under, and the boot loader backend for this architecture.
rauc_config() {
	local backend=boot-efi
	[ "$GK_ARCH" = arm64 ] && backend=boot-tryboot
	install -d -m 0755 "$root/etc/rauc"
	sed -e "s/@COMPATIBLE@/gridkiosk-$GK_ARCH/" -e "s/@ROOT_A_PARTUUID@/$GK_ROOT_A_PARTUUID/" \
		-e "s/@ROOT_B_PARTUUID@/$GK_ROOT_B_PARTUUID/" "$GK_RECIPE/rauc/system.conf.in" >"$root/etc/rauc/system.conf"
	chmod 0644 "$root/etc/rauc/system.conf"
	install -m 0644 "$GK_KEYRING" "$root/etc/rauc/keyring.pem"
	install -m 0755 "$GK_RECIPE/rauc/$backend" "$root/usr/lib/gridkiosk/rauc-boot-backend"
	install -m 0644 "$GK_RECIPE/rauc/rauc-boot-lib.sh" "$root/usr/lib/gridkiosk/rauc-boot-lib.sh"
}

# station_user: gridkiosk runs as its own system user; gpio is the group
# for the GPIO character devices (Debian has none).
station_user() {
	in_root groupadd --system gpio
	in_root useradd --system --user-group --home-dir /var/lib/gridkiosk --no-create-home \
		--shell /usr/sbin/nologin --comment "gridkiosk station" gridkiosk
}

# mount_points: where the data partition, its bind mounts and the boot
# partition go. Made now: the root cannot be written at boot.
mount_points() {
	install -d -m 0755 "$root/boot/firmware" "$root/var/lib/gridkiosk" "$root/etc/gridkiosk" "$root/media/gridkiosk-usb"
}

# locale_time: Chinese for the kiosk (its unit sets LANG), C.UTF-8 for
# the console, which cannot draw CJK; China's time zone.
locale_time() {
	printf '%s\n' "zh_CN.UTF-8 UTF-8" "en_US.UTF-8 UTF-8" >"$root/etc/locale.gen"
	in_root locale-gen >/dev/null
	echo "LANG=C.UTF-8" >"$root/etc/default/locale"
	ln -sf /usr/share/zoneinfo/Asia/Shanghai "$root/etc/localtime"
	echo "Asia/Shanghai" >"$root/etc/timezone"
	# systemd sets a clock that is earlier than this file's time forward to
	# it at boot: a board without RTC then never starts before the image
	# was made.
	touch -d "@$SOURCE_DATE_EPOCH" "$root/usr/lib/clock-epoch"
}

# read_only_root: what systemd and Debian need to boot from a root that
# is never written.
read_only_root() {
	echo gridkiosk >"$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tgridkiosk\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
	# An empty machine-id: systemd makes a new one each boot and mounts it
	# over this file, without first-boot setup (see machine-id(5)).
	: >"$root/etc/machine-id"
	rm -f "$root/var/lib/dbus/machine-id"
	if [ -d "$root/var/lib/dbus" ]; then ln -s /etc/machine-id "$root/var/lib/dbus/machine-id"; fi
	# systemd-resolved writes the resolver file in /run.
	ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
	# What systemd would otherwise create at boot under /var.
	in_root systemd-tmpfiles --create --exclude-prefix=/dev --exclude-prefix=/proc \
		--exclude-prefix=/sys --exclude-prefix=/run --exclude-prefix=/tmp >/dev/null 2>&1 || true
}

# units: what starts at boot. Timers and jobs that write to the root (apt,
# dpkg's database backup, e2scrub) are masked.
units() {
	in_root systemctl --quiet enable gridkiosk.service gridkiosk-provision.service gridkiosk-growdata.service \
		gridkiosk-udev-local.service gridkiosk-trial.service systemd-networkd.service systemd-resolved.service \
		systemd-timesyncd.service seatd.service
	in_root systemctl --quiet disable getty@tty1.service systemd-networkd-wait-online.service
	in_root systemctl --quiet mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
		e2scrub_all.timer e2scrub_reap.service
	in_root systemctl --quiet set-default multi-user.target
}

# identify: the image says what it is in os-release (IMAGE_ID and
# IMAGE_VERSION are os-release's own fields for this).
identify() {
	local osr=$root/etc/os-release target
	if [ -L "$osr" ]; then
		target=$(readlink "$osr")
		case "$target" in
		/*) osr=$root$target ;;
		*) osr=$root/etc/$target ;;
		esac
	fi
	printf 'IMAGE_ID=gridkiosk\nIMAGE_VERSION=%s\n' "$GK_VERSION" >>"$osr"
	install -m 0644 "$GK_RECIPE/README.image" "$root/usr/share/doc/gridkiosk/README.image"
}

copy_overlay
rauc_config
station_user
mount_points
locale_time
read_only_root
units
identify

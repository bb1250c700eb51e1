# shellcheck shell=bash disable=SC2034,SC2153,SC2154
# serial.sh: updatecheck.sh's readers of the guest's serial log, sourced
# by it (and by its test, on a log written by hand). They read SERIAL
# past the byte offset FROM, through the file WORK/after, and call fail,
# say, cut and boot from updatecheck.sh; wait_line uses QEMU and HANG_S
# only while a guest runs.

# wait_line PATTERN SECONDS: until the serial log has a line matching
# PATTERN (extended regexp) past the offset FROM; the line goes to LINE.
# Fails when qemu ends first.
FROM=0
wait_line() {
	local deadline=$((SECONDS + $2)) size seen=-1 quiet=$SECONDS
	while :; do
		serial_after
		if LINE=$(grep -a -m1 -E -- "$1" "$WORK/after" | tr -d '\r'); then
			return 0
		fi
		[ "$SECONDS" -ge "$deadline" ] && return 1
		size=$(stat -c %s "$SERIAL")
		if [ "$size" != "$seen" ]; then
			seen=$size quiet=$SECONDS
		elif [ -n "${QEMU:-}" ] && [ $((SECONDS - quiet)) -ge "$HANG_S" ] && in_firmware; then
			HANGS=$((HANGS + 1))
			say "the guest has said nothing for ${HANG_S}s since $(in_firmware_since): qemu hung in the firmware; power-cycled ($HANGS so far)"
			cut
			boot
			FROM=0 seen=-1
		fi
		if [ -n "${QEMU:-}" ] && ! kill -0 "$QEMU" 2>/dev/null; then
			serial_after
			grep -a -q -m1 -E -- "$1" "$WORK/after" && return 0
			fail "qemu ended while waiting for /$1/ ($(tail -n 3 "$WORK/qemu-$RUN.log" | tr '\n' ' '))"
		fi
		sleep 1
	done
}

# in_firmware: the guest's last words were the kernel restarting the
# machine, or it has said nothing since qemu started.
in_firmware() {
	[ ! -s "$SERIAL" ] || tail -n 2 "$SERIAL" | tr -d '\r' | grep -aqE 'reboot: (machine restart|Restarting system)$'
}
in_firmware_since() { if [ -s "$SERIAL" ]; then echo "the kernel restarted the machine"; else echo "qemu started"; fi; }

# serial_after: the serial log past FROM, into WORK/after. A file, not a
# pipe: a grep that stops at its first match must leave no writer behind
# it to die of SIGPIPE, which pipefail and set -e turned into the end of
# whole runs (status 141, twice at the rollback's first boot).
serial_after() { tail -c +$((FROM + 1)) "$SERIAL" >"$WORK/after"; }

# here_on: later waits look only past this point of the serial log.
here_on() { FROM=$(stat -c %s "$SERIAL"); }

# past_line PATTERN: later waits look only past the start of the first
# match of PATTERN after FROM: what the guest wrote after it, even before
# the host saw it, is still seen.
past_line() {
	local off
	serial_after
	# The match's own offset (-o), not its line's: systemd's status
	# line can leave "\r<spaces>\r" before the helper's words on the same
	# line, and a FROM one byte into that line found the same words
	# again (the rollback counted one boot of the bad slot seven times).
	off=$(grep -a -b -o -m1 -E -- "$1" "$WORK/after") || fail "past_line: no /$1/ after byte $FROM"
	off=${off%%$'\n'*}
	off=${off%%:*}
	FROM=$((FROM + off + 1))
}

# boot_line: SLOT, VERSION and BOOTID (the kernel's boot id, which the
# helper's UPD lines carry) from the BOOT line in LINE.
boot_line() {
	SLOT=$(sed -n 's/.* slot=\([^ ]*\).*/\1/p' <<<"$LINE")
	VERSION=$(sed -n 's/.* version=\([^ ]*\).*/\1/p' <<<"$LINE")
	BOOTID=$(sed -n 's/.*GRIDKIOSK-UC: BOOT \([^ ]*\) .*/\1/p' <<<"$LINE")
}

package config

// Example returns a complete configuration file in which every key is
// present and explained, for technicians to start from and for
// "gridkiosk config example" to print. It parses without error.
func Example() string {
	return example
}

const example = `# gridkiosk configuration (网格服务站自助终端配置)
#
# The kiosk reads this file from /etc/gridkiosk/gridkiosk.toml at start-up.
# Check it after every change with "gridkiosk config check", which lists
# every problem with its line number. Keys are case-sensitive, and keys not
# shown here are rejected. Keys marked "default" may be left out.

[station]
# The station's identifier, used in every record it sends to the county hub
# and in its receipt numbers. Required: 3-64 characters of a-z, 0-9 and '-'.
id = "141029-xfw-01"
# The name residents know the station by, shown on screen and printed on
# receipts. Required, at most 64 characters.
name = "幸福湾社区党群服务站"
# Where residents find staff in person, said by the help and decline
# screens; "中文 / English" gives both languages. At most 80 characters,
# default empty ("the service desk"), e.g.
# staff_desk = "服务台在进门右手边 / the desk on your right as you come in"
staff_desk = ""
# Where the printed receipt comes out, said by the done screen. At most 80
# characters, default empty ("the slot below the screen"), e.g.
# receipt_slot = "屏幕右下方的出纸口 / the slot at the bottom right"
receipt_slot = ""

# The station's own grid cell. Records that do not say where they belong are
# filed here. County, township and community are division codes (GB/T 2260):
# the county has 6 digits, the township 9 starting with the county's, the
# community 12 starting with the township's. A path may stop at any level
# but may not skip one; county is required.
[station.grid]
county = "141029"
township = "141029100"
community = "141029100001"
# Compound (小区) and micro grid (微网格) inside the community, as the
# community numbers them: up to 32 letters, digits, '-' or '_'. Usually empty
# for a station; micro needs compound.
compound = ""
micro = ""
# Industry grid (行业网格) under the county, or dedicated grid (专属网格)
# under the township, when the station serves one. Usually empty.
industry = ""
dedicated = ""

[upstream]
# The county hub that records are forwarded to: an http or https URL. Leave
# empty to run without a hub; records then queue locally until one is set.
url = "https://hub.example.org"
# File holding the hub's access token, kept apart so this file can be shared
# without it. Required when url is set. A relative path is taken relative to
# the directory of this file.
token_file = "/etc/gridkiosk/upstream.token"
# Records sent per request. 1 to 1000, default 100.
batch_size = 100
# How long to wait for the hub before trying again later. 1s to 5m, default
# "15s". Durations are strings with a unit: "500ms", "15s", "2m".
timeout = "15s"
# While the hub cannot be reached the kiosk waits longer and longer between
# attempts (with random jitter), up to this cap. 1s to 1h, default "5m".
retry_max = "5m"
# An https hub's certificate must be signed by a CA the station trusts and
# name the host in url. On a county network with its own CA, give that CA's
# certificate here: a PEM file ("gridhub tls init" makes one); a relative
# path is taken relative to this file. It is read at every new connection,
# so replacing it needs no restart. Empty (default): the system's CAs only.
ca_file = ""
# "add" (default): trust ca_file besides the system's CAs. "replace": trust
# ca_file alone, so that no other CA can vouch for a hub.
ca_mode = "add"
# Optional key pins: a certificate in the hub's verified chain (the hub's
# own, or its CA's) must hold a key with one of these SHA-256 digests,
# written in base64 as "gridhub tls init" prints them, or as
#   openssl x509 -in CERT -pubkey -noout | openssl pkey -pubin -outform der |
#   openssl dgst -sha256 -binary | base64
# List the next key too before the hub changes keys. Empty (default): none.
pin_sha256 = []
# Plain http:// to a host other than this machine would send residents'
# records unencrypted; config check refuses it unless this is true.
# Default false.
insecure_http = false

[health]
# How often the station sends the hub its health report (devices, queue,
# clock, disk) when nothing changes; a device that changes state (paper
# out, a reader unplugged) is reported at once. 30s to 15m, default "5m".
# The county console calls a station late after 1.5 intervals and
# offline after 30 minutes without a report.
interval = "5m"

[storage]
# Where records and the outbox are kept. An absolute path, default
# "/var/lib/gridkiosk".
dir = "/var/lib/gridkiosk"
# Days a record is kept after the hub has it, so receipts can still be
# reprinted. 1 to 3650, default 30.
retention_days = 30
# Most space records may take, in MiB; 0 (default) means only the disk
# limits it. At the cap new records are refused (the screen sends the
# resident to staff); stored records are never evicted.
max_mb = 0
# Space left free on the disk, in MiB, for the system and for the commits
# that free space. 8 to 10240, default 64.
min_free_mb = 64

[admin]
# Address of the local admin API used by technician tools, as host:port.
# The host must be a loopback address (127.0.0.0/8, ::1 or localhost)
# because the admin API is local only. Default "127.0.0.1:8765".
listen = "127.0.0.1:8765"

# Devices. A device without a port is absent and the kiosk works without it.
# Ports are absolute paths; the udev rules give them stable names under
# /dev/gridkiosk. Baud rates: 1200, 2400, 4800, 9600, 19200, 38400, 57600,
# 115200, 230400, 460800 or 921600.

[devices.idcard]
# Resident ID card reader.
port = "/dev/gridkiosk/idcard"
# Default 115200.
baud = 115200

[devices.scanner]
# QR code scanner.
port = "/dev/gridkiosk/scanner"
# Default 9600.
baud = 9600
# For a scanner that reads only when told: "honeywell" (SYN T / SYN U) or
# "gm65". The kiosk then triggers a read when someone steps up (presence
# sensor). Empty: the scanner reads whatever it is shown.
trigger = ""
# What the scanner is set to end each code with: "cr", "lf" or "crlf" (then
# only that ends a code, however long the line pauses inside one), "none" (a
# pause of 80 ms ends a code). Empty: learned from the first code that ends
# in CR or LF; until then a pause ends a code, so a long first code can be
# cut on a slow line. Set it when you know it.
suffix = ""

[devices.printer]
# Receipt printer, attached by at most one of: port (serial port), usb (USB
# printer device, e.g. "/dev/usb/lp0") or tcp (network printer as host:port,
# e.g. "192.168.1.50:9100"). With none of them the kiosk prints nothing.
port = "/dev/gridkiosk/printer"
usb = ""
tcp = ""
# Serial speed, used with port only. Default 115200.
baud = 115200
# Paper width: "58mm" (default) or "80mm".
paper = "58mm"
# How the printer tells that a receipt is on paper, not just in its buffer:
# "gs-r" (GS r 1, default; most ESC/POS printers), "esc-v" (older ones),
# "process-id" (GS ( H, Epson TM and some Rongta) or "none" (the station
# then says it cannot confirm a receipt printed, never that it did).
confirm = "gs-r"
# true if the printer sends its status on every change (GS a, ASB), so a
# stop is seen at once.
asb = false
# The fewest bytes a second the printer prints (0 means 1000): how long to
# wait for its confirmation before staff are asked to check the paper.
bytes_per_second = 0

[gpio]
# Pins for the kiosk's buttons, lamps and switches, named as the board's GPIO
# registry knows them, e.g. "GPIO17". Empty means the station has no such
# part. No two functions may share a pin.
# Help button: calls staff to the kiosk.
button_help = ""
# Technician button, hidden inside the case: opens the technician screen.
button_tech = ""
# Lamp lit while the kiosk is ready for residents.
led_ready = ""
# Lamp lit while the county hub cannot be reached.
led_offline = ""
# Lamp lit when the kiosk needs staff (printer out of paper, device fault).
led_attention = ""
# Lamp lit while the kiosk is working on a request.
led_busy = ""
# Buzzer for card reads and alerts.
buzzer = ""
# Presence sensor input: wakes the screen when someone approaches.
presence = ""
# Relay output, e.g. for a queue display or door lock.
relay = ""

[ui]
# Screen language: "zh-CN" (default) or "en".
language = "zh-CN"
# Run full screen, as the kiosk should; false is for testing on a desktop.
# Default true.
fullscreen = true
# Return to the start page after this long without a touch, so the next
# resident does not see the previous one's session. 10s to 30m, default "90s".
idle_timeout = "90s"
# The touchscreen's diagonal in inches (5 to 65): the screens size type and
# buttons in millimetres from it. 0 (default) derives it from the
# resolution: 800x480 7, 1024x600 7, 1280x800 10.1, 1920x1080 21.5.
panel_inches = 0

[voice]
# Speak each screen's instruction, the ticket and the reminders aloud.
# Default true.
enabled = true
# The voice pack: manifest.json and one WAV file per prompt. Default
# "/usr/share/gridkiosk/voice"; "make voice-pack" writes the synthetic
# default pack to build/voice. Without a pack the kiosk runs silent and
# its health report (technician screen, /healthz) says why.
pack_dir = "/usr/share/gridkiosk/voice"
# The ALSA device the prompts are played to ("aplay -L" lists them).
# Default "default".
device = "default"

[update]
# System updates: signed RAUC bundles the county hub assigns (or a
# technician brings on a USB stick), installed to the other root slot and
# booted on trial; a slot that does not come up healthy rolls back by
# itself. Downloads and installs never happen while a resident or staff
# member uses the kiosk. Default true; a machine without RAUC never
# installs.
enabled = true
# When an installed update may reboot the station, local time, and only
# when nobody uses the kiosk. May cross midnight ("23:30-04:00"). Default
# "02:00-05:00". A technician's bundle (USB, "gridkiosk update install")
# does not wait for it.
window = "02:00-05:00"
# How often the hub is asked which release to run. 5m to 24h, default "1h".
check_interval = "1h"
# Where USB sticks are mounted, one directory each; a stick's
# gridkiosk/update/*.raucb is offered for install. Empty: no sticks.
# Default "/media/gridkiosk-usb".
usb_root = "/media/gridkiosk-usb"
# Minutes a newly booted slot has to become healthy before it is marked
# bad and the station boots the old one. 1 to 60, default 5.
trial_minutes = 5
# The running system's version, written by the image. Default
# "/usr/lib/gridkiosk/system-version".
version_file = "/usr/lib/gridkiosk/system-version"
`

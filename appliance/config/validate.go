package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/internal/maintwindow"
	"github.com/gridkiosk/gridkiosk/internal/spki"
)

// Validate checks that c makes sense as a whole: required keys are set and
// every value is in its allowed range. It returns every problem it finds as
// an *Error naming the key, joined with errors.Join. The errors carry no
// file or line; Parse adds them.
func (c *Config) Validate() error {
	var ps problems
	c.Station.validate(&ps)
	c.Upstream.validate(&ps)
	// Long enough not to load a province's hub (20,000 stations every
	// 30 s is 670 reports/s), short enough that the console's "late"
	// and "offline" (30 min) mean what they say.
	ps.durationRange("health.interval", c.Health.Interval, "30s", "15m")
	c.Storage.validate(&ps)
	c.Admin.validate(&ps)
	c.Devices.IDCard.validate(&ps, "devices.idcard")
	c.Devices.Scanner.validate(&ps, "devices.scanner")
	c.Devices.Printer.validate(&ps)
	c.GPIO.validate(&ps)
	c.UI.validate(&ps)
	c.Voice.validate(&ps)
	c.Update.validate(&ps)
	return errors.Join(ps...)
}

type problems []error

func (ps *problems) add(key, format string, args ...any) {
	*ps = append(*ps, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

// intRange checks that n lies in lo..hi.
func (ps *problems) intRange(key string, n, lo, hi int) {
	if n < lo || n > hi {
		ps.add(key, "%d is out of range; allowed %d..%d", n, lo, hi)
	}
}

// durationRange checks that d lies in lo..hi; the bounds are given as
// written in the file, "5m" reading better than time's "5m0s".
func (ps *problems) durationRange(key string, d Duration, lo, hi string) {
	l, _ := time.ParseDuration(lo)
	h, _ := time.ParseDuration(hi)
	if d.Duration < l || d.Duration > h {
		ps.add(key, "%q is out of range; allowed %s..%s", shortDuration(d.Duration), lo, hi)
	}
}

// shortDuration writes d as a technician would, "6m" rather than "6m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func (s Station) validate(ps *problems) {
	switch {
	case s.ID == "":
		ps.add("station.id", `is required (3-64 characters of a-z, 0-9 and '-', e.g. "141029-xfw-01")`)
	case !validID(s.ID):
		ps.add("station.id", "%q must be 3-64 characters of a-z, 0-9 and '-'", s.ID)
	}
	switch n := utf8.RuneCountInString(s.Name); {
	case strings.TrimSpace(s.Name) == "":
		ps.add("station.name", "is required (the name residents know the station by, at most 64 characters)")
	case n > 64:
		ps.add("station.name", "is %d characters long; at most 64 are allowed", n)
	}
	for _, f := range []struct{ key, v string }{{"station.staff_desk", s.StaffDesk}, {"station.receipt_slot", s.ReceiptSlot}} {
		if n := utf8.RuneCountInString(f.v); n > 80 {
			ps.add(f.key, "is %d characters long; at most 80 fit on the screen", n)
		}
	}
	if err := s.Grid.Validate(); err != nil {
		var ge *grid.Error
		if errors.As(err, &ge) {
			ps.add("station.grid."+ge.Field, "%s", ge.Msg)
		} else {
			ps.add("station.grid", "%v", err)
		}
	}
}

func validID(id string) bool {
	if len(id) < 3 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (u Upstream) validate(ps *problems) {
	if u.URL != "" {
		p, err := url.Parse(u.URL)
		if err != nil || p.Scheme != "http" && p.Scheme != "https" || p.Hostname() == "" {
			ps.add("upstream.url", `%q is not an http or https URL with a host (e.g. "https://hub.example.org"); leave it empty to keep records queued locally`, RedactURL(u.URL))
		} else {
			u.validateScheme(ps, p)
		}
		if err == nil && (p.RawQuery != "" || p.ForceQuery || p.Fragment != "") {
			// The station appends its API paths to the URL; a query or
			// fragment would end up in the middle of every request, and is
			// where a credential typed into a URL usually hides.
			ps.add("upstream.url", "has a query or fragment (?…, #…), which the station cannot use: give the hub's address only, e.g. %q", RedactURL(u.URL))
		}
		if u.TokenFile == "" {
			ps.add("upstream.token_file", "is required when upstream.url is set (the file holding the hub's access token)")
		}
	}
	switch u.CAMode {
	case "add", "replace":
	default:
		ps.add("upstream.ca_mode", `%q is not a CA mode: use "add" (trust upstream.ca_file besides the system's CAs) or "replace" (trust only upstream.ca_file)`, u.CAMode)
	}
	if u.CAMode == "replace" && u.CAFile == "" {
		ps.add("upstream.ca_mode", `"replace" needs upstream.ca_file, the CA to trust instead of the system's`)
	}
	for i, pin := range u.PinSHA256 {
		if _, err := spki.Parse(pin); err != nil {
			ps.add("upstream.pin_sha256", "pin %d: %v", i+1, err)
		}
	}
	ps.intRange("upstream.batch_size", u.BatchSize, 1, 1000)
	ps.durationRange("upstream.timeout", u.Timeout, "1s", "5m")
	ps.durationRange("upstream.retry_max", u.RetryMax, "1s", "1h")
}

// validateScheme checks the TLS keys against the URL's scheme: records go
// in the clear over http:// only to this machine or where the file says
// so, and TLS settings on an http:// URL would protect nothing.
func (u Upstream) validateScheme(ps *problems, p *url.URL) {
	if p.Scheme == "https" {
		if u.InsecureHTTP {
			ps.add("upstream.insecure_http", "is true but upstream.url is https://; remove it, it would allow nothing here")
		}
		return
	}
	if !u.InsecureHTTP && !isLoopback(p.Hostname()) {
		ps.add("upstream.url", "%q would send residents' records unencrypted to another machine; use https:// (with upstream.ca_file for a county CA), or set upstream.insecure_http = true to accept that", RedactURL(u.URL))
	}
	if u.CAFile != "" {
		ps.add("upstream.ca_file", "is set but upstream.url is http://, which uses no certificates; use an https:// URL")
	}
	if len(u.PinSHA256) > 0 {
		ps.add("upstream.pin_sha256", "is set but upstream.url is http://, which has no keys to pin; use an https:// URL")
	}
}

// TLSMode names how the link to the hub is protected, for /healthz and
// the technician's screen: "tls" (the system's CAs), "tls+ca_file",
// "pinned" (a pin on top of either), "insecure_http", "loopback_http"
// (plain HTTP to this machine, as in the simulation), or "" without a hub.
func (u Upstream) TLSMode() string {
	p, err := url.Parse(u.URL)
	switch {
	case u.URL == "" || err != nil:
		return ""
	case p.Scheme == "http" && isLoopback(p.Hostname()):
		return "loopback_http"
	case p.Scheme == "http":
		return "insecure_http"
	case len(u.PinSHA256) > 0:
		return "pinned"
	case u.CAFile != "":
		return "tls+ca_file"
	}
	return "tls"
}

func (s Storage) validate(ps *problems) {
	switch {
	case s.Dir == "":
		ps.add("storage.dir", `is required (an absolute path, e.g. "/var/lib/gridkiosk")`)
	case !filepath.IsAbs(s.Dir):
		ps.add("storage.dir", `%q is not an absolute path (e.g. "/var/lib/gridkiosk")`, s.Dir)
	}
	ps.intRange("storage.retention_days", s.RetentionDays, 1, 3650)
	if s.MaxMB != 0 {
		ps.intRange("storage.max_mb", s.MaxMB, 16, 1<<20)
	}
	ps.intRange("storage.min_free_mb", s.MinFreeMB, 8, 10240)
}

func (a Admin) validate(ps *problems) {
	const key = "admin.listen"
	if a.Listen == "" {
		ps.add(key, `is required (host:port on a loopback address, e.g. "127.0.0.1:8765")`)
		return
	}
	host, port, err := net.SplitHostPort(a.Listen)
	if err != nil {
		ps.add(key, `%q is not host:port (e.g. "127.0.0.1:8765")`, a.Listen)
		return
	}
	if !validPort(port) {
		ps.add(key, "%q: port must be a number 1..65535", a.Listen)
	}
	if !isLoopback(host) {
		ps.add(key, "%q: host must be a loopback address (127.0.0.0/8, ::1 or localhost) because the admin API is local only", a.Listen)
	}
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func (ps *problems) baud(key string, baud int) {
	baudRates := [...]int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}
	for _, b := range baudRates {
		if b == baud {
			return
		}
	}
	rates := make([]string, len(baudRates))
	for i, b := range baudRates {
		rates[i] = strconv.Itoa(b)
	}
	ps.add(key, "%d is not a standard baud rate (%s)", baud, strings.Join(rates, ", "))
}

func (ps *problems) devicePath(key, path, example string) {
	if path != "" && !filepath.IsAbs(path) {
		ps.add(key, "%q is not an absolute device path (e.g. %q)", path, example)
	}
}

func (d Serial) validate(ps *problems, table string) {
	ps.devicePath(table+".port", d.Port, "/dev/ttyUSB0")
	// An absent device built in code has no baud rate, and needs none.
	if d.Present() || d.Baud != 0 {
		ps.baud(table+".baud", d.Baud)
	}
}

func (d Scanner) validate(ps *problems, table string) {
	Serial{Port: d.Port, Baud: d.Baud}.validate(ps, table)
	switch d.Trigger {
	case "", "honeywell", "gm65":
	default:
		ps.add(table+".trigger", `%q is not a trigger command set: use "honeywell", "gm65" or "" (the scanner reads on its own)`, d.Trigger)
	}
	switch d.Suffix {
	case "", "cr", "lf", "crlf", "none":
	default:
		ps.add(table+".suffix", `%q is not a suffix: use "cr", "lf", "crlf", "none" or "" (learn it from the first code)`, d.Suffix)
	}
}

func (p Printer) validate(ps *problems) {
	var set []string
	for _, c := range []struct{ name, val string }{{"port", p.Port}, {"usb", p.USB}, {"tcp", p.TCP}} {
		if c.val == "" {
			continue
		}
		if len(set) > 0 {
			ps.add("devices.printer."+c.name, "cannot be set together with devices.printer.%s; set only one of port, usb, tcp", set[0])
		}
		set = append(set, c.name)
	}
	ps.devicePath("devices.printer.port", p.Port, "/dev/ttyUSB0")
	ps.devicePath("devices.printer.usb", p.USB, "/dev/usb/lp0")
	if p.TCP != "" {
		host, port, err := net.SplitHostPort(p.TCP)
		if err != nil || host == "" || !validPort(port) {
			ps.add("devices.printer.tcp", `%q is not host:port with a port 1..65535 (e.g. "192.168.1.50:9100")`, p.TCP)
		}
	}
	if p.Port != "" || p.Baud != 0 {
		ps.baud("devices.printer.baud", p.Baud)
	}
	if (p.Present() || p.Paper != "") && p.Paper != "58mm" && p.Paper != "80mm" {
		ps.add("devices.printer.paper", `%q is not a supported paper width; use "58mm" or "80mm"`, p.Paper)
	}
	switch p.Confirm {
	case "", "gs-r", "esc-v", "process-id", "none":
	default:
		ps.add("devices.printer.confirm", `%q is not a way to confirm printing: use "gs-r", "esc-v", "process-id" or "none"`, p.Confirm)
	}
	if p.Speed < 0 || p.Speed > 1<<20 {
		ps.add("devices.printer.bytes_per_second", "%d bytes a second: want 0 (1000) to 1048576", p.Speed)
	}
}

func (g GPIO) validate(ps *problems) {
	pins := []struct{ key, name string }{
		{"gpio.button_help", g.ButtonHelp},
		{"gpio.button_tech", g.ButtonTech},
		{"gpio.led_ready", g.LEDReady},
		{"gpio.led_offline", g.LEDOffline},
		{"gpio.led_attention", g.LEDAttention},
		{"gpio.led_busy", g.LEDBusy},
		{"gpio.buzzer", g.Buzzer},
		{"gpio.presence", g.Presence},
		{"gpio.relay", g.Relay},
	}
	used := map[string]string{}
	for _, p := range pins {
		switch {
		case p.name == "":
		case strings.IndexFunc(p.name, unicode.IsSpace) >= 0:
			// gpioreg would not find the pin, and the stray space is hard
			// to see on the technician's screen.
			ps.add(p.key, `%q is not a pin name: it contains a space (e.g. "GPIO17")`, p.name)
		case used[p.name] != "":
			ps.add(p.key, "pin %q is already used by %s; each function needs its own pin", p.name, used[p.name])
		default:
			used[p.name] = p.key
		}
	}
}

func (u UI) validate(ps *problems) {
	if u.Language != "zh-CN" && u.Language != "en" {
		ps.add("ui.language", `%q is not a supported language; use "zh-CN" or "en"`, u.Language)
	}
	ps.durationRange("ui.idle_timeout", u.IdleTimeout, "10s", "30m")
	// 0 is "from the resolution"; otherwise from the smallest panel a
	// station could read to the largest floor-standing terminal. A value
	// in centimetres (25.6 for 10.1") would pass, and read as a larger
	// panel: sizes in mm then come out small, which the screens' audit
	// shows, rather than too large to fit.
	if i := u.PanelInches; i != 0 && (i < 5 || i > 65 || math.IsNaN(i)) {
		ps.add("ui.panel_inches", "%g is out of range; allowed 5..65 (the screen's diagonal in inches, e.g. 7, 10.1 or 21.5), or 0 to derive it from the resolution", i)
	}
}

func (v Voice) validate(ps *problems) {
	if !v.Enabled {
		return
	}
	if strings.TrimSpace(v.PackDir) == "" {
		ps.add("voice.pack_dir", `is empty; name the voice pack's directory (default %q), or set voice.enabled = false`, DefaultVoicePack)
	}
	switch {
	case v.Device == "":
		ps.add("voice.device", `is empty; name an ALSA device ("default", "plughw:1,0"; aplay -L lists them)`)
	case strings.IndexFunc(v.Device, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		ps.add("voice.device", "%q has spaces or control characters; an ALSA device name has none (aplay -L lists them)", v.Device)
	}
}

func (u Update) validate(ps *problems) {
	if !u.Enabled {
		return
	}
	if _, err := maintwindow.Parse(u.Window); err != nil {
		ps.add("update.window", "%v; local time, may cross midnight (\"23:30-04:00\"), default \"02:00-05:00\"", err)
	}
	// Often enough that an assigned release reaches a station the same
	// day; seldom enough not to load a province's hub.
	ps.durationRange("update.check_interval", u.CheckInterval, "5m", "24h")
	ps.intRange("update.trial_minutes", u.TrialMinutes, 1, 60)
	if u.USBRoot != "" && !filepath.IsAbs(u.USBRoot) {
		ps.add("update.usb_root", "%q must be an absolute path (default \"/media/gridkiosk-usb\"), or empty for no USB sticks", u.USBRoot)
	}
	if !filepath.IsAbs(u.VersionFile) {
		ps.add("update.version_file", "%q must be an absolute path (default \"/usr/lib/gridkiosk/system-version\")", u.VersionFile)
	}
}

package config

import (
	"errors"
	"strings"
	"testing"
)

// station is a valid [station] section of 7 lines. Cases append to it, so
// their own lines start at 8.
const station = `[station]
id = "141029-xfw-01"
name = "幸福湾社区党群服务站"
[station.grid]
county = "141029"
township = "141029100"
community = "141029100001"
`

// stationWith is station with one line replaced.
func stationWith(old, new string) string {
	if !strings.Contains(station, old) {
		panic("stationWith: no " + old)
	}
	return strings.Replace(station, old, new, 1)
}

type parseCase struct {
	name string
	doc  string
	key  string
	line int
	msg  string
	n    int // number of errors, when not 1
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc), "test.toml")
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			assertError(t, err, tt.key, tt.line, tt.msg)
			want := max(tt.n, 1)
			if got := len(errorsOf(t, err)); got != want {
				t.Errorf("got %d errors, want %d:\n%v", got, want, err)
			}
			for _, e := range errorsOf(t, err) {
				if e.File != "test.toml" {
					t.Errorf("error %q does not name the file", e)
				}
			}
		})
	}
}

func TestStationRules(t *testing.T) {
	runParseCases(t, []parseCase{
		{"station.id missing", stationWith(`id = "141029-xfw-01"`, "# no id"),
			"station.id", 1, "is required", 0},
		{"station.id empty", stationWith(`id = "141029-xfw-01"`, `id = ""`),
			"station.id", 2, "is required", 0},
		{"station.id characters", stationWith(`id = "141029-xfw-01"`, `id = "141029_XFW"`),
			"station.id", 2, "3-64 characters of a-z, 0-9 and '-'", 0},
		{"station.id short", stationWith(`id = "141029-xfw-01"`, `id = "ab"`),
			"station.id", 2, "3-64", 0},
		{"station.id long", stationWith(`id = "141029-xfw-01"`, `id = "`+strings.Repeat("a", 65)+`"`),
			"station.id", 2, "3-64", 0},
		{"station table absent", "[ui]\nlanguage = \"en\"\n",
			"station.name", 0, "is required", 3},
		{"station.name blank", stationWith(`name = "幸福湾社区党群服务站"`, `name = "  "`),
			"station.name", 3, "is required", 0},
		{"station.name long", stationWith(`name = "幸福湾社区党群服务站"`, `name = "`+strings.Repeat("站", 65)+`"`),
			"station.name", 3, "at most 64", 0},
		{"grid county missing", stationWith(`county = "141029"`, "# no county"),
			"station.grid.county", 4, "is required", 0},
		{"grid table absent", "[station]\nid = \"abc\"\nname = \"x\"\n",
			"station.grid.county", 0, "is required", 0},
		{"grid township digits", stationWith(`township = "141029100"`, `township = "14102910"`),
			"station.grid.township", 6, "must be 9 digits", 0},
		{"grid community outside", stationWith(`community = "141029100001"`, `community = "141029200001"`),
			"station.grid.community", 7, "does not lie inside", 0},
	})
}

func TestUpstreamStorageRules(t *testing.T) {
	runParseCases(t, []parseCase{
		{"upstream.url scheme", station + "[upstream]\nurl = \"ftp://hub.example.org\"\ntoken_file = \"t\"\n",
			"upstream.url", 9, "http or https URL", 0},
		{"upstream.url host", station + "[upstream]\nurl = \"https:///hub\"\ntoken_file = \"t\"\n",
			"upstream.url", 9, "with a host", 0},
		{"upstream.token_file", station + "[upstream]\nurl = \"https://hub.example.org\"\n",
			"upstream.token_file", 8, "is required when upstream.url is set", 0},
		{"upstream.batch_size low", station + "[upstream]\nbatch_size = 0\n",
			"upstream.batch_size", 9, "allowed 1..1000", 0},
		{"upstream.batch_size high", station + "[upstream]\nbatch_size = 1001\n",
			"upstream.batch_size", 9, "1001 is out of range; allowed 1..1000", 0},
		{"upstream.timeout low", station + "[upstream]\ntimeout = \"500ms\"\n",
			"upstream.timeout", 9, `"500ms" is out of range; allowed 1s..5m`, 0},
		{"upstream.timeout high", station + "[upstream]\ntimeout = \"6m\"\n",
			"upstream.timeout", 9, `"6m" is out of range; allowed 1s..5m`, 0},
		{"upstream.retry_max high", station + "[upstream]\nretry_max = \"2h\"\n",
			"upstream.retry_max", 9, `"2h" is out of range; allowed 1s..1h`, 0},
		{"health.interval low", station + "[health]\ninterval = \"10s\"\n",
			"health.interval", 9, `"10s" is out of range; allowed 30s..15m`, 0},
		{"health.interval high", station + "[health]\ninterval = \"1h\"\n",
			"health.interval", 9, `"1h" is out of range; allowed 30s..15m`, 0},

		{"storage.dir relative", station + "[storage]\ndir = \"var/lib/gridkiosk\"\n",
			"storage.dir", 9, "not an absolute path", 0},
		{"storage.dir empty", station + "[storage]\ndir = \"\"\n",
			"storage.dir", 9, "is required", 0},
		{"storage.retention_days low", station + "[storage]\nretention_days = 0\n",
			"storage.retention_days", 9, "allowed 1..3650", 0},
		{"storage.retention_days high", station + "[storage]\nretention_days = 3651\n",
			"storage.retention_days", 9, "allowed 1..3650", 0},
	})
}

func TestAdminRules(t *testing.T) {
	runParseCases(t, []parseCase{
		{"admin.listen public", station + "[admin]\nlisten = \"0.0.0.0:8765\"\n",
			"admin.listen", 9, "must be a loopback address (127.0.0.0/8, ::1 or localhost)", 0},
		{"admin.listen any", station + "[admin]\nlisten = \":8765\"\n",
			"admin.listen", 9, "loopback", 0},
		{"admin.listen name", station + "[admin]\nlisten = \"kiosk.local:8765\"\n",
			"admin.listen", 9, "loopback", 0},
		{"admin.listen no port", station + "[admin]\nlisten = \"localhost\"\n",
			"admin.listen", 9, "not host:port", 0},
		{"admin.listen bad port", station + "[admin]\nlisten = \"[::1]:99999\"\n",
			"admin.listen", 9, "port must be a number 1..65535", 0},
		{"admin.listen empty", station + "[admin]\nlisten = \"\"\n",
			"admin.listen", 9, "is required", 0},
	})
}

func TestDeviceRules(t *testing.T) {
	runParseCases(t, []parseCase{
		{"idcard baud", station + "[devices.idcard]\nport = \"/dev/gridkiosk/idcard\"\nbaud = 12345\n",
			"devices.idcard.baud", 10, "12345 is not a standard baud rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)", 0},
		{"idcard port relative", station + "[devices.idcard]\nport = \"ttyUSB0\"\n",
			"devices.idcard.port", 9, "not an absolute device path", 0},
		{"scanner baud zero", station + "[devices.scanner]\nport = \"/dev/ttyACM0\"\nbaud = 0\n",
			"devices.scanner.baud", 10, "not a standard baud rate", 0},
		{"scanner baud without port", station + "[devices.scanner]\nbaud = 9601\n",
			"devices.scanner.baud", 9, "not a standard baud rate", 0},
		{"scanner trigger", station + "[devices.scanner]\nport = \"/dev/ttyACM0\"\nbaud = 9600\ntrigger = \"zebra\"\n",
			"devices.scanner.trigger", 11, `use "honeywell", "gm65"`, 0},
		{"scanner suffix", station + "[devices.scanner]\nport = \"/dev/ttyACM0\"\nsuffix = \"CR LF\"\n",
			"devices.scanner.suffix", 10, `"CR LF" is not a suffix: use "cr", "lf", "crlf", "none" or ""`, 0},
		{"printer port and usb", station + "[devices.printer]\nport = \"/dev/ttyS0\"\nusb = \"/dev/usb/lp0\"\n",
			"devices.printer.usb", 10, "cannot be set together with devices.printer.port; set only one of port, usb, tcp", 0},
		{"printer usb and tcp", station + "[devices.printer]\nusb = \"/dev/usb/lp0\"\ntcp = \"10.0.0.5:9100\"\n",
			"devices.printer.tcp", 10, "devices.printer.usb", 0},
		{"printer usb relative", station + "[devices.printer]\nusb = \"lp0\"\n",
			"devices.printer.usb", 9, `not an absolute device path (e.g. "/dev/usb/lp0")`, 0},
		{"printer tcp no port", station + "[devices.printer]\ntcp = \"printer.local\"\n",
			"devices.printer.tcp", 9, "not host:port", 0},
		{"printer tcp no host", station + "[devices.printer]\ntcp = \":9100\"\n",
			"devices.printer.tcp", 9, "not host:port", 0},
		{"printer baud", station + "[devices.printer]\nport = \"/dev/ttyS0\"\nbaud = 100\n",
			"devices.printer.baud", 10, "not a standard baud rate", 0},
		{"printer paper", station + "[devices.printer]\ntcp = \"10.0.0.5:9100\"\npaper = \"76mm\"\n",
			"devices.printer.paper", 10, `use "58mm" or "80mm"`, 0},
	})
}

func TestGPIOAndUIRules(t *testing.T) {
	runParseCases(t, []parseCase{
		{"gpio shared pin", station + "[gpio]\nbutton_help = \"GPIO17\"\nled_ready = \"GPIO27\"\nrelay = \"GPIO17\"\n",
			"gpio.relay", 11, `pin "GPIO17" is already used by gpio.button_help`, 0},
		{"gpio space", station + "[gpio]\nbuzzer = \"GPIO 22\"\n",
			"gpio.buzzer", 9, "not a pin name", 0},

		{"ui.language", station + "[ui]\nlanguage = \"zh-TW\"\n",
			"ui.language", 9, `use "zh-CN" or "en"`, 0},
		{"ui.idle_timeout low", station + "[ui]\nidle_timeout = \"5s\"\n",
			"ui.idle_timeout", 9, "allowed 10s..30m", 0},
		{"ui.idle_timeout high", station + "[ui]\nidle_timeout = \"1h\"\n",
			"ui.idle_timeout", 9, `"1h" is out of range; allowed 10s..30m`, 0},
		{"ui.panel_inches small", station + "[ui]\npanel_inches = 0.7\n",
			"ui.panel_inches", 9, "0.7 is out of range; allowed 5..65 (the screen's diagonal in inches", 0},
		{"ui.panel_inches centimetres of a floor terminal", station + "[ui]\nlanguage = \"en\"\npanel_inches = 81\n",
			"ui.panel_inches", 10, "81 is out of range; allowed 5..65", 0},
		{"ui.panel_inches negative", station + "[ui]\npanel_inches = -7\n",
			"ui.panel_inches", 9, "-7 is out of range", 0},
	})
}

func TestTypeErrors(t *testing.T) {
	runParseCases(t, []parseCase{
		{"integer as string", station + "[devices.idcard]\nbaud = \"fast\"\n",
			"devices.idcard.baud", 9, "must be an integer, not a string", 0},
		{"integer as float", station + "[upstream]\nbatch_size = 1.5\n",
			"upstream.batch_size", 9, "must be an integer, not a float", 0},
		{"number as string", station + "[ui]\npanel_inches = \"10.1\"\n",
			"ui.panel_inches", 9, "must be a number such as 10.1, not a string", 0},
		{"bool as string", station + "[ui]\nfullscreen = \"yes\"\n",
			"ui.fullscreen", 9, "must be true or false, not a string", 0},
		{"duration as integer", station + "[upstream]\ntimeout = 15\n",
			"upstream.timeout", 9, `must be a duration string such as "15s", not an integer`, 0},
		{"duration unparsable", station + "[ui]\nidle_timeout = \"soon\"\n",
			"ui.idle_timeout", 9, `"soon" is not a duration`, 0},
		{"string as integer", stationWith(`id = "141029-xfw-01"`, "id = 141029"),
			"station.id", 2, "must be a string, not an integer", 0},
		{"string as array", station + "[ui]\nlanguage = [\"en\"]\n",
			"ui.language", 9, "must be a string, not an array", 0},
		{"string as date", station + "[ui]\nlanguage = 2024-01-01\n",
			"ui.language", 9, "must be a string, not a date", 0},
		{"table as value", "ui = 5\n" + station,
			"ui", 1, "must be a table, not an integer", 0},
		{"value as table", station + "[ui.language]\nen = true\n",
			"ui.language", 8, "must be a string, not a table", 0},
		{"dotted key through value", station + "[ui]\nlanguage.name = \"en\"\n",
			"ui.language", 9, "must be a string, not a table", 0},
		{"array of tables", station + "[[ui]]\nlanguage = \"en\"\n",
			"ui", 8, "must be a table, not an array of tables", 0},
		{"inside inline table", "[station]\nid = \"abc\"\nname = \"x\"\ngrid = { county = 141029 }\n",
			"station.grid.county", 4, "must be a string, not an integer", 0},
		{"inside multi-line inline table", station + "[devices]\nscanner = {\n  port = \"/dev/ttyACM0\",\n  baud = \"fast\",\n}\n",
			"devices.scanner.baud", 11, "must be an integer, not a string", 0},
		{"integer too large", station + "[storage]\nretention_days = 99999999999999999999\n",
			"storage.retention_days", 9, "too large", 0},
	})
}

func TestUnknownKeys(t *testing.T) {
	runParseCases(t, []parseCase{
		{"typo", station + "[devices.idcard]\nport = \"/dev/ttyUSB0\"\nbuad = 115200\n",
			"devices.idcard.buad", 10, `unknown key (did you mean "devices.idcard.baud"?)`, 0},
		{"typo in table", station + "[device.idcard]\nport = \"/dev/ttyUSB0\"\n",
			"device.idcard", 8, `unknown key (did you mean "devices.idcard"?)`, 0},
		{"other table", station + "[devices.scanner]\npaper = \"80mm\"\n",
			"devices.scanner.paper", 9, `unknown key (did you mean "devices.printer.paper"?)`, 0},
		{"other table, top", station + "[upstream]\nretention_days = 10\n",
			"upstream.retention_days", 9, `(did you mean "storage.retention_days"?)`, 0},
		{"case", station + "[UI]\nlanguage = \"en\"\n",
			"UI", 8, `unknown key (did you mean "ui"? keys are case-sensitive)`, 0},
		{"case of key", station + "[ui]\nLanguage = \"en\"\n",
			"ui.Language", 9, `(did you mean "ui.language"?`, 0},
		{"no suggestion", station + "[ui]\ncolour = \"red\"\n",
			"ui.colour", 9, "unknown key (allowed in [ui]: language, fullscreen, idle_timeout, panel_inches)", 0},
		{"ambiguous", station + "[ui]\nport = \"/dev/ttyUSB0\"\n",
			"ui.port", 9, "unknown key (allowed in [ui]:", 0},
		{"unknown table", station + "[camera]\nport = \"/dev/video0\"\n",
			"camera", 8, "unknown key (allowed tables: station, upstream, health, storage, admin, devices, gpio, ui, voice, update)", 0},
		{"inside inline table", station + "[devices]\nscanner = { port = \"/dev/ttyACM0\", speed = 9600 }\n",
			"devices.scanner.speed", 9, "unknown key (allowed in [devices.scanner]: port, baud, trigger, suffix)", 0},
		{"short key", station + "x = 1\n",
			"station.grid.x", 8, "unknown key (allowed in [station.grid]: county, township,", 0},
		{"unknown dotted key", station + "[devices]\nidcard.speed = 9600\n",
			"devices.idcard.speed", 9, "unknown key (allowed in [devices.idcard]: port, baud)", 0},
	})
}

func TestDecodeErrors(t *testing.T) {
	runParseCases(t, []parseCase{
		{"duplicate key", station + "[ui]\nlanguage = \"en\"\nlanguage = \"zh-CN\"\n",
			"ui.language", 10, "already defined (first written on line 9)", 0},
		{"duplicate table", station + "[ui]\nlanguage = \"en\"\n[ui]\nfullscreen = false\n",
			"ui", 10, "(first written on line 8)", 0},
		{"syntax: missing value", stationWith(`id = "141029-xfw-01"`, "id = "),
			"", 2, "invalid TOML: ", 0},
		{"syntax: unterminated string", station + "[ui]\nlanguage = \"en\n",
			"", 9, "invalid TOML: ", 0},
		{"syntax: table header", station + "[ui\n",
			"", 8, "invalid TOML: expected ']'", 0},
	})
}

// TestManyErrors checks that one Parse reports every kind of problem at
// once, in line order.
func TestManyErrors(t *testing.T) {
	doc := `[station]
name = "幸福湾社区党群服务站"
[station.grid]
county = "141029"
[devices.idcard]
port = "/dev/gridkiosk/idcard"
buad = 9600
baud = "fast"
[devices.printer]
port = "/dev/ttyS0"
tcp = "10.0.0.5:9100"
paper = "76mm"
[ui]
language = "en"
language = "zh-CN"
idle_timeout = "1s"
[gpio]
led_ready = "GPIO5"
led_busy = "GPIO5"
`
	_, err := Parse([]byte(doc), "many.toml")
	want := []struct {
		key  string
		line int
	}{
		{"station.id", 1},
		{"devices.idcard.buad", 7},
		{"devices.idcard.baud", 8},
		{"devices.printer.tcp", 11},
		{"devices.printer.paper", 12},
		{"ui.language", 15},
		{"ui.idle_timeout", 16},
		{"gpio.led_busy", 19},
	}
	errs := errorsOf(t, err)
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		if errs[i].Key != w.key || errs[i].Line != w.line {
			t.Errorf("error %d = %q, want key %s on line %d", i, errs[i], w.key, w.line)
		}
	}
}

func TestValid(t *testing.T) {
	for name, extra := range map[string]string{
		"nothing":        "",
		"loopback v4":    "[admin]\nlisten = \"127.0.0.2:8765\"\n",
		"loopback v6":    "[admin]\nlisten = \"[::1]:8765\"\n",
		"localhost":      "[admin]\nlisten = \"localhost:8765\"\n",
		"no upstream":    "[upstream]\nurl = \"\"\n",
		"relative token": "[upstream]\nurl = \"https://10.1.2.3:8443/hub\"\ntoken_file = \"upstream.token\"\n",
		"usb printer":    "[devices.printer]\nusb = \"/dev/usb/lp0\"\npaper = \"80mm\"\n",
		"tcp printer":    "[devices.printer]\ntcp = \"[fd00::5]:9100\"\n",
		"dotted keys":    "[devices]\nidcard.port = \"/dev/ttyUSB0\"\nidcard.baud = 9600\n",
		"inline table":   "[devices]\nscanner = { port = \"/dev/ttyACM0\", baud = 115200 }\n",
		"english":        "[ui]\nlanguage = \"en\"\nfullscreen = false\nidle_timeout = \"30m\"\n",
		"pins":           "[gpio]\nbutton_help = \"GPIO17\"\nled_ready = \"GPIO27\"\n",
		"panel 10.1":     "[ui]\npanel_inches = 10.1\n",
		"panel 7":        "[ui]\npanel_inches = 7\n",
		"panel derived":  "[ui]\npanel_inches = 0\n",
	} {
		if _, err := Parse([]byte(station+extra), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The panel's diagonal reads as written, integer or not; unset is 0,
// which the screens derive from the resolution.
func TestPanelInches(t *testing.T) {
	for _, tc := range []struct {
		extra string
		want  float64
	}{{"", 0}, {"[ui]\npanel_inches = 10.1\n", 10.1}, {"[ui]\npanel_inches = 7\n", 7}, {"[ui]\npanel_inches = 21.5\n", 21.5}} {
		c, err := Parse([]byte(station+tc.extra), "test.toml")
		if err != nil {
			t.Fatalf("%q: %v", tc.extra, err)
		}
		if c.UI.PanelInches != tc.want {
			t.Errorf("%q: panel_inches %v, want %v", tc.extra, c.UI.PanelInches, tc.want)
		}
	}
}

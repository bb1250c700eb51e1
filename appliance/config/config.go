// Package config loads and checks the station's TOML configuration: which
// station this is and where in the grid it sits, where records go upstream,
// where they are kept locally, and which devices, pins and screen settings
// the kiosk uses.
//
// The file's keys are a contract with the technicians and provisioning tools
// that write it, so Parse rejects keys it does not know rather than ignoring
// them, and every problem it finds is reported as an *Error that names the
// file, line and key, says what is wrong and what is allowed. Parse reports
// all the problems it can find at once, joined with errors.Join, so that a
// technician can fix a file in one pass.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/pelletier/go-toml/v2"
)

// DefaultPath is where the appliance looks for its configuration.
const DefaultPath = "/etc/gridkiosk/gridkiosk.toml"

// Config is the whole configuration file. The TOML names are part of the
// config contract.
type Config struct {
	Station  Station  `toml:"station"`
	Upstream Upstream `toml:"upstream"`
	Health   Health   `toml:"health"`
	Storage  Storage  `toml:"storage"`
	Admin    Admin    `toml:"admin"`
	Devices  Devices  `toml:"devices"`
	GPIO     GPIO     `toml:"gpio"`
	UI       UI       `toml:"ui"`
	Voice    Voice    `toml:"voice"`
	Update   Update   `toml:"update"`
}

// Station identifies the kiosk to residents and to the county hub.
type Station struct {
	ID   string `toml:"id"`
	Name string `toml:"name"`
	// Grid is the station's own cell. Records that do not say where they
	// belong are filed here.
	Grid grid.Path `toml:"grid"`
	// StaffDesk says where residents find staff in person, for the
	// screens that send them there (help, a declined notice): "服务台在进门右手边"
	// or "中文 / English". Empty: the screens say only "the service desk".
	StaffDesk string `toml:"staff_desk"`
	// ReceiptSlot says where the printed receipt comes out, for the done
	// screen. Empty: "the printer's slot below the screen".
	ReceiptSlot string `toml:"receipt_slot"`
}

// Upstream is the county hub that the outbox forwards records to.
type Upstream struct {
	// URL is empty when the station has no upstream; records then stay
	// queued locally until one is configured.
	URL string `toml:"url"`
	// TokenFile holds the hub's access token. The token lives in its own
	// file so that the config can be shown and copied without leaking it.
	TokenFile string   `toml:"token_file"`
	BatchSize int      `toml:"batch_size"`
	Timeout   Duration `toml:"timeout"`
	// RetryMax caps the wait between attempts while the hub is
	// unreachable. A shorter cap finds a returning hub sooner at the cost
	// of more attempts on a dead line.
	RetryMax Duration `toml:"retry_max"`
	// CAFile is a PEM bundle of the CA certificates that sign the hub's
	// certificate on a county network with its own CA. CAMode says whether
	// they are trusted besides the system's roots ("add") or instead of
	// them ("replace").
	CAFile string `toml:"ca_file"`
	CAMode string `toml:"ca_mode"`
	// PinSHA256 are SPKI pins: base64 SHA-256 digests of a public key in
	// the hub's verified chain, one of which must match. More than one
	// lets a hub change its key without stranding the stations.
	PinSHA256 []string `toml:"pin_sha256"`
	// InsecureHTTP must be set to send records over plain http:// to a
	// host that is not this machine, so that nobody does so by accident.
	InsecureHTTP bool `toml:"insecure_http"`
}

// Storage is where the station keeps its records.
type Storage struct {
	Dir string `toml:"dir"`
	// RetentionDays is how long delivered records are kept before they are
	// purged, so that a receipt can still be reprinted or a record checked
	// after the hub has it.
	RetentionDays int `toml:"retention_days"`
	// MaxMB caps the space records take; 0 means only the disk limits
	// it. MinFreeMB is the space the station leaves free on the disk.
	// Past either, new records are refused; stored ones are never evicted.
	MaxMB     int `toml:"max_mb"`
	MinFreeMB int `toml:"min_free_mb"`
}

// Admin is the local administration API used by the technician tools.
type Admin struct {
	// Listen must be a loopback address: the admin API has no
	// authentication of its own and must not be reachable from the network.
	Listen string `toml:"listen"`
}

// Devices are the peripherals attached to the kiosk.
type Devices struct {
	IDCard  Serial  `toml:"idcard"`
	Scanner Scanner `toml:"scanner"`
	Printer Printer `toml:"printer"`
}

// Serial is a device on a serial port. A device without a port is absent.
type Serial struct {
	Port string `toml:"port"`
	Baud int    `toml:"baud"`
}

// Present reports whether the device is configured.
func (d Serial) Present() bool { return d.Port != "" }

// Scanner is the QR code scanner: a serial device that may be told when
// to read.
type Scanner struct {
	Port string `toml:"port"`
	Baud int    `toml:"baud"`
	// Trigger is the command set of a scanner that reads only when told
	// ("honeywell" or "gm65"); empty for one that reads whatever it sees.
	Trigger string `toml:"trigger"`
	// Suffix is what the scanner is set to end each code with: "cr",
	// "lf" or "crlf" (only that ends a code), "none" (a pause ends it),
	// or "" to learn it from the first code.
	Suffix string `toml:"suffix"`
}

// Present reports whether the scanner is configured.
func (d Scanner) Present() bool { return d.Port != "" }

// Printer is the receipt printer. It is attached by at most one of a serial
// port, a USB printer device or a network address; with none it is absent.
type Printer struct {
	Port  string `toml:"port"`
	USB   string `toml:"usb"`
	TCP   string `toml:"tcp"`
	Baud  int    `toml:"baud"`
	Paper string `toml:"paper"`
	// Confirm is how the printer tells a job has printed: "gs-r",
	// "esc-v", "process-id" or "none" ("" is "gs-r").
	Confirm string `toml:"confirm"`
	// ASB: the printer sends its status on every change (GS a).
	ASB bool `toml:"asb"`
	// Speed is the fewest bytes a second the printer prints; 0 is 1000.
	Speed int `toml:"bytes_per_second"`
}

// Present reports whether the printer is configured.
func (p Printer) Present() bool { return p.Port != "" || p.USB != "" || p.TCP != "" }

// GPIO assigns the kiosk's buttons, lamps and switches to pins, named as
// periph's gpioreg knows them (e.g. "GPIO17"). An empty name means the
// station has no such function.
type GPIO struct {
	ButtonHelp   string `toml:"button_help"`
	ButtonTech   string `toml:"button_tech"`
	LEDReady     string `toml:"led_ready"`
	LEDOffline   string `toml:"led_offline"`
	LEDAttention string `toml:"led_attention"`
	LEDBusy      string `toml:"led_busy"`
	Buzzer       string `toml:"buzzer"`
	Presence     string `toml:"presence"`
	Relay        string `toml:"relay"`
}

// UI is the touchscreen's behaviour.
type UI struct {
	Language   string `toml:"language"`
	Fullscreen bool   `toml:"fullscreen"`
	// IdleTimeout returns the screen to its start page, so that the next
	// resident does not see the previous one's session.
	IdleTimeout Duration `toml:"idle_timeout"`
	// PanelInches is the touchscreen's diagonal, from which the screens
	// size their type and buttons in millimetres. 0 derives it from the
	// resolution (ui/mm.DefaultInches: 800×480 7", 1280×800 10.1",
	// 1920×1080 21.5").
	PanelInches float64 `toml:"panel_inches"`
}

// Voice is the kiosk's spoken prompts.
type Voice struct {
	Enabled bool `toml:"enabled"`
	// PackDir is the voice pack: a manifest.json and a WAV file per
	// prompt (drivers/voice). Without it the kiosk runs silent and its
	// health report says why.
	PackDir string `toml:"pack_dir"`
	// Device is the ALSA PCM the prompts are played to (aplay -D).
	Device string `toml:"device"`
}

// Update is the station's system updates (appliance/update): RAUC
// bundles from the hub or a USB stick, installed to the other root slot.
type Update struct {
	// Enabled lets the station fetch and install updates. A machine
	// without RAUC or without VersionFile (a developer's) never does.
	Enabled bool `toml:"enabled"`
	// Window is when an installed update may reboot the station, local
	// time, "HH:MM-HH:MM"; it may cross midnight.
	Window string `toml:"window"`
	// CheckInterval is how often the hub is asked for a release.
	CheckInterval Duration `toml:"check_interval"`
	// USBRoot holds a directory per mounted USB stick, searched for
	// gridkiosk/update/*.raucb.
	USBRoot string `toml:"usb_root"`
	// TrialMinutes is how long a newly booted slot has to become healthy
	// before the image's trial unit marks it bad and boots the old one.
	TrialMinutes int `toml:"trial_minutes"`
	// VersionFile holds the running system's version, written by the
	// image.
	VersionFile string `toml:"version_file"`
}

// DefaultVoicePack is where the appliance keeps the default voice pack.
const DefaultVoicePack = "/usr/share/gridkiosk/voice"

// Duration is a time.Duration written in TOML as a string such as "15s" or
// "5m", which reads better in a config file than a count of nanoseconds.
type Duration struct {
	time.Duration
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf(`%q is not a duration; write a number with a unit, e.g. "90s" or "5m"`, text)
	}
	d.Duration = v
	return nil
}

// Health is the station's health report to the hub (wire.Health).
type Health struct {
	// Interval is how often the report goes when nothing changes; a
	// device that changes state is reported at once.
	Interval Duration `toml:"interval"`
}

// Default returns the configuration with every default filled in. The
// station's id, name and grid have no sensible default and are left empty.
func Default() Config {
	return Config{
		Upstream: Upstream{BatchSize: 100, Timeout: Duration{15 * time.Second}, RetryMax: Duration{5 * time.Minute}, CAMode: "add"},
		Health:   Health{Interval: Duration{5 * time.Minute}},
		Storage:  Storage{Dir: "/var/lib/gridkiosk", RetentionDays: 30, MinFreeMB: 64},
		Admin:    Admin{Listen: "127.0.0.1:8765"},
		Devices: Devices{
			IDCard:  Serial{Baud: 115200},
			Scanner: Scanner{Baud: 9600},
			Printer: Printer{Baud: 115200, Paper: "58mm", Confirm: "gs-r"},
		},
		UI:    UI{Language: "zh-CN", Fullscreen: true, IdleTimeout: Duration{90 * time.Second}},
		Voice: Voice{Enabled: true, PackDir: DefaultVoicePack, Device: "default"},
		Update: Update{Enabled: true, Window: "02:00-05:00", CheckInterval: Duration{time.Hour},
			USBRoot: "/media/gridkiosk-usb", TrialMinutes: 5, VersionFile: "/usr/lib/gridkiosk/system-version"},
	}
}

// Load reads the configuration file at path and parses it. A relative
// upstream.token_file or upstream.ca_file is taken relative to the file's
// directory, so that a config and its token and CA can be provisioned
// together anywhere.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &readError{path: path, err: err}
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	c.Upstream.TokenFile = beside(path, c.Upstream.TokenFile)
	c.Upstream.CAFile = beside(path, c.Upstream.CAFile)
	return c, nil
}

// beside resolves a relative file name against the directory of the config
// file at path.
func beside(path, name string) string {
	if name == "" || filepath.IsAbs(name) {
		return name
	}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, name)
}

// readError says which config file could not be read, without repeating
// the path that the underlying *fs.PathError also carries.
type readError struct {
	path string
	err  error
}

func (e *readError) Error() string {
	cause := e.err
	var pe *fs.PathError
	if errors.As(cause, &pe) {
		cause = pe.Err
	}
	return e.path + ": cannot read config file: " + cause.Error()
}

func (e *readError) Unwrap() error { return e.err }

// Parse decodes and checks a configuration file. Name is the file's name as
// it should appear in messages. A relative upstream.token_file or
// upstream.ca_file is returned as written; Load resolves it.
//
// On failure Parse returns every problem it found, each an *Error, joined
// with errors.Join and ordered by line.
func Parse(data []byte, name string) (*Config, error) {
	// Parse works on its own copy whose capacity equals its length: the
	// positions of parser errors are recovered from slice capacities, and
	// bad expressions are blanked out of the copy before decoding again.
	src := make([]byte, len(data))
	copy(src, data)
	// Editors on Windows, which provisioning laptops run, like to start
	// UTF-8 files with a byte order mark, which TOML does not allow.
	if bytes.HasPrefix(src, []byte("\uFEFF")) {
		copy(src, "   ")
	}

	sc := newSchema()
	doc, synErr := scan(src, sc)
	if synErr != nil {
		synErr.File = name
		return nil, errors.Join(synErr)
	}
	p := &parse{src: src, doc: doc, sc: sc}
	for _, f := range doc.findings {
		p.errs = append(p.errs, f.err)
		p.drop(f.span)
	}
	if cfg, ok := p.decode(); ok {
		// "pin_sha256 = []" and no pins at all are the same config.
		if len(cfg.Upstream.PinSHA256) == 0 {
			cfg.Upstream.PinSHA256 = nil
		}
		for _, e := range validationErrors(cfg.Validate()) {
			if !under(e.Key, p.dropped) {
				e.Line = doc.line(e.Key)
				p.errs = append(p.errs, e)
			}
		}
		if len(p.errs) == 0 {
			return &cfg, nil
		}
	}
	slices.SortStableFunc(p.errs, func(a, b *Error) int { return a.Line - b.Line })
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		e.File = name
		errs[i] = e
	}
	return nil, errors.Join(errs...)
}

// parse is the state of one call to Parse.
type parse struct {
	src     []byte
	doc     *document
	sc      *schema
	errs    []*Error
	dropped []string // keys of the expressions blanked out of src
}

func (p *parse) drop(span int) {
	p.doc.blank(p.src, span)
	p.dropped = append(p.dropped, p.doc.spans[span].key)
}

// decode decodes src into a Config that starts from Default. go-toml stops
// at the first bad value, so each time it does, the expression holding the
// value is dropped and decoding starts again, until the rest decodes. It
// reports false when it had to give up, leaving a Config too incomplete to
// be worth validating.
func (p *parse) decode() (Config, bool) {
	// Each round drops a span that was not dropped before, which bounds
	// the rounds.
	for range len(p.doc.spans) + 1 {
		cfg := Default()
		err := toml.NewDecoder(bytes.NewReader(p.src)).DisallowUnknownFields().Decode(&cfg)
		if err == nil {
			return cfg, true
		}
		var missing *toml.StrictMissingError
		if errors.As(err, &missing) {
			for i := range missing.Errors {
				p.errs = append(p.errs, p.doc.unknownKey(&missing.Errors[i], p.sc))
			}
			return cfg, true
		}
		e, span := p.doc.decodeError(err)
		p.errs = append(p.errs, e)
		if span < 0 || p.doc.isBlank(span) {
			break
		}
		p.drop(span)
	}
	return Config{}, false
}

// under reports whether key is one of keys or lies inside one of them.
func under(key string, keys []string) bool {
	for _, k := range keys {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// validationErrors flattens what Validate returns into its *Errors.
func validationErrors(err error) []*Error {
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]*Error, 0, len(list))
	for _, e := range list {
		var ce *Error
		if !errors.As(e, &ce) {
			ce = &Error{Msg: e.Error()}
		}
		out = append(out, ce)
	}
	return out
}

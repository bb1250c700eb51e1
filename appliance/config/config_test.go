package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/pelletier/go-toml/v2"
)

// exampleConfig is what Example says.
func exampleConfig() Config {
	c := Default()
	c.Station = Station{
		ID:   "141029-xfw-01",
		Name: "幸福湾社区党群服务站",
		Grid: grid.Path{County: "141029", Township: "141029100", Community: "141029100001"},
	}
	c.Upstream.URL = "https://hub.example.org"
	c.Upstream.TokenFile = "/etc/gridkiosk/upstream.token"
	c.Devices.IDCard.Port = "/dev/gridkiosk/idcard"
	c.Devices.Scanner.Port = "/dev/gridkiosk/scanner"
	c.Devices.Printer.Port = "/dev/gridkiosk/printer"
	return c
}

func TestExample(t *testing.T) {
	c, err := Parse([]byte(Example()), "example.toml")
	if err != nil {
		t.Fatalf("Parse(Example()): %v", err)
	}
	if want := exampleConfig(); !reflect.DeepEqual(*c, want) {
		t.Errorf("Parse(Example()) =\n%+v\nwant\n%+v", *c, want)
	}

	// Every key of the contract is shown, so that the example documents
	// all of them.
	sc := newSchema()
	doc, synErr := scan([]byte(Example()), sc)
	if synErr != nil {
		t.Fatal(synErr)
	}
	for _, k := range sc.keys {
		if doc.defined[k] == 0 && doc.implied[k] == 0 {
			t.Errorf("Example lacks key %s", k)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	want := exampleConfig()
	want.Upstream.Timeout = Duration{90 * time.Second}
	want.UI.Fullscreen = false
	want.GPIO.ButtonHelp = "GPIO17"
	data, err := toml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data, "marshalled.toml")
	if err != nil {
		t.Fatalf("Parse(Marshal(c)): %v\n%s", err, data)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("round trip =\n%+v\nwant\n%+v", *got, want)
	}
}

func TestExampleLineEndings(t *testing.T) {
	for name, data := range map[string]string{
		"CRLF": strings.ReplaceAll(Example(), "\n", "\r\n"),
		"BOM":  "\uFEFF" + Example(),
	} {
		c, err := Parse([]byte(data), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if want := exampleConfig(); !reflect.DeepEqual(*c, want) {
			t.Errorf("%s: got %+v", name, *c)
		}
	}
	bad := strings.ReplaceAll(station+"[ui]\nlanguage = \"fr\"\n", "\n", "\r\n")
	_, err := Parse([]byte(bad), "crlf.toml")
	assertError(t, err, "ui.language", 9, `"fr" is not a supported language`)
}

func TestDefault(t *testing.T) {
	c := Default()
	var keys []string
	for _, e := range errorsOf(t, c.Validate()) {
		keys = append(keys, e.Key)
		if e.File != "" || e.Line != 0 {
			t.Errorf("Validate error %q has a file or line", e)
		}
	}
	want := []string{"station.id", "station.name", "station.grid.county"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("Default().Validate() keys = %q, want %q", keys, want)
	}

	c.Station = exampleConfig().Station
	if err := c.Validate(); err != nil {
		t.Errorf("Default() with a station: %v", err)
	}
	// Tools that build a Config in code may leave absent devices zero.
	c.Devices = Devices{}
	if err := c.Validate(); err != nil {
		t.Errorf("Default() without devices: %v", err)
	}
}

// TestValidateKeys checks that every key Validate names is a key of the
// file, since Parse finds lines by key.
func TestValidateKeys(t *testing.T) {
	c := Config{
		Station:  Station{ID: "X", Name: strings.Repeat("x", 65), Grid: grid.Path{County: "1"}},
		Upstream: Upstream{URL: "ftp://x"},
		Storage:  Storage{Dir: "rel"},
		Admin:    Admin{Listen: "0.0.0.0:0"},
		Devices: Devices{
			IDCard:  Serial{Port: "rel", Baud: 1},
			Scanner: Scanner{Port: "rel", Baud: 1, Trigger: "zebra"},
			Printer: Printer{Port: "rel", USB: "rel", TCP: "x", Baud: 1, Paper: "x", Confirm: "fence", Speed: -1},
		},
		GPIO: GPIO{ButtonHelp: "A", ButtonTech: "A", LEDReady: "A", LEDOffline: "A", LEDAttention: "A",
			LEDBusy: "A", Buzzer: "A", Presence: "A", Relay: "A B"},
		UI:     UI{Language: "x"},
		Update: Update{Enabled: true, Window: "2-5", USBRoot: "rel", VersionFile: "rel"},
	}
	kinds := newSchema().kinds
	errs := errorsOf(t, c.Validate())
	if len(errs) < 27 {
		t.Errorf("got %d errors, want one per bad value:\n%v", len(errs), c.Validate())
	}
	for _, e := range errs {
		if _, ok := kinds[e.Key]; !ok {
			t.Errorf("Validate names key %q, which is not in the file format", e.Key)
		}
	}
}

func TestPresent(t *testing.T) {
	serial := []struct {
		d    Serial
		want bool
	}{
		{Serial{}, false},
		{Serial{Baud: 9600}, false},
		{Serial{Port: "/dev/ttyUSB0"}, true},
	}
	for _, tt := range serial {
		if got := tt.d.Present(); got != tt.want {
			t.Errorf("%+v.Present() = %v, want %v", tt.d, got, tt.want)
		}
	}
	printer := []struct {
		p    Printer
		want bool
	}{
		{Printer{}, false},
		{Printer{Baud: 115200, Paper: "58mm"}, false},
		{Printer{Port: "/dev/ttyS0"}, true},
		{Printer{USB: "/dev/usb/lp0"}, true},
		{Printer{TCP: "10.0.0.5:9100"}, true},
	}
	for _, tt := range printer {
		if got := tt.p.Present(); got != tt.want {
			t.Errorf("%+v.Present() = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{"a.toml", 3, "ui.language", "bad"}, "a.toml:3: ui.language: bad"},
		{Error{"a.toml", 0, "ui.language", "bad"}, "a.toml: ui.language: bad"},
		{Error{"", 3, "ui.language", "bad"}, "3: ui.language: bad"},
		{Error{"", 0, "ui.language", "bad"}, "ui.language: bad"},
		{Error{"a.toml", 3, "", "bad"}, "a.toml:3: bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("1m30s")); err != nil || d.Duration != 90*time.Second {
		t.Errorf("UnmarshalText(1m30s) = %v, %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "1m30s" {
		t.Errorf("MarshalText = %q", b)
	}
	if err := d.UnmarshalText([]byte("soon")); err == nil || !strings.Contains(err.Error(), `"soon" is not a duration`) {
		t.Errorf("UnmarshalText(soon) = %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("error %q does not name the file and the cause", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q is not fs.ErrNotExist", err)
	}
}

func TestLoadErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gridkiosk.toml")
	write(t, path, station+"[ui]\nlanguage = \"fr\"\n")
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":9: ui.language: ") {
		t.Errorf("Load error = %v, want it to start with %s:9: ui.language: ", err, path)
	}
}

func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ tokenFile, want string }{
		{"upstream.token", filepath.Join(dir, "upstream.token")},
		{"secrets/upstream.token", filepath.Join(dir, "secrets", "upstream.token")},
		{"/etc/gridkiosk/upstream.token", "/etc/gridkiosk/upstream.token"},
	}
	for _, tt := range tests {
		data := station + "[upstream]\nurl = \"https://hub.example.org\"\ntoken_file = \"" + tt.tokenFile + "\"\n"
		path := filepath.Join(dir, "gridkiosk.toml")
		write(t, path, data)
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if c.Upstream.TokenFile != tt.want {
			t.Errorf("token_file %q: Load gives %q, want %q", tt.tokenFile, c.Upstream.TokenFile, tt.want)
		}
		c, err = Parse([]byte(data), path)
		if err != nil {
			t.Fatal(err)
		}
		if c.Upstream.TokenFile != tt.tokenFile {
			t.Errorf("token_file %q: Parse gives %q, want it as written", tt.tokenFile, c.Upstream.TokenFile)
		}
	}

	// A config named by a relative path still yields an absolute token
	// file, which stays right if the process changes directory.
	t.Chdir(dir)
	write(t, "gridkiosk.toml", station+"[upstream]\nurl = \"https://hub.example.org\"\ntoken_file = \"upstream.token\"\n")
	c, err := Load("gridkiosk.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(c.Upstream.TokenFile) || filepath.Base(c.Upstream.TokenFile) != "upstream.token" {
		t.Fatalf("token_file = %q, want an absolute path", c.Upstream.TokenFile)
	}
	got, err1 := os.Stat(filepath.Dir(c.Upstream.TokenFile))
	want, err2 := os.Stat(dir)
	if err1 != nil || err2 != nil || !os.SameFile(got, want) {
		t.Errorf("token_file = %q, want it in %s", c.Upstream.TokenFile, dir)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(Example()))
	f.Add([]byte(station + "[devices.idcard]\nbuad = 5\nbaud = \"x\"\n[UI]\n[ui.language]\n"))
	f.Add([]byte("[station]\nid = 1\nid = 2\ngrid = { county = 99999999999999999999 }\n[[station]]\n"))
	f.Add([]byte("a = [1, {b = 2}]\n\"q.x\".y = 'z'\n[x.\"y z\"]\n"))
	f.Add([]byte(station + "[upstream]\nurl = \"http://10.0.0.1\"\npin_sha256 = [\"x\", 3]\nca_mode = \"swap\"\ninsecure_http = true\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.toml")
		if err == nil {
			if c == nil {
				t.Fatal("Parse returned neither a config nor an error")
			}
			if verr := c.Validate(); verr != nil {
				t.Fatalf("Parse accepted a config that Validate rejects: %v", verr)
			}
			return
		}
		if c != nil {
			t.Fatal("Parse returned a config with an error")
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, e := range errorsOf(t, err) {
			if e.File != "fuzz.toml" || e.Line < 0 || e.Line > lines || e.Msg == "" {
				t.Fatalf("bad error %#v for %d lines", e, lines)
			}
		}
	})
}

// errorsOf returns the *Errors joined in err, failing t if any is not one.
func errorsOf(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		return nil
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	var out []*Error
	for _, e := range list {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %q (%T) is not an *Error", e, e)
		}
		out = append(out, ce)
	}
	return out
}

// assertError checks that err holds an *Error at key on line whose message
// contains msg.
func assertError(t *testing.T, err error, key string, line int, msg string) {
	t.Helper()
	for _, e := range errorsOf(t, err) {
		if e.Key == key {
			if e.Line != line || !strings.Contains(e.Msg, msg) {
				t.Errorf("error at %s = %q (line %d), want line %d and message containing %q", key, e.Msg, e.Line, line, msg)
			}
			return
		}
	}
	t.Errorf("no error at %s in:\n%v", key, err)
}

package config

import (
	"errors"
	"strings"
	"testing"
)

// The [update] table's problems name the file, the line and the key.
func TestUpdateValidation(t *testing.T) {
	station := "[station]\nid = \"141029-xfw-01\"\nname = \"幸福湾\"\n[station.grid]\ncounty = \"141029\"\n"
	for _, tt := range []struct {
		name, body, want string
	}{
		{"window", "[update]\nwindow = \"02:00-02:00\"\n", `st.toml:8: update.window: window "02:00-02:00" is empty`},
		{"window form", "[update]\nwindow = \"2am-5am\"\n", `st.toml:8: update.window: window "2am-5am": start: "2am" is not HH:MM`},
		{"interval", "[update]\n\ncheck_interval = \"1m\"\n", `st.toml:9: update.check_interval: "1m" is out of range; allowed 5m..24h`},
		{"trial", "[update]\ntrial_minutes = 0\n", "st.toml:8: update.trial_minutes: 0 is out of range; allowed 1..60"},
		{"usb", "[update]\nusb_root = \"media\"\n", `st.toml:8: update.usb_root: "media" must be an absolute path`},
		{"version file", "[update]\nversion_file = \"version\"\n", `st.toml:8: update.version_file: "version" must be an absolute path`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(station+"\n"+tt.body), "st.toml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, want %q", err, tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("not a *config.Error: %T", err)
			}
		})
	}
	c, err := Parse([]byte(station+"\n[update]\nenabled = false\nwindow = \"nonsense\"\n"), "st.toml")
	if err != nil || c.Update.Enabled {
		t.Errorf("disabled updates are not checked: %v", err)
	}
	c, err = Parse([]byte(station+"\n[update]\nwindow = \"23:30-04:00\"\nusb_root = \"\"\n"), "st.toml")
	if err != nil || c.Update.Window != "23:30-04:00" || c.Update.USBRoot != "" || !c.Update.Enabled {
		t.Errorf("a window over midnight, no USB: %+v, %v", c.Update, err)
	}
}

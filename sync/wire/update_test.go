package wire

import (
	"strings"
	"testing"
	"time"
)

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.4.0", "1.4.0", 0},
		{"1.4", "1.4.0", 0},
		{"1.4.1", "1.4.0", 1},
		{"1.10.0", "1.9.9", 1},
		{"2026.12.7.140500+g61892aa", "2026.12.7.140500+gdeadbee", 0},
		{"2026.12.7.140500", "2026.12.8.000000", -1},
		{"2026.1.7", "2025.12.31", 1},
	} {
		got, err := CompareVersions(c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, %v; want %d", c.a, c.b, got, err, c.want)
		}
		back, _ := CompareVersions(c.b, c.a)
		if back != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d; want %d (the reverse)", c.b, c.a, back, -c.want)
		}
	}
}

func TestCompareVersionsRefusesMalformed(t *testing.T) {
	for _, v := range []string{"", "v1.4.0", "1..4", "1.4.0-rc1", "61892aa", "1.4.0+", "1.2.3.4.5.6.7", "1.4.0+a b"} {
		if _, err := CompareVersions(v, "1.0"); err == nil || !strings.Contains(err.Error(), "version") {
			t.Errorf("CompareVersions(%q, …) = %v; want an error naming the version", v, err)
		}
	}
}

func TestUpdateOfferCheck(t *testing.T) {
	good := UpdateOffer{Version: "2026.12.7.140500+g61892aa", Arch: "amd64", URL: "/v1/releases/2026.12.7.140500+g61892aa/amd64/bundle.raucb",
		Size: 123456, SHA256: strings.Repeat("ab", 32)}
	if err := good.Check(); err != nil {
		t.Fatalf("good offer: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*UpdateOffer)
		want string
	}{
		{"version", func(o *UpdateOffer) { o.Version = "latest" }, "version"},
		{"arch", func(o *UpdateOffer) { o.Arch = "armhf" }, "arch"},
		{"url", func(o *UpdateOffer) { o.URL = "" }, "url"},
		{"size", func(o *UpdateOffer) { o.Size = 0 }, "size"},
		{"sha256", func(o *UpdateOffer) { o.SHA256 = strings.Repeat("AB", 32) }, "sha256"},
	} {
		o := good
		c.edit(&o)
		if err := o.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check() = %v; want an error naming %q", c.name, err, c.want)
		}
	}
}

func TestHealthUpdateCheckedAndFitted(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	h := Health{StationID: "141029-xfw-01", At: now, IntervalS: 300,
		Devices: Devices{Reader: Device{State: DeviceReady}, Scanner: Device{State: DeviceReady},
			Printer: Printer{Device: Device{State: DeviceReady}}, Panel: Device{State: DeviceAbsent}},
		Update: &HealthUpdate{Slot: "C", State: UpdateIdle}}
	if err := h.Check(); err == nil || !strings.Contains(err.Error(), "update.slot") {
		t.Fatalf("slot C: Check() = %v; want update.slot named", err)
	}
	h.Update = &HealthUpdate{Slot: "B", State: "flying"}
	if err := h.Check(); err == nil || !strings.Contains(err.Error(), "update.state") {
		t.Fatalf("state flying: Check() = %v; want update.state named", err)
	}
	h.Update = &HealthUpdate{Slot: "B", State: UpdateFailed, Pending: "2026.12.7.1", Last: strings.Repeat("签名无效 bad signature ", 100), LastAt: &now}
	if err := h.Check(); err != nil {
		t.Fatalf("failed update: %v", err)
	}
	b, err := h.Fit()
	if err != nil || len(b) > MaxHealthBytes {
		t.Fatalf("Fit: %d bytes, %v; want at most %d", len(b), err, MaxHealthBytes)
	}
	if !strings.Contains(string(b), `"state":"failed"`) {
		t.Errorf("fitted report lost the update state: %s", b)
	}
}

func FuzzCompareVersions(f *testing.F) {
	for _, s := range []string{"1.4.0", "2026.12.7.140500+g61892aa", "", "1..2", "999999999.1"} {
		f.Add(s, "1.4")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, errA := CompareVersions(a, b)
		ba, errB := CompareVersions(b, a)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("errors differ by order: %v / %v", errA, errB)
		}
		if errA == nil && ab != -ba {
			t.Fatalf("CompareVersions(%q,%q)=%d but reverse %d", a, b, ab, ba)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// Without a display, run says so and what to use instead, rather than
// panicking in GLFW after the station started.
func TestRunWithoutDisplay(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "run", "--simulate", "--data", t.TempDir())
	cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\n%s", err, out.String())
	}
	want := "gridkiosk run: no display (DISPLAY/WAYLAND_DISPLAY not set); use gridkiosk serve for a station without a screen"
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "panic") || strings.Contains(out.String(), "goroutine ") {
		t.Fatalf("output:\n%s", out.String())
	}
}

// The start-up log names the hub without the password its URL may
// carry (net/http's own errors show it as ***).
func TestStartupLogHidesURLPassword(t *testing.T) {
	s := newStationUpstream(t, `url = "http://gk:s3cret-pw@127.0.0.1:9/"`)
	s.start()
	s.waitFor("the start-up log line", func() bool { return strings.Contains(s.log.String(), "station running") })
	s.stop(syscall.SIGTERM)
	log := s.log.String()
	if strings.Contains(log, "s3cret") || !strings.Contains(log, "http://127.0.0.1:9/") {
		t.Fatalf("log:\n%s", log)
	}
}

// probe qr shows what a code is, not whom it is about: a signed
// appointment by its kind, key, station and date with its holder masked
// (the code has no ID number, only a keyed hash of it),
// other text with its ID and phone numbers masked; --reveal shows all.
func TestProbeQRMasks(t *testing.T) {
	sim, err := qrscansim.New(t.TempDir(), "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := signedcode.Signer{KeyID: "hub-2026", Key: key}
	const id, name, phone = "14102919520317122X", "王秀兰", "13835712345"
	appt, err := signer.Appointment(signedcode.Appointment{Station: "141029-xfw-01", Date: "2026-11-27", Purpose: "certificate",
		Person: signedcode.Person{Name: name, IDNumber: id, Phone: phone}})
	if err != nil {
		t.Fatal(err)
	}
	probe := func(code string, args ...string) string {
		t.Helper()
		// With a suffix, so that a pause of a loaded machine inside the
		// code does not end it early.
		sim.Arm(code, qrscansim.How{AIM: "]Q1", Suffix: "\r\n"})
		var out bytes.Buffer
		args = append([]string{"probe", "qr", "--port", sim.Path(), "--trigger", "honeywell", "--suffix", "crlf", "--timeout", "60s"}, args...)
		if code := realMain(args, &out, &out); code != 0 {
			t.Fatalf("exit %d: %s", code, out.String())
		}
		return out.String()
	}
	leaks := func(out string) bool {
		if strings.Contains(out, name) {
			return true
		}
		// What the masks hide, in runs of 5: the ID number's first four
		// digits are the station's county's too.
		for _, n := range []string{id[4:14], phone[2:10]} {
			for i := 0; i+5 <= len(n); i++ {
				if strings.Contains(out, n[i:i+5]) {
					return true
				}
			}
		}
		return false
	}
	for _, args := range [][]string{nil, {"--json"}} {
		out := probe(appt, args...)
		if leaks(out) || strings.Contains(out, appt[10:40]) {
			t.Errorf("probe qr %v shows the person or the payload:\n%s", args, out)
		}
		for _, want := range []string{"appointment", "hub-2026", "141029-xfw-01", "2026-11-27", "holder 王*兰", "not checked"} {
			if !strings.Contains(out, want) {
				t.Errorf("probe qr %v lacks %q:\n%s", args, want, out)
			}
		}
	}
	link := "https://hub.example.gov.cn/r/0190f5e6-0000-7000-8000-000000000001?k=q7Zr0cVb3mS9kXo2LwE5tA"
	if out := probe(link); strings.Contains(out, "q7Zr0cVb3mS9kXo2LwE5tA") || !strings.Contains(out, "receipt link") ||
		!strings.Contains(out, "https://hub.example.gov.cn/r/0190f5e6-0000-7000-8000-000000000001") {
		t.Errorf("receipt link:\n%s", out)
	}
	plain := "身份证" + id + " 电话" + phone
	if out := probe(plain); leaks(out) || !strings.Contains(out, "身份证") || !strings.Contains(out, "电话") {
		t.Errorf("plain code:\n%s", out)
	}
	if out := probe(plain, "--reveal"); !strings.Contains(out, plain) {
		t.Errorf("--reveal:\n%s", out)
	}
	if out := probe(appt, "--reveal"); !strings.Contains(out, appt) {
		t.Errorf("--reveal of a signed code:\n%s", out)
	}
}

// maskCode takes any text a scanner may send: it never panics, and what
// it shows of a code that is not a signed or receipt code has no run of
// six digits, the shortest that could be most of a phone number.
func FuzzMaskCode(f *testing.F) {
	f.Add("身份证14102919520317122X 电话13835712345")
	f.Add("GK1:A:eyJwZXJzb24iOnsibmFtZSI6IueOi-engOWFsCJ9fQ.sig")
	f.Add("GK1:S:bm90IGpzb24.x")
	f.Add("GK1:R:0190f5e6-0000-7000-8000-000000000001")
	f.Add("https://hub.example.gov.cn/r/0190f5e6-0000-7000-8000-000000000001?k=q7Zr0cVb3mS9kXo2LwE5tA")
	f.Fuzz(func(t *testing.T, data string) {
		out, _ := maskCode(data)
		if c, _, err := receiptcode.ParseAny(data); err == nil && c.Link {
			if strings.Contains(out, c.Key) {
				t.Fatalf("maskCode(%q) = %q shows the link's key", data, out)
			}
			return // a receipt link shows its record ID, which has digits
		}
		if strings.HasPrefix(data, "GK1:") {
			return
		}
		if sixDigits.MatchString(out) {
			t.Fatalf("maskCode(%q) = %q", data, out)
		}
	})
}

var sixDigits = regexp.MustCompile(`[0-9]{6}`)

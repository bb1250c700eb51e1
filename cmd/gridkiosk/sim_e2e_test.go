package main

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// startSim runs "gridkiosk serve --simulate" as a process and waits until
// its demo records reached its hub.
func startSim(t *testing.T, extra ...string) *station {
	// The admin port is picked here and freed for the station, which
	// starts its simulated hub on an ephemeral port first: now and then
	// the kernel hands the hub that very port. The station then exits
	// saying so, and another port is tried.
	for try := 1; ; try++ {
		s, exited := launchSim(t, extra)
		up := false
		s.waitFor("admin API", func() bool {
			select {
			case <-exited:
				return true
			default:
			}
			up = s.adminUp()
			return up
		})
		if up {
			s.waitFor("demo records at the hub", func() bool { return s.health().Outbox.Delivered == 3 })
			return s
		}
		if try == 3 || !strings.Contains(s.log.String(), "address already in use") {
			t.Fatalf("gridkiosk serve --simulate exited; its log:\n%s", s.log)
		}
	}
}

// launchSim starts the process; exited is closed when it ends.
func launchSim(t *testing.T, extra []string) (s *station, exited chan struct{}) {
	dir := t.TempDir()
	s = &station{t: t, dir: dir, admin: freeAddr(t)}
	s.cmd = exec.Command(os.Args[0], append([]string{"serve", "--simulate", "--data", dir, "--admin", s.admin}, extra...)...)
	s.cmd.Env = append(append(os.Environ(), mainEnv+"=1"), s.env...)
	s.log = &syncBuffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	t.Cleanup(func() { s.cmd.Process.Signal(syscall.SIGTERM); <-exited })
	return s, exited
}

// adminUp reports whether the station's admin API answers, and learns
// its token.
func (s *station) adminUp() bool {
	b, err := os.ReadFile(filepath.Join(s.dir, "station", "admin.token"))
	s.token = strings.TrimSpace(string(b))
	if err != nil || len(s.token) <= 16 {
		return false
	}
	// The token is written before the API listens.
	resp, err := http.Get("http://" + s.admin + "/healthz")
	if err == nil {
		resp.Body.Close()
	}
	return err == nil
}

// In the simulation the hub signs codes with a key it hands the station
// in the reference data; the emulated scanner reads them.
func TestSimulateSignedCodes(t *testing.T) {
	s := startSim(t)
	var scan struct{ Kind, Reason, Message string }
	var issued struct{ Code string }
	s.waitFor("expired appointment refused", func() bool {
		// The first tries may race the station's first reference data
		// fetch and be refused for an unknown key; a resident would
		// scan again.
		if s.call("POST", "/v1/sim/hub/issue", map[string]any{"kind": "appointment-expired", "scan": true}, &issued) != 200 {
			return false
		}
		time.Sleep(300 * time.Millisecond)
		return s.call("GET", "/v1/scan", nil, &scan) == 200 && scan.Reason == "expired"
	})
	if !strings.Contains(scan.Message, "过期") {
		t.Errorf("expired: %+v", scan)
	}
	s.call("POST", "/v1/sim/hub/issue", map[string]any{"kind": "appointment", "scan": true}, &issued)
	var v struct {
		State, Source, Purpose string
		Person                 map[string]string
	}
	s.waitFor("appointment session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "appointment" })
	if v.Source != "qr" || v.Purpose != "certificate" || v.Person["name"] != "王*兰" || v.Person["id_number"] != "" {
		t.Fatalf("session = %+v", v)
	}
	// The code names her masked; her card confirms her.
	s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
	s.waitFor("the card confirms the appointment", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	if v.Source != "idcard" || v.Purpose != "certificate" || v.Person["name"] != "王秀兰" || !strings.Contains(v.Person["id_number"], "**********") {
		t.Fatalf("session = %+v", v)
	}
	var rc struct{ ID string }
	if code := s.call("POST", "/v1/session/submit", map[string]any{"consent": map[string]any{"agreed": true, "version": "2026-01"}}, &rc); code != 201 {
		t.Fatalf("submit: %d", code)
	}
	s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": issued.Code, "aim": "]Q1"}, nil)
	s.waitFor("replay refused", func() bool { s.call("GET", "/v1/scan", nil, &scan); return scan.Reason == "used" })

	s.call("POST", "/v1/sim/hub/issue", map[string]any{"kind": "staff", "scan": true}, &issued)
	var staff struct{ ID, Name, Role string }
	s.waitFor("staff login", func() bool { return s.call("GET", "/v1/staff", nil, &staff) == 200 })
	if staff.ID != "s-0007" || staff.Name != "李建国" {
		t.Fatalf("staff = %+v", staff)
	}
	if code := s.call("POST", "/v1/staff/logout", nil, nil); code != 204 || s.call("GET", "/v1/staff", nil, nil) != 404 {
		t.Fatal("staff logout")
	}
	if strings.Contains(s.log.String(), "王秀兰") {
		t.Errorf("the station logged a resident's name:\n%s", s.log.String())
	}
}

// In the simulation the panel is wired to its emulator: the help button
// calls staff, the lamps show the station's state.
func TestSimulatePanel(t *testing.T) {
	s := startSim(t)
	var out struct {
		LEDs  map[string]bool `json:"leds"`
		Relay bool
		Beeps int
	}
	s.waitFor("ready lamp", func() bool {
		s.call("GET", "/v1/sim/panel", nil, &out)
		return out.LEDs["ready"] && !out.LEDs["offline"]
	})
	if code := s.call("POST", "/v1/sim/panel/press", map[string]any{"button": "help", "hold_ms": 80}, nil); code != 204 {
		t.Fatalf("press: %d", code)
	}
	var h struct {
		Panel struct {
			Present   bool
			HelpSince *time.Time `json:"help_since"`
		}
	}
	s.waitFor("help request in healthz", func() bool { s.call("GET", "/healthz", nil, &h); return h.Panel.HelpSince != nil })
	s.waitFor("staff call relay", func() bool { s.call("GET", "/v1/sim/panel", nil, &out); return out.Relay })
	if code := s.call("POST", "/v1/panel/help/clear", nil, nil); code != 204 {
		t.Fatalf("clear help: %d", code)
	}
	s.waitFor("relay off", func() bool { s.call("GET", "/v1/sim/panel", nil, &out); return !out.Relay })
	beeps := out.Beeps
	s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
	s.waitFor("busy lamp and a beep", func() bool {
		s.call("GET", "/v1/sim/panel", nil, &out)
		return out.LEDs["busy"] && out.Beeps > beeps
	})
	if code := s.call("POST", "/v1/sim/panel/press", map[string]any{"button": "nose"}, nil); code != 400 {
		t.Fatalf("unknown button: %d", code)
	}
}

// The simulation's network can be cut: records wait, the offline lamp
// lights, and they go once it is back.
func TestSimulateNetworkCut(t *testing.T) {
	s := startSim(t)
	if code := s.call("POST", "/v1/sim/network", map[string]bool{"up": false}, nil); code != 204 {
		t.Fatalf("cut: %d", code)
	}
	id := s.submit("北坡自然村路灯不亮")
	var out struct {
		LEDs map[string]bool `json:"leds"`
	}
	s.waitFor("offline lamp", func() bool { s.call("GET", "/v1/sim/panel", nil, &out); return out.LEDs["offline"] })
	if st := s.state(id); st != "queued" {
		t.Fatalf("record %s while the network is cut", st)
	}
	s.call("POST", "/v1/sim/network", map[string]bool{"up": true}, nil)
	s.waitFor("record delivered after the network came back", func() bool { return s.state(id) == "delivered" })
}

// TestSimulateServe: --simulate brings up its own hub, demo records that
// reach it, and an emulated card reader that the API lays cards on.
func TestSimulateServe(t *testing.T) {
	s := startSim(t)
	if code := s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "nosuch"}, nil); code != 400 {
		t.Fatalf("unknown demo card: %d", code)
	}
	if code := s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "foreign2017"}, nil); code != 204 {
		t.Fatalf("lay: %d", code)
	}
	var v struct {
		State  string
		Person map[string]string
	}
	s.waitFor("card session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	if v.Person["card_type"] != "foreign_2017" || v.Person["name_en"] == "" {
		t.Fatalf("session = %+v", v)
	}
	if code := s.call("POST", "/v1/session/cancel", nil, nil); code != 204 {
		t.Fatalf("cancel: %d", code)
	}
	v.Person = nil
	s.call("GET", "/v1/session", nil, &v)
	if v.State != "idle" || v.Person != nil {
		t.Fatalf("after cancel: %+v", v)
	}

	// A resident registers with a card, staff print the receipt, and the
	// receipt's QR code carries the record ID.
	s.call("POST", "/v1/sim/idcard/lift", nil, nil)
	s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
	s.waitFor("card session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	var rc struct{ ID string }
	if code := s.call("POST", "/v1/session/submit", map[string]any{"purpose": "certificate",
		"consent": map[string]any{"agreed": true, "version": "2026-01"}}, &rc); code != 201 {
		t.Fatalf("submit: %d", code)
	}
	var pr struct{ State, Ticket string }
	if code := s.call("POST", "/v1/records/"+rc.ID+"/receipt", map[string]string{"staff": "李建国"}, &pr); code != 201 || pr.State != "printed" {
		t.Fatalf("receipt: %d %+v", code, pr)
	}
	// The simulation's hub has a public URL: the QR code is a link to the
	// record's status page, which a browser opens.
	png := s.get("/v1/sim/printer/last.png")
	if out := os.Getenv("GRIDKIOSK_RECEIPT_PNG"); out != "" { // the README's picture
		os.WriteFile(out, png, 0o644)
	}
	link := zbarQR(t, png)
	if other := decodeQR(t, png); other != link {
		t.Fatalf("zbarimg reads %q, gozxing %q", link, other)
	}
	if !strings.HasPrefix(link, "http://127.0.0.1:") || !strings.Contains(link, "/r/"+rc.ID+"?k=") {
		t.Fatalf("QR on the printed receipt = %q, want a link to the hub's status page", link)
	}
	statusPage(t, link, pr.Ticket)
	if txt := string(s.get("/v1/sim/printer/last.txt")); !strings.Contains(txt, pr.Ticket) || !strings.Contains(txt, "1410**********122X") {
		t.Fatalf("receipt text:\n%s", txt)
	}

	// The receipt's code, scanned at the station, finds the record.
	if code := s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": "GK1:R:" + rc.ID, "aim": "]Q1"}, nil); code != 204 {
		t.Fatalf("sim scan: %d", code)
	}
	var scan struct {
		Kind, State, Symbology string
		RecordID               string `json:"record_id"`
		HubState               string `json:"hub_state"`
		Remote                 bool
	}
	s.waitFor("scan result", func() bool {
		return s.call("GET", "/v1/scan", nil, &scan) == 200 && scan.RecordID == rc.ID
	})
	if scan.Kind != "receipt" || scan.Symbology != "QR" || !scan.Remote || scan.HubState != "received" {
		t.Fatalf("scan = %+v", scan)
	}
	if code := s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": link, "aim": "]Q1"}, nil); code != 204 {
		t.Fatalf("sim scan: %d", code)
	}
	scan.RecordID = ""
	s.waitFor("the link scanned", func() bool {
		return s.call("GET", "/v1/scan", nil, &scan) == 200 && scan.RecordID == rc.ID && scan.Kind == "receipt" && scan.HubState == "received"
	})
	s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": "https://example.com/not-ours"}, nil)
	s.waitFor("unknown code", func() bool { s.call("GET", "/v1/scan", nil, &scan); return scan.Kind == "unknown" })

	// Out of paper: refused, with words staff can act on.
	s.call("POST", "/v1/sim/printer", map[string]bool{"paper_out": true}, nil)
	var e struct{ Error string }
	if code := s.call("POST", "/v1/records/"+rc.ID+"/receipt", map[string]string{"staff": "李建国"}, &e); code != 409 || !strings.Contains(e.Error, "装纸") {
		t.Fatalf("paper out: %d %+v", code, e)
	}
}

func (s *station) get(path string) []byte {
	s.t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.admin+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

func decodeQR(t *testing.T, pngData []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The receipt's code holds a new record ID each run. Before the
	// encoder fed a quiet zone around it, gozxing missed 2 codes in 100
	// even trying hard (escposview's TestReceiptLinksReadBack).
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code on the receipt: %v", err)
	}
	return res.GetText()
}

// statusPage opens a receipt's link as a phone would, reading the QR
// code off the printed paper, and checks the page: the state and ticket,
// none of the demo resident's data.
func statusPage(t *testing.T, link, ticket string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "已受理") || !strings.Contains(string(body), ticket) {
		t.Fatalf("%s: %d\n%s", link, resp.StatusCode, body)
	}
	for _, s := range []string{"14102919520317122X", "19520317", "王秀兰"} {
		if strings.Contains(string(body), s) {
			t.Errorf("the status page shows %q", s)
		}
	}
}

// zbarQR reads the QR code of a printed receipt's image with zbarimg, a
// reader the project's code has nothing to do with.
func zbarQR(t *testing.T, pngData []byte) string {
	t.Helper()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("no zbarimg: install Debian's zbar-tools (.ci/deps.sh test)")
	}
	file := filepath.Join(t.TempDir(), "receipt.png")
	if err := os.WriteFile(file, pngData, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

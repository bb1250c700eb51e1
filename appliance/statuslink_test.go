package appliance_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/statuspage"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// linkHub is a county hub with a public URL: its reference data names
// it, and it serves the status pages there.
func linkHub(t *testing.T, dir string) (*hub.BoltStore, *httptest.Server) {
	t.Helper()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var rd []byte
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": demo.StationID}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RefData: func(string) ([]byte, error) { return rd, nil }}
	mux := http.NewServeMux()
	mux.Handle("/", h.Handler())
	(&statuspage.Page{Records: store, RefData: h.RefData}).Register(mux, "")
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	var m map[string]any
	json.Unmarshal(demo.RefData(), &m)
	m["public_url"] = ts.URL
	for _, s := range m["staff"].([]any) {
		if s := s.(map[string]any); s["id"] == "s-0007" {
			s["phone"] = "13912340007"
		}
	}
	rd, _ = json.Marshal(m)
	return store, ts
}

// A receipt printed at a station whose hub has a public URL carries a
// link in its QR code, read off the printed paper with zbarimg; a phone
// opening it gets the record's status page, with nothing of the
// resident; the station's scanner reads the link, the older GK1:R: form,
// and refuses another hub's link. The ticket number prints double size.
func TestReceiptLinkEndToEnd(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("no zbarimg: install Debian's zbar-tools (.ci/deps.sh test)")
	}
	dir := t.TempDir()
	store, hubSrv := linkHub(t, dir)

	scanner, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { scanner.Close() })
	prn := printersim.New()
	t.Cleanup(func() { prn.Close() })
	line, err := prn.ServePTY(dir, "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), hubSrv.URL, tokenFile)
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Suffix = scanner.Path(), "cr"
	cfg.Devices.Printer.Port = line.Path()
	st := runStation(t, appliance.Options{Config: cfg})
	// The station learns where its links point from the reference data.
	for deadline := time.Now().Add(15 * time.Second); st.RefData() == nil || st.RefData().PublicURL != hubSrv.URL; {
		if time.Now().After(deadline) {
			t.Fatalf("no reference data naming public URL %s in 15s", hubSrv.URL)
		}
		time.Sleep(10 * time.Millisecond)
	}

	id := registration(t, st)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, ok, _ := store.Record(id); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the record did not reach the hub in 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	if err != nil || res.State != "printed" {
		t.Fatalf("print: %+v %v", res, err)
	}
	jobs := prn.Jobs()
	paper, err := escposview.Parse(jobs[len(jobs)-1], escposview.Options{Dots: 384})
	if err != nil {
		t.Fatal(err)
	}
	if len(paper.Magnified) == 0 || paper.Magnified[len(paper.Magnified)-1] != (escposview.Run{Text: res.Ticket, W: 2, H: 2}) {
		t.Errorf("magnified text %+v: want the ticket %s at 2×2", paper.Magnified, res.Ticket)
	}
	if !strings.Contains(paper.Text, "手机扫码查询办理进度") {
		t.Errorf("the receipt does not say a phone can open its code:\n%s", paper.Text)
	}
	png := filepath.Join(dir, "receipt.png")
	f, err := os.Create(png)
	if err != nil {
		t.Fatal(err)
	}
	if err := paper.PNG(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", png, err)
	}
	link := strings.TrimSpace(string(out))
	if !strings.HasPrefix(link, hubSrv.URL+"/r/"+id+"?k=") {
		t.Fatalf("the printed QR code reads %q, want a link to %s/r/%s", link, hubSrv.URL, id)
	}

	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "已受理") || !strings.Contains(string(body), "R0001") {
		t.Fatalf("the link's page: %d\n%s", resp.StatusCode, body)
	}
	for _, s := range []string{"王秀兰", "14102919520317122X", "19520317"} {
		if strings.Contains(string(body), s) {
			t.Errorf("the status page shows %q", s)
		}
	}

	for _, code := range []string{link, appliance.ReceiptCodePrefix + id} {
		r := scan(t, st, scanner, code)
		if r.Kind != "receipt" || r.RecordID != id || !r.Remote || r.HubState != "received" {
			t.Errorf("scan %.40q…: %+v", code, r)
		}
	}
	key := strings.TrimPrefix(link, hubSrv.URL+"/r/"+id+"?k=")
	other, _ := receiptcode.Link(mustBase(t, "https://hub.elsewhere.example"), id, key)
	if r := scan(t, st, scanner, other); r.Kind != "unknown" || !strings.Contains(r.Message, "其他平台") {
		t.Errorf("another hub's link: %+v", r)
	}
}

func mustBase(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := receiptcode.ParseBase(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

package kiosk

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
	vp "github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// publicURL is the hub's public URL the look-up tests' reference data
// name, so that the station takes receipt links to it as its own.
const publicURL = "https://hub.xiangning.example.gov.cn"

// lookupRig is a station with a scanner on a pty and, unless hubURL is
// given, no hub: reference data that name the hub's public URL.
func lookupRig(t *testing.T, hub *simui.Hub) (*voiceRig, *qrscansim.Scanner) {
	t.Helper()
	dir := t.TempDir()
	sc, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	var rd map[string]any
	json.Unmarshal(demo.RefData(), &rd)
	rd["public_url"] = publicURL
	raw, _ := json.Marshal(rd)
	r := newVoiceRig(t, rigOptions{noCard: true, refData: raw, setup: func(o *appliance.Options) {
		o.Config.Devices.Scanner.Port, o.Config.Devices.Scanner.Suffix = sc.Path(), "cr"
		if hub != nil {
			o.Config.Upstream.URL, o.Config.Upstream.TokenFile = hub.URL, hub.TokenFile
		}
	}})
	r.waitStation("the scanner", func() bool { return r.st.Health().Peripherals["scanner"].State == "ready" })
	return r, sc
}

// matter stores a matter reported at the station, as a resident without
// a card does, with their phone number: the look-up must not show it.
func (r *rig) matter() station.Ack {
	r.t.Helper()
	ack, err := r.st.ReportMatter(r.t.Context(), station.MatterReport{Category: "repair", Phone: "13835712345"})
	if err != nil {
		r.t.Fatal(err)
	}
	return ack
}

// noPerson fails when the screen shows anything of the resident.
func (r *rig) noPerson() {
	r.t.Helper()
	for _, s := range []string{"13835712345", "138 3571 2345", "王秀兰", "王*兰"} {
		if r.shows(s) {
			r.t.Errorf("the look-up shows %q: %q", s, texts(r.win.Content()))
		}
	}
}

// 查进度 with no hub: the resident types the ticket's four digits on the
// keypad and gets the station's own copy, with its date, the matter,
// the next step and the grid leader to call (name and phone from the
// reference data), spoken; nothing of the person.
func TestLookupTicketOffline(t *testing.T) {
	r, _ := lookupRig(t, nil)
	ack := r.matter() // M0001
	r.heard(ids(vp.Attract))
	r.tap("查进度")
	if r.app.Screen() != scrLookup || !r.shows("二维码") {
		t.Fatalf("查进度: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.heard(ids(vp.LookUp))
	r.keys("0001")
	r.tap("确认")
	r.loop.until(t, "the progress", func() bool { return r.app.Screen() == scrProgress })
	p, err := r.st.Progress(t.Context(), station.ProgressQuery{Ticket: "0001"})
	if err != nil || p.RecordID != ack.ID {
		t.Fatalf("the station's own answer: %+v %v", p, err)
	}
	at := p.AsOf.In(start.Location())
	for _, want := range []string{"已受理", ack.Ticket, "公共设施报修", "请留意电话通知", "赵丽娟", "139 0357 0001",
		"本机记录，截至 " + at.Format("1月2日 15:04")} {
		if !r.shows(want) {
			t.Errorf("the progress lacks %q: %q", want, texts(r.win.Content()))
		}
	}
	r.noPerson()
	r.heard(ids(vp.StatusReceived, vp.StatusLocal))
	r.tap("返回首页")
	if r.app.Screen() != scrAttract || r.app.f.progress != nil {
		t.Errorf("返回首页: %s, flow %+v", r.app.Screen(), r.app.f)
	}
}

// A ticket the station does not know says so on the look-up screen, in
// words and aloud, keeps the keypad for another try, and 返回首页 leads
// back; an unknown QR code scanned there is answered there too.
func TestLookupUnknown(t *testing.T) {
	r, sc := lookupRig(t, nil)
	r.tap("查进度")
	r.keys("0999")
	r.tap("确认")
	r.loop.until(t, "the answer", func() bool { return !r.app.busy && r.shows("没有找到") })
	if r.app.Screen() != scrLookup {
		t.Fatalf("an unknown ticket went to %s", r.app.Screen())
	}
	said := r.rec.Said()
	if last := said[len(said)-1]; !slices.Equal(last, ids(vp.ErrLookupNotFound)) {
		t.Errorf("said %q last, want the not-found prompt", last)
	}
	r.keys("1")
	if r.shows("没有找到") || !r.shows("还差 3 位") {
		t.Errorf("typing again keeps the old answer: %q", texts(r.win.Content()))
	}
	sc.Scan("WIFI:S:guest;;", qrscansim.How{})
	r.loop.until(t, "the scan answered", func() bool { return r.shows("不是本站能识别的二维码") })
	if r.app.Screen() != scrLookup {
		t.Errorf("an unknown code went to %s", r.app.Screen())
	}
	r.tap("返回首页")
	if r.app.Screen() != scrAttract {
		t.Errorf("返回首页: %s", r.app.Screen())
	}
}

// A receipt's QR code scanned at the start screen opens its progress, in
// both forms: the link a phone opens, to this station's hub, and the
// older GK1:R:. Offline, the answer is the station's own copy.
func TestLookupScanOffline(t *testing.T) {
	r, sc := lookupRig(t, nil)
	ack := r.matter()
	base, _ := receiptcode.ParseBase(publicURL)
	link, err := receiptcode.Link(base, ack.ID, receiptcode.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	// The second over the first's progress: said again all the same.
	for _, code := range []string{link, receiptcode.Old(ack.ID)} {
		before, heard := r.st.LastScan(), len(r.rec.Said())
		sc.Scan(code, qrscansim.How{})
		r.waitStation("the scan", func() bool { l := r.st.LastScan(); return l != nil && (before == nil || !l.At.Equal(before.At)) })
		r.loop.until(t, "the progress of "+code, func() bool { r.app.Sync(); return r.app.Screen() == scrProgress })
		if !r.shows("已受理") || !r.shows(ack.Ticket) || !r.shows("本机记录") {
			t.Errorf("scan %.40q…: %q", code, texts(r.win.Content()))
		}
		r.noPerson()
		if said := r.rec.Said()[heard:]; len(said) != 1 || !slices.Equal(said[0], ids(vp.StatusReceived, vp.StatusLocal)) {
			t.Errorf("scan %.40q… said %q", code, said)
		}
	}
}

// Online, the scanned receipt's state is the hub's, with when the hub
// last changed it; the 查另一张 button starts a new look-up.
func TestLookupScanOnline(t *testing.T) {
	hub := simui.StartHub(t)
	r, sc := lookupRig(t, hub)
	ack := r.matter()
	r.waitStation("the record at the hub", func() bool { return r.st.Health().Outbox.Queued == 0 && r.st.Health().Upstream.Online })
	r.app.Show(scrAttract)
	r.loop.drain()
	sc.Scan(receiptcode.Old(ack.ID), qrscansim.How{})
	r.loop.until(t, "the progress", func() bool { return r.app.Screen() == scrProgress })
	if !r.shows("已受理") || !r.shows("上级平台信息，更新于") || r.shows("本机记录") {
		t.Errorf("online: %q", texts(r.win.Content()))
	}
	said := r.rec.Said()
	if last := said[len(said)-1]; !slices.Equal(last, ids(vp.StatusReceived)) {
		t.Errorf("said %q last, want the state alone", last)
	}
	r.tap("查另一张")
	if r.app.Screen() != scrLookup || r.app.f.kind != kindLookup {
		t.Errorf("查另一张: %s", r.app.Screen())
	}
}

// The look-up screen's words: a ticket being typed counts down, and OK
// does nothing until four digits are in.
func TestLookupTyping(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	r.tap("查进度")
	r.keys("00")
	if !r.shows("还差 2 位") {
		t.Errorf("two digits: %q", texts(r.win.Content()))
	}
	r.tap("确认")
	if r.app.busy || r.app.Screen() != scrLookup {
		t.Errorf("OK on two digits looked up: busy %v, %s", r.app.busy, r.app.Screen())
	}
	r.keys("42")
	if !r.shows("0042") || !r.shows("输好了") {
		t.Errorf("four digits: %q", texts(r.win.Content()))
	}
}

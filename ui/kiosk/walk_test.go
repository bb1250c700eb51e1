package kiosk

import (
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/panel/panelsim"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// simPanel is the station's panel on simulated GPIO pins, whose buzzer
// and relay the tests read.
func simPanel(t *testing.T) (*panelsim.Panel, *panel.Panel) {
	t.Helper()
	sim := panelsim.New()
	p, err := panel.Open(panel.Options{Pins: sim.Pins(), ByName: sim.ByName, LongPress: 300 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return sim, p
}

// A resident with no ID card at all reports a matter: two steps, a tap on
// the matter and an optional phone number, which is checked; the record
// holds the matter and the phone and nothing about the resident, and
// they get a ticket.
func TestMatterWithoutCard(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	r.tap("反映问题")
	if r.app.Screen() != scrMatter || !r.shows("第1步/共2步") {
		t.Fatalf("反映问题: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.tap("公共设施报修")
	if r.app.Screen() != scrPhone || !r.shows("第2步/共2步") || !r.shows("手机号只用于") {
		t.Fatalf("after the matter: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.keys("12345678901") // eleven digits, and no mobile number
	r.tap("确认")
	r.loop.until(t, "the phone refused", func() bool { return r.shows("这个手机号不对") })
	if r.app.Screen() != scrPhone {
		t.Fatalf("a wrong phone went on to %s", r.app.Screen())
	}
	for range 11 {
		r.tap("删除")
	}
	r.keys("13835712345")
	r.tap("确认")
	r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
	rc := r.app.f.ack
	if rc == nil || !r.shows(rc.Ticket) || !r.shows("您反映的问题已记下") || r.shows("身份证") {
		t.Fatalf("done screen: %q", texts(r.win.Content()))
	}
	r.tap("其他事项")
	if r.app.Screen() != scrAttract || r.app.f.phone != nil {
		t.Fatalf("其他事项: %s, flow %+v", r.app.Screen(), r.app.f)
	}

	r.stop()
	box, err := outbox.Open(filepath.Join(r.dir, "data"), outbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	rec, _, err := box.Get(rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Payload, &m); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != "matter" || m["category"] != "repair" || m["phone"] != "13835712345" || m["person"] != nil || len(m) != 3 {
		t.Fatalf("stored %s %s", rec.Kind, rec.Payload)
	}
}

// The done screen of a card registration says 请取回您的身份证 while the
// card lies on the reader, the panel's buzzer beeps with it, and both stop
// when the reader reports the card lifted; the screen does not go away by
// itself before.
func TestTakeYourCard(t *testing.T) {
	buzzer, pnl := simPanel(t)
	r := newRig(t, rigOptions{setup: func(o *appliance.Options) { o.Panel = pnl }})
	card, _ := idcardsim.Card("resident")
	r.layAndAgree(card)
	r.tap("确认")
	r.tap("证明开具")
	beeps := buzzer.Beeps()
	r.tap("跳过，不留手机号")
	r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
	if !r.shows("请取回您的身份证") {
		t.Fatalf("done screen: %q", texts(r.win.Content()))
	}
	r.waitStation("two reminder beeps", func() bool { return buzzer.Beeps() >= beeps+2 })
	r.tick(doneFor + time.Second)
	if r.app.Screen() != scrDone {
		t.Fatalf("the done screen left with the card on the reader: %s", r.app.Screen())
	}

	r.sim.Lift()
	r.loop.until(t, "the reminder gone", func() bool { return !r.shows("请取回您的身份证") })
	time.Sleep(100 * time.Millisecond) // a beep already on its way
	after := buzzer.Beeps()
	quiet := time.Now().Add(7 * time.Second) // more than two beats
	for time.Now().Before(quiet) {
		if buzzer.Beeps() != after {
			t.Fatalf("the buzzer beeped after the card was lifted")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !r.shows("李建国") {
		t.Errorf("after the lift the done screen lacks the grid leader: %q", texts(r.win.Content()))
	}
	r.tick(doneFor + time.Second)
	if r.app.Screen() != scrAttract || r.st.Session().State != station.SessionIdle {
		t.Fatalf("after the card and %s: %s", doneFor, r.app.Screen())
	}
}

// 求助 on the screen does what the panel's help button does (the request,
// the relay to the staff desk's bell) and says where staff are.
func TestHelpTile(t *testing.T) {
	sim, pnl := simPanel(t)
	r := newRig(t, rigOptions{noCard: true, setup: func(o *appliance.Options) { o.Panel = pnl }})
	r.tap("求助")
	if r.st.Panel().HelpSince == nil {
		t.Fatal("求助 made no help request")
	}
	r.waitStation("the relay", sim.Relay)
	r.loop.until(t, "the banner", func() bool { return r.shows("已呼叫工作人员") })
	if !r.shows("一楼大厅服务台") {
		t.Fatalf("the banner does not say where staff are: %q", texts(r.win.Content()))
	}
	r.st.ClearHelp()
	r.waitStation("the relay off", func() bool { return !sim.Relay() })
	r.tick(time.Second)
	if r.shows("已呼叫工作人员") {
		t.Fatal("the banner outlives the answer")
	}
	// The panel's button, for comparison: the same request, the same
	// banner.
	sim.Press("help", 150*time.Millisecond)
	r.waitStation("the button's request", func() bool { return r.st.Panel().HelpSince != nil && sim.Relay() })
	r.loop.until(t, "the banner", func() bool { r.app.Tick(); return r.shows("已呼叫工作人员") && r.shows("一楼大厅服务台") })
}

// 扫码 leads to the scanner and 查进度 to the look-up screen, each saying
// what to scan; a tap goes back.
func TestScanTiles(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	r.tap("扫码")
	if r.app.Screen() != scrScan || !r.shows("预约码或回执") {
		t.Fatalf("扫码: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.tap("返回首页")
	r.tap("查进度")
	if r.app.Screen() != scrLookup || !r.shows("回执上的二维码") {
		t.Fatalf("查进度: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.tap("返回首页")
	if r.app.Screen() != scrAttract || !r.shows("English") {
		t.Fatalf("back: %s", r.app.Screen())
	}
}

package kiosk

import (
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// A resident lays the card, reads the notice before anything of theirs
// is shown, checks the details as a passer-by may see them, taps a
// matter, types a mobile number and gets a ticket; the record is in the
// station's outbox with what they chose.
func TestCardFlow(t *testing.T) {
	r := newRig(t, rigOptions{})
	card, _ := idcardsim.Card("resident")
	r.lay(card)
	for _, leak := range []string{"王", "1410", "1952", "幸福湾"} {
		if r.shows(leak) {
			t.Fatalf("the notice screen shows %q before consent: %q", leak, texts(r.win.Content()))
		}
	}
	if !r.shows("第1步/共4步") {
		t.Errorf("notice without its step: %q", texts(r.win.Content()))
	}
	r.tap("同意")
	for _, want := range []string{"王*兰", "1410**********122X", "女", "1952年出生", "幸福湾社区7号院**", "第2步/共4步"} {
		if !r.shows(want) {
			t.Errorf("confirm screen lacks %q: %q", want, texts(r.win.Content()))
		}
	}
	for _, leak := range []string{"王秀兰", card.IDNumber[4:14], "3月17日", "7号楼", "301"} {
		if r.shows(leak) {
			t.Errorf("the confirm screen shows %q: %q", leak, texts(r.win.Content()))
		}
	}
	r.tap("确认")
	r.tap("证明开具") // one tap on a tile moves on
	if r.app.Screen() != scrPhone || !r.shows("第4步/共4步") {
		t.Fatalf("after the purpose: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.keys("13835712345")
	if !r.shows("138 3571 2345") {
		t.Errorf("phone field: %q", texts(r.win.Content()))
	}
	r.tap("确认")
	r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
	if !r.shows("请取回您的身份证") {
		t.Errorf("the card is on the reader and the done screen does not say so: %q", texts(r.win.Content()))
	}
	r.sim.Lift()
	r.loop.until(t, "the reminder gone", func() bool { return !r.shows("请取回您的身份证") })
	rc := r.app.f.ack
	for _, want := range []string{rc.Ticket, "李建国", "7号楼微网格"} {
		if !r.shows(want) {
			t.Errorf("done screen lacks %q: %q", want, texts(r.win.Content()))
		}
	}
	if r.shows("正在打印") {
		t.Error("the done screen says a receipt prints on a station without a printer")
	}
	list, err := r.st.Records(time.Now().Add(-time.Hour), 10)
	if err != nil || len(list) != 1 || list[0].ID != rc.ID || list[0].Kind != "registration" {
		t.Fatalf("records: %+v %v", list, err)
	}

	r.tick(doneFor + time.Second)
	if r.app.Screen() != scrAttract || r.st.Session().State != station.SessionIdle {
		t.Fatalf("%s later: screen %s, session %s", doneFor, r.app.Screen(), r.st.Session().State)
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
	var reg struct {
		Purpose, Phone, Source string
		Consent                struct{ Version string }
	}
	var g struct{ Compound, Micro string }
	json.Unmarshal(rec.Payload, &reg)
	json.Unmarshal(rec.Grid, &g)
	if reg.Purpose != "certificate" || reg.Phone != "13835712345" || reg.Source != "idcard" || reg.Consent.Version != ConsentVersion ||
		g.Compound != "c07" || g.Micro != "c07-m03" {
		t.Fatalf("stored %+v in %+v", reg, g)
	}
}

// Declining the notice stores nothing, ends the session and says so.
func TestDeclineStoresNothing(t *testing.T) {
	r := newRig(t, rigOptions{})
	card, _ := idcardsim.Card("resident-hui")
	r.lay(card)
	r.tap("不同意")
	if r.app.Screen() != scrAttract || !r.shows("已取消，未保存任何信息。工作人员可以当面为您办理，工作人员在：一楼大厅服务台") {
		t.Fatalf("after declining: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	if r.shows("马建军") {
		t.Fatal("the name is still on screen")
	}
	if v := r.st.Session(); v.State != station.SessionIdle {
		t.Fatalf("session after declining: %+v", v)
	}
	if list, err := r.st.Records(time.Now().Add(-time.Hour), 10); err != nil || len(list) != 0 {
		t.Fatalf("records after declining: %+v %v", list, err)
	}
	r.tick(noticeFor)
	if r.shows("已取消") {
		t.Fatal("the notice stays up")
	}
}

// Typing the ID number, after the notice: a wrong number is pointed out
// at once, with the card's groups to check against (never the check
// character that would fit), and OK does nothing; the right one lets the
// resident go on to the name, typed in pinyin, and the station starts the
// registration. Once confirmed, the number is shown only masked.
func TestManualEntry(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	r.tap("刷身份证登记")
	r.tap("没带身份证？输入号码")
	if r.app.Screen() != scrConsent || !r.shows("第1步/共6步") {
		t.Fatalf("typing the number begins with %s: %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.tap("同意")
	r.keys("14102919520317122")
	if !r.shows("还差 1 位") {
		t.Errorf("17 typed: %q", texts(r.win.Content()))
	}
	r.keys("8")
	if !r.shows("按前6位、中间8位") || r.shows("应为") {
		t.Fatalf("wrong check character: %q", texts(r.win.Content()))
	}
	r.tap("确认")
	if r.app.Screen() != scrManualID {
		t.Fatalf("went on with a wrong number: %s", r.app.Screen())
	}
	r.tap("删除")
	r.keys("X")
	if !r.shows("号码正确") {
		t.Fatalf("right number: %q", texts(r.win.Content()))
	}
	r.tap("确认")
	if r.app.Screen() != scrManualName || r.shows("122X") {
		t.Fatalf("after the number: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	for _, syl := range []struct{ letters, char string }{{"wang", "王"}, {"xiu", "秀"}, {"lan", "兰"}} {
		r.keys(syl.letters)
		r.tap(syl.char)
	}
	r.tap("确认")
	r.loop.until(t, "the confirm screen", func() bool { return r.app.Screen() == scrConfirm })
	if v := r.st.Session(); v.State != station.SessionManual || v.Person.Name != "王秀兰" {
		t.Fatalf("session: %+v", v)
	}
	for _, want := range []string{"王*兰", "1410**********122X", "以下是您输入的信息", "第4步/共6步"} {
		if !r.shows(want) {
			t.Errorf("confirm screen lacks %q: %q", want, texts(r.win.Content()))
		}
	}
	if len(r.app.f.id) != 0 {
		t.Error("the typed number outlives the entry screens")
	}
}

// An untouched registration is asked about, kept when the resident taps,
// and wiped when they do not. Lifting the card ends nothing.
func TestIdleTimeout(t *testing.T) {
	r := newRig(t, rigOptions{app: func(o *Options) { o.IdleTimeout = 90 * time.Second }})
	card, _ := idcardsim.Card("resident")
	r.layAndAgree(card)
	r.tap("确认")
	r.sim.Lift()
	r.waitStation("the card lifted", func() bool { return !r.st.Session().CardOnReader })
	r.loop.drain()
	if r.app.Screen() != scrPurpose {
		t.Fatalf("lifting the card left the purpose screen: %s", r.app.Screen())
	}

	r.tick(79 * time.Second)
	if r.shows("还要继续吗？") {
		t.Fatal("asked too early")
	}
	r.tick(2 * time.Second)
	if !r.shows("还要继续吗？") || !r.shows("9") {
		t.Fatalf("81s idle: %q", texts(r.win.Content()))
	}
	r.tap("继续")
	if r.shows("还要继续吗？") || r.app.Screen() != scrPurpose {
		t.Fatal("the question stays after 继续")
	}

	r.tick(85 * time.Second)
	if !r.shows("还要继续吗？") {
		t.Fatal("not asked again")
	}
	r.tick(5 * time.Second)
	if r.app.Screen() != scrAttract || r.shows("还要继续吗？") || r.shows("王秀兰") {
		t.Fatalf("after the timeout: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	if v := r.st.Session(); v.State != station.SessionIdle {
		t.Fatalf("session after the timeout: %+v", v)
	}
	if f := r.app.f; f.sess.Person != nil || f.purpose != "" || f.key != (sessionKey{}) {
		t.Fatalf("the flow kept %+v", f)
	}
}

// A name with a character of CJK Extension B (𠀾, U+2003E), which the
// bundled font lacks, goes through the card reader and onto the screen
// unchanged, and the screen draws without panicking.
func TestRareCharacterName(t *testing.T) {
	r := newRig(t, rigOptions{})
	card, _ := idcardsim.Card("resident")
	card.Name = "王秀𠀾"
	r.layAndAgree(card)
	if !r.shows("王*𠀾") || !r.shows("生僻字") {
		t.Fatalf("confirm screen: %q", texts(r.win.Content()))
	}
	if img := r.win.Canvas().Capture(); img.Bounds().Dx() != 1280 {
		t.Fatalf("capture: %v", img.Bounds())
	}
	// The note takes a line: the screen must still fit the 7-inch panel.
	small := fyne.NewSize(800, 480)
	r.win.Resize(small)
	r.loop.drain() // the screen built again for the window's new size
	if m := r.app.root.Objects[0].MinSize(); m.Width > small.Width || m.Height > small.Height {
		t.Errorf("least size %v is larger than the window", m)
	}
	checkFits(t, r.win.Content(), small)
	// Whatever face draws it (a system font with the character, else the
	// replacement glyph), it takes room: nothing is silently dropped.
	one := fyne.MeasureText("王", testBig, fyne.TextStyle{Bold: true}).Width
	two := fyne.MeasureText("王𠀾", testBig, fyne.TextStyle{Bold: true}).Width
	if two < one*1.5 {
		t.Fatalf("王𠀾 is %.0f wide, 王 %.0f", two, one)
	}
}

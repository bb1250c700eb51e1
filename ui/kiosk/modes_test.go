package kiosk

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/staffpin"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// hooks stands for the other packages' screens: it records what the App
// gave them.
type hooks struct {
	ctx  map[string]context.Context
	back map[string]func()
	lang map[string]string
}

func newHooks() *hooks {
	return &hooks{ctx: map[string]context.Context{}, back: map[string]func(){}, lang: map[string]string{}}
}

func (h *hooks) screen(name string) func(context.Context, string, func()) fyne.CanvasObject {
	return func(ctx context.Context, lang string, back func()) fyne.CanvasObject {
		h.ctx[name], h.back[name], h.lang[name] = ctx, back, lang
		return container.NewStack(text(name+" screen", testBody, ink, false))
	}
}

func (h *hooks) screens() Screens {
	return Screens{Staff: h.screen("staff"), StaffLogin: h.screen("login"), Tech: h.screen("tech")}
}

// pressPanel is a panel whose button presses the test makes.
type pressPanel struct{ ev chan panel.Event }

func (p *pressPanel) Run(ctx context.Context, events chan<- panel.Event) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-p.ev:
			events <- e
		}
	}
}

func (p *pressPanel) SetLED(panel.LED, panel.Pattern) {}
func (p *pressPanel) Beep(panel.Beep)                 {}
func (p *pressPanel) SetRelay(bool) error             { return nil }

// Staff mode comes up when a staff member logs in and goes when they log
// out; the log-in screen is a tap away; the technician's screen opens when
// its button or the station's name is held, and a late back from a mode
// already left changes nothing.
func TestModes(t *testing.T) {
	h := newHooks()
	p := &pressPanel{ev: make(chan panel.Event)}
	r := newRig(t, rigOptions{noCard: true,
		setup: func(o *appliance.Options) { o.Panel = p },
		app:   func(o *Options) { o.Screens = h.screens(); o.Lang = "en" }})
	mode := func(want string) {
		t.Helper()
		r.loop.until(t, want+" mode", func() bool { return r.app.Mode() == want })
	}

	r.tap("Staff log-in")
	mode("staff-login")
	if h.lang["login"] != "en" || !r.shows("login screen") {
		t.Fatalf("log-in screen: lang %q, on screen %q", h.lang["login"], texts(r.win.Content()))
	}
	if err := r.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
	mode("staff")
	if h.ctx["login"].Err() == nil {
		t.Error("the log-in screen's context outlived it")
	}
	h.back["login"]() // late: the log-in screen is gone already
	if r.app.Mode() != "staff" {
		t.Fatalf("a stale back left staff mode: %s", r.app.Mode())
	}
	r.st.StaffLogout()
	mode("resident")
	if r.app.Screen() != scrAttract || h.ctx["staff"].Err() == nil {
		t.Fatalf("after log-out: screen %q, staff context %v", r.app.Screen(), h.ctx["staff"].Err())
	}

	// The technician button on the panel: nobody is logged in, so the
	// log-in screen first, then the technician's screen for 李建国, a
	// technician.
	p.ev <- panel.Event{Kind: panel.LongPressed, Button: "tech", At: time.Now()}
	mode("staff-login")
	if err := r.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
	mode("tech")
	h.back["tech"]()
	r.tick(time.Second)
	mode("staff") // still logged in
	// The button again, a technician logged in: straight in. Logging
	// out closes it.
	p.ev <- panel.Event{Kind: panel.LongPressed, Button: "tech", At: time.Now()}
	mode("tech")
	r.st.StaffLogout()
	mode("resident")
	if h.ctx["tech"].Err() == nil {
		t.Fatal("the technician's screen outlived the log-out")
	}

	// The station's name held down on the attract screen.
	hold := r.app.live.holdLabel
	hold.MouseDown(&desktop.MouseEvent{})
	r.tick(2 * time.Second)
	hold.MouseUp(&desktop.MouseEvent{})
	r.tick(2 * time.Second)
	if r.app.Mode() != "resident" {
		t.Fatal("a short press opened the technician's screen")
	}
	r.app.live.holdLabel.MouseDown(&desktop.MouseEvent{})
	r.tick(HoldForTech)
	mode("staff-login")
	if err := r.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
	mode("tech")
}

// Holding the station's name or the technician button opened the logs
// and the configuration to anyone. Now a staff member without the
// technician role who logs in gets the staff screens, not the
// technician's, and the button does nothing for them.
func TestTechNeedsATechnician(t *testing.T) {
	h := newHooks()
	p := &pressPanel{ev: make(chan panel.Event)}
	var rd map[string]any
	json.Unmarshal(demo.RefData(), &rd)
	hash, err := staffpin.HashWith(staffpin.Params{Memory: 64, Time: 1, Threads: 1}, "1357")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range rd["staff"].([]any) {
		if st := st.(map[string]any); st["id"] == "s-0001" {
			st["pin_hash"] = hash // 赵丽娟, a community grid leader, not a technician
		}
	}
	raw, _ := json.Marshal(rd)
	r := newRig(t, rigOptions{noCard: true, refData: raw,
		setup: func(o *appliance.Options) { o.Panel = p },
		app:   func(o *Options) { o.Screens = h.screens(); o.Lang = "en" }})
	mode := func(want string) {
		t.Helper()
		r.loop.until(t, want+" mode", func() bool { return r.app.Mode() == want })
	}
	p.ev <- panel.Event{Kind: panel.LongPressed, Button: "tech", At: time.Now()}
	mode("staff-login")
	if _, ok := h.ctx["tech"]; ok {
		t.Fatal("the technician's screen was built before anyone logged in")
	}
	if err := r.st.StaffLoginPIN("s-0001", "1357"); err != nil {
		t.Fatal(err)
	}
	mode("staff")
	before := *r.st.Panel().TechAt
	p.ev <- panel.Event{Kind: panel.LongPressed, Button: "tech", At: time.Now()}
	r.waitStation("the button", func() bool { return !r.st.Panel().TechAt.Equal(before) })
	r.tick(time.Second)
	if _, ok := h.ctx["tech"]; ok || r.app.Mode() != "staff" {
		t.Fatalf("a staff member without the technician role got mode %s", r.app.Mode())
	}
	// The log-in screen left idle goes back to the residents'.
	r.st.StaffLogout()
	mode("resident")
	p.ev <- panel.Event{Kind: panel.LongPressed, Button: "tech", At: time.Now()}
	mode("staff-login")
	r.tick(2 * defaultIdle)
	mode("resident")
}

// A resident who pressed the help button sees that it worked, on the
// attract screen and on the others, until staff answer.
func TestHelpBanner(t *testing.T) {
	p := &pressPanel{ev: make(chan panel.Event)}
	r := newRig(t, rigOptions{noCard: true,
		setup: func(o *appliance.Options) { o.Panel = p },
		app:   func(o *Options) { o.Screens = newHooks().screens() }})
	const banner = "已呼叫工作人员"
	if r.shows(banner) {
		t.Fatal("a help banner before anyone asked")
	}
	p.ev <- panel.Event{Kind: panel.Pressed, Button: "help", At: time.Now()}
	r.waitStation("the help request", func() bool { return r.st.Panel().HelpSince != nil })
	r.tick(time.Second)
	if !r.shows(banner) || r.app.Screen() != scrAttract {
		t.Fatalf("attract screen after the help button: %q", texts(r.win.Content()))
	}
	r.tap("刷身份证登记")
	if r.app.Screen() != scrCard || !r.shows(banner) {
		t.Fatalf("screen %s after the help button: %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.st.ClearHelp() // as a staff log-in does
	r.tick(time.Second)
	if r.shows(banner) || r.app.Screen() != scrCard {
		t.Fatalf("screen %s after staff answered: %q", r.app.Screen(), texts(r.win.Content()))
	}
}

// Without the hooks, the modes stay shut: no staff button, and a staff
// log-in leaves the resident screens up.
func TestModesWithoutHooks(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	if r.shows("工作人员登录") {
		t.Fatal("a staff button without a log-in screen")
	}
	if err := r.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
	r.tick(time.Second)
	if r.app.Mode() != "resident" {
		t.Fatalf("mode %s without a staff screen", r.app.Mode())
	}
}

// Scanned codes: a refused appointment says why on the attract screen for
// a while, a receipt code says where its record is, and a valid
// appointment starts a registration with its purpose chosen.
func TestScans(t *testing.T) {
	dir := t.TempDir()
	signer, err := signedcode.NewSignerFile(filepath.Join(dir, "code.key"), "hub-test")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := signedcode.AttachKeys(demo.RefData(), signer.ForStation(demo.StationID))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	r := newRig(t, rigOptions{refData: rd,
		setup: func(o *appliance.Options) { o.Config.Devices.Scanner.Port = sim.Path() }})
	r.waitStation("the scanner", func() bool { return r.st.Health().Peripherals["scanner"].State == "ready" })
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	appt := func(station string) string {
		a, err := demo.Appointment(today)
		if err != nil {
			t.Fatal(err)
		}
		a.Station = station
		code, err := signer.Appointment(a)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}

	sim.Scan(appt("141029-zl-01"), qrscansim.How{})
	r.loop.until(t, "the refusal", func() bool { return r.shows("此码不是为本站签发的") })
	r.tick(noticeFor)
	if r.shows("此码不是为本站签发的") {
		t.Fatal("the refusal stays up")
	}

	sim.Scan(appliance.ReceiptCodePrefix+"01890000-0000-7000-8000-000000000000", qrscansim.How{})
	r.loop.until(t, "the receipt's state", func() bool { return r.shows("本站没有这条记录") })

	// The code names its resident masked: the screen asks for the card,
	// which confirms her and fills in her details.
	sim.Scan(appt(demo.StationID), qrscansim.How{})
	// The notice first: nothing of the resident shows before it.
	r.loop.until(t, "the notice", func() bool { return r.app.Screen() == scrConsent })
	if r.shows("王*兰") {
		t.Fatalf("the notice screen names the resident: %q", texts(r.win.Content()))
	}
	r.tap("同意")
	if !r.shows("王*兰") || !r.shows("请放置身份证") || r.shows("1410") {
		t.Fatalf("appointment screen: %q", texts(r.win.Content()))
	}
	card, _ := idcardsim.Card("resident")
	r.sim.Lay(card)
	// The resident agreed to the notice for the appointment already.
	r.loop.until(t, "the card's details", func() bool { return r.app.Screen() == scrConfirm && r.shows("1410**********122X") })
	if !r.shows("以下信息读自您的证件") {
		t.Fatalf("confirm screen: %q", texts(r.win.Content()))
	}
	r.tap("确认")
	var picked []string
	walk(r.win.Content(), nil, func(o fyne.CanvasObject, _ fyne.Tappable) {
		if b, ok := o.(*button); ok && b.look == chosen {
			picked = append(picked, b.label)
		}
	})
	if len(picked) != 1 || picked[0] != "证明开具" {
		t.Fatalf("chosen: %q", picked)
	}
}

package appliance

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// handClock is a local clock the test moves.
type handClock struct{ t time.Time }

func (c *handClock) now() time.Time          { return c.t }
func (c *handClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newHandClock() *handClock { return &handClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)} }

func manualReg(name string, at time.Time) registration {
	return registration{state: station.SessionManual, manual: &record.Person{Name: name}, started: at, touched: at}
}

// A registration keeps the record ID its first try claimed; a try for a
// registration another one replaced meanwhile gets none, never the new
// one's ID.
func TestSessionClaimID(t *testing.T) {
	clk := newHandClock()
	x := session{idle: time.Minute, local: clk.now, cur: registration{state: station.SessionIdle}}
	x.begin(manualReg("王秀兰", clk.now()), "")
	a := x.snapshot()
	if got := x.claimID(a.started, "id-1"); got != "id-1" {
		t.Fatalf("first claim = %q", got)
	}
	if got := x.claimID(a.started, "id-2"); got != "id-1" {
		t.Fatalf("second claim = %q, want the first one's id-1", got)
	}
	clk.advance(time.Second)
	x.begin(manualReg("李建国", clk.now()), "")
	if got := x.claimID(a.started, "id-3"); got != "" {
		t.Fatalf("a replaced registration claimed %q", got)
	}
	if got := x.snapshot(); got.recordID != "" || got.manual.Name != "李建国" {
		t.Fatalf("the new registration: %+v", got)
	}
}

// A registration nobody touched for the idle timeout is wiped; touching it
// postpones that; a submitted one keeps only its receipt.
func TestSessionIdleWipe(t *testing.T) {
	clk := newHandClock()
	x := session{idle: time.Minute, local: clk.now, cur: registration{state: station.SessionIdle}}
	x.begin(manualReg("王秀兰", clk.now()), "")
	clk.advance(50 * time.Second)
	x.touch()
	clk.advance(50 * time.Second)
	if got := x.snapshot(); got.state != station.SessionManual {
		t.Fatalf("a touched registration was wiped: %q", got.state)
	}
	x.submitted(&station.Ack{ID: "r"})
	if got := x.snapshot(); got.state != station.SessionSubmitted || got.manual != nil || got.ack.ID != "r" {
		t.Fatalf("submitted: %+v", got)
	}
	clk.advance(61 * time.Second)
	if got := x.snapshot(); got.state != station.SessionIdle || got.ack != nil {
		t.Fatalf("not wiped after the idle timeout: %+v", got)
	}
}

// The desk counts wrong PINs to the lock, keeps the lock for pinLock on
// the local clock, and ends a staff session left idle or past its badge.
func TestStaffDesk(t *testing.T) {
	clk := newHandClock()
	d := staffDesk{local: clk.now}
	at := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC) // the station's time
	for i := 1; i < pinTries; i++ {
		if k, locked := d.fail(clk.now(), at); locked || k.Fails != i {
			t.Fatalf("wrong PIN %d: %+v locked=%v", i, k, locked)
		}
	}
	k, locked := d.fail(clk.now(), at)
	if !locked || k.Fails != 0 || !k.LockedUntil.Equal(at.Add(pinLock)) {
		t.Fatalf("wrong PIN %d: %+v locked=%v", pinTries, k, locked)
	}
	if !d.locked(clk.now().Add(pinLock-time.Second)) || d.locked(clk.now().Add(pinLock)) {
		t.Fatal("the lock does not last pinLock")
	}
	d.fail(clk.now(), at)
	if !d.logIn(&station.StaffSession{ID: "s-1", Expires: at.Add(time.Hour)}, true) {
		t.Fatal("a PIN log-in after a wrong PIN did not say so (the kept count stays)")
	}
	if v, ended, _ := d.current(at); v == nil || ended != nil || v.ID != "s-1" {
		t.Fatalf("current: %+v ended %+v", v, ended)
	}
	clk.advance(staffIdle - time.Second)
	d.touch()
	clk.advance(staffIdle - time.Second)
	if v, _, _ := d.current(at); v == nil {
		t.Fatal("a touched staff session ended")
	}
	clk.advance(staffIdle + time.Second)
	if v, ended, idle := d.current(at); v != nil || ended == nil || !idle {
		t.Fatalf("idle: %+v ended %+v idle=%v", v, ended, idle)
	}
	d.logIn(&station.StaffSession{ID: "s-2", Expires: at.Add(time.Hour)}, false)
	if v, ended, idle := d.current(at.Add(time.Hour)); v != nil || ended.ID != "s-2" || idle {
		t.Fatalf("badge expired: %+v ended %+v idle=%v", v, ended, idle)
	}
	if d.logOut() != nil {
		t.Fatal("logged out someone after the session ended")
	}
}

// lampLog is a panel that records what the station set.
type lampLog struct {
	mu   sync.Mutex
	leds []panel.LED
}

func (p *lampLog) Run(ctx context.Context, _ chan<- panel.Event) error { <-ctx.Done(); return nil }
func (p *lampLog) Beep(panel.Beep)                                     {}
func (p *lampLog) SetRelay(bool) error                                 { return nil }
func (p *lampLog) SetLED(l panel.LED, _ panel.Pattern) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leds = append(p.leds, l)
}

func (p *lampLog) take() []panel.LED {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.leds
	p.leds = nil
	slices.Sort(l)
	return l
}

// The panel sets only the lamps whose pattern changes (setting a blinking
// lamp again restarts its beat), all of them after the lamp test; a help
// request is taken once until it is cleared.
func TestPanelLamps(t *testing.T) {
	hw := &lampLog{}
	p := frontPanel{hw: hw}
	plan := map[panel.LED]panel.Pattern{panel.LEDReady: panel.On, panel.LEDOffline: panel.Off, panel.LEDAttention: panel.Off, panel.LEDBusy: panel.Off}
	all := []panel.LED{panel.LEDReady, panel.LEDOffline, panel.LEDAttention, panel.LEDBusy}
	slices.Sort(all)
	p.setLamps(plan)
	if got := hw.take(); !slices.Equal(got, all) {
		t.Fatalf("first plan set %v, want every lamp", got)
	}
	p.setLamps(plan)
	if got := hw.take(); len(got) != 0 {
		t.Fatalf("the same plan set %v again", got)
	}
	plan[panel.LEDAttention] = panel.BlinkFast
	p.setLamps(plan)
	if got := hw.take(); !slices.Equal(got, []panel.LED{panel.LEDAttention}) {
		t.Fatalf("one change set %v", got)
	}
	p.forgetLamps()
	p.setLamps(plan)
	if got := hw.take(); !slices.Equal(got, all) {
		t.Fatalf("after the lamp test: %v, want every lamp", got)
	}
	now := time.Now()
	if !p.helpPressed(now) || p.helpPressed(now.Add(time.Second)) {
		t.Fatal("a help request is not taken exactly once")
	}
	if s := p.state(); s.HelpSince == nil || !s.HelpSince.Equal(now) || !s.Present {
		t.Fatalf("state: %+v", s)
	}
	if !p.clearHelp() || p.clearHelp() || p.state().HelpSince != nil {
		t.Fatal("clearing help")
	}
}

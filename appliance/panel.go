package appliance

import (
	"context"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// Panel is the kiosk's GPIO panel: buttons, status lamps, buzzer, presence
// sensor and relay (*panel.Panel). Declared here so tests and the
// simulation can pass what they like.
type Panel interface {
	Run(ctx context.Context, events chan<- panel.Event) error
	SetLED(l panel.LED, p panel.Pattern)
	Beep(b panel.Beep)
	SetRelay(on bool) error
}

// ledEvery bounds how stale a lamp may be should a change reach it
// untold. Everything the lamps show is told through SessionChanged (the
// session, devices, the print queue, the hub coming and going and its
// alerts), so this is a backstop, and an idle station does not read its
// health every second for it.
const ledEvery = time.Minute

// frontPanel is the kiosk's panel as the station drives it: the hardware, and
// what its inputs said and its lamps show. mu guards help, presence, tech
// and leds, and is taken only to copy them in or out: the hardware is
// never called with it held (a lamp or the relay may be slow to answer).
type frontPanel struct {
	hw Panel // nil without one; set at start

	mu       sync.Mutex
	help     time.Time
	presence bool
	tech     time.Time
	leds     map[panel.LED]panel.Pattern // what each lamp was last set to
}

// state is the panel's inputs for the screen and /healthz.
func (p *frontPanel) state() station.PanelState {
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := station.PanelState{Present: p.hw != nil, Presence: p.presence}
	if !p.help.IsZero() {
		t := p.help
		ps.HelpSince = &t
	}
	if !p.tech.IsZero() {
		t := p.tech
		ps.TechAt = &t
	}
	return ps
}

// clearHelp forgets a help request; was says there was one.
func (p *frontPanel) clearHelp() (was bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	was = !p.help.IsZero()
	p.help = time.Time{}
	return was
}

// helpPressed notes a help request at now; first says none was open.
func (p *frontPanel) helpPressed(now time.Time) (first bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if first = p.help.IsZero(); first {
		p.help = now
	}
	return first
}

func (p *frontPanel) techHeld(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tech = now
}

func (p *frontPanel) sensed(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.presence = on
}

func (p *frontPanel) beep(b panel.Beep) {
	if p.hw != nil {
		p.hw.Beep(b)
	}
}

// setLamps sets the lamps whose pattern plan changes. Only changes:
// setting a blinking lamp again would restart its beat.
func (p *frontPanel) setLamps(plan map[panel.LED]panel.Pattern) {
	p.mu.Lock()
	if p.leds == nil {
		p.leds = map[panel.LED]panel.Pattern{}
	}
	var change []panel.LED
	for l, pat := range plan {
		if cur, ok := p.leds[l]; !ok || cur != pat {
			p.leds[l] = pat
			change = append(change, l)
		}
	}
	p.mu.Unlock()
	for _, l := range change {
		p.hw.SetLED(l, plan[l])
	}
}

// forgetLamps makes the next setLamps set every lamp afresh, after
// something else (the lamp test) set them.
func (p *frontPanel) forgetLamps() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leds = nil
}

// Panel returns the panel's state.
func (s *Station) Panel() station.PanelState { return s.pnl.state() }

// ClearHelp answers a help request: the lamp and the relay go off.
func (s *Station) ClearHelp() {
	if s.pnl.clearHelp() && s.pnl.hw != nil {
		if err := s.pnl.hw.SetRelay(false); err != nil {
			s.log.Warn("appliance: relay off", "err", err)
		}
		s.notify()
	}
}

// CallHelp is the screen's 求助 (help) tile: it does what the panel's
// help button does, so staff are called the same way from either.
func (s *Station) CallHelp() { s.callHelp("tapped 求助 on the screen") }

// callHelp opens a help request unless one is open: the attention lamp
// blinks, the buzzer answers and the relay, when fitted, rings the call
// lamp or bell at the staff desk.
func (s *Station) callHelp(how string) {
	if !s.pnl.helpPressed(s.Now()) {
		return
	}
	s.log.Info("appliance: a resident " + how)
	s.pnl.beep(panel.BeepOK)
	if s.pnl.hw != nil {
		if err := s.pnl.hw.SetRelay(true); err != nil {
			s.log.Warn("appliance: relay on", "err", err)
		}
	}
	s.notify()
}

func (s *Station) runPanel(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.lampLoop(ctx)
	}()
	follow(ctx, s, s.pnl.hw.Run, s.panelEvent)
	<-done
}

func (s *Station) panelEvent(ev panel.Event) {
	switch {
	case ev.Kind == panel.Pressed && ev.Button == "help":
		s.callHelp("pressed the help button")
	case ev.Kind == panel.LongPressed && ev.Button == "tech":
		s.pnl.techHeld(s.Now())
		s.log.Info("appliance: technician button held")
		s.pnl.beep(panel.BeepLong)
	case ev.Kind == panel.PresenceOn, ev.Kind == panel.PresenceOff:
		on := ev.Kind == panel.PresenceOn
		s.pnl.sensed(on)
		if on && s.cfg.Devices.Scanner.Trigger != "" {
			// Someone stepped up: let a triggered scanner look for a code.
			if err := s.TriggerScan(); err != nil {
				s.log.Debug("appliance: trigger on presence", "err", err)
			}
		}
	}
}

// lampLoop keeps the status lamps in step with the station.
func (s *Station) lampLoop(ctx context.Context) {
	t := time.NewTicker(ledEvery)
	defer t.Stop()
	for {
		changed := s.SessionChanged()
		s.pnl.setLamps(s.lampPlan())
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-t.C:
		}
	}
}

// lampPlan says what each lamp shows:
//   - ready: on while the station takes records;
//   - offline: on while the hub cannot be reached (records wait safely);
//   - attention: fast blink for a help request, slow blink for a problem
//     a technician must see (printer, reader, rejected records, alerts);
//   - busy: on while a resident's session is open or receipts print.
func (s *Station) lampPlan() map[panel.LED]panel.Pattern {
	h := s.Health()
	sess := s.Session()
	p := s.Panel()
	plan := map[panel.LED]panel.Pattern{panel.LEDReady: panel.On, panel.LEDOffline: panel.Off, panel.LEDAttention: panel.Off, panel.LEDBusy: panel.Off}
	if h.Upstream.Configured && !h.Upstream.Online {
		plan[panel.LEDOffline] = panel.On
	}
	switch {
	case p.HelpSince != nil:
		plan[panel.LEDAttention] = panel.BlinkFast
	case len(h.Problems) > 0 || h.Outbox.Rejected > 0:
		plan[panel.LEDAttention] = panel.BlinkSlow
	}
	if sess.State != station.SessionIdle || h.Peripherals["printer"].Pending > 0 {
		plan[panel.LEDBusy] = panel.On
	}
	return plan
}

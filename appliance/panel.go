package appliance

import (
	"context"
	"time"

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

// ledEvery bounds how stale a lamp may be: a change the station is not
// told of (the hub going away) shows within this.
const ledEvery = time.Second

// PanelState is what the panel's inputs said, for the screen and /healthz.
type PanelState struct {
	Present bool `json:"present"` // a panel is configured
	// HelpSince is when a resident pressed the help button, until staff
	// log in or clear it; nil when nobody asked.
	HelpSince *time.Time `json:"help_since,omitempty"`
	// Presence is the presence sensor's word: someone is at the kiosk.
	Presence bool `json:"presence"`
	// TechAt is when the technician button was last held down.
	TechAt *time.Time `json:"tech_at,omitempty"`
}

// panelState is the station's memory of the panel, under Station.mu.
type panelState struct {
	help     time.Time
	presence bool
	tech     time.Time
	leds     map[panel.LED]panel.Pattern
}

// Panel returns the panel's state.
func (s *Station) Panel() PanelState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := PanelState{Present: s.panel != nil, Presence: s.pnl.presence}
	if !s.pnl.help.IsZero() {
		t := s.pnl.help
		ps.HelpSince = &t
	}
	if !s.pnl.tech.IsZero() {
		t := s.pnl.tech
		ps.TechAt = &t
	}
	return ps
}

// ClearHelp answers a help request: the lamp and the relay go off.
func (s *Station) ClearHelp() {
	s.mu.Lock()
	was := !s.pnl.help.IsZero()
	s.pnl.help = time.Time{}
	s.mu.Unlock()
	if was && s.panel != nil {
		if err := s.panel.SetRelay(false); err != nil {
			s.log.Warn("appliance: relay off", "err", err)
		}
		s.notify()
	}
}

func (s *Station) beep(b panel.Beep) {
	if s.panel != nil {
		s.panel.Beep(b)
	}
}

func (s *Station) runPanel(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.lampLoop(ctx)
	}()
	follow(ctx, s, s.panel.Run, s.panelEvent)
	<-done
}

func (s *Station) panelEvent(ev panel.Event) {
	switch {
	case ev.Kind == panel.Pressed && ev.Button == "help":
		s.mu.Lock()
		first := s.pnl.help.IsZero()
		if first {
			s.pnl.help = s.Now()
		}
		s.mu.Unlock()
		if first {
			s.log.Info("appliance: a resident pressed the help button")
			s.beep(panel.BeepOK)
			// The relay, when fitted, is the call lamp or bell at the
			// staff desk.
			if err := s.panel.SetRelay(true); err != nil {
				s.log.Warn("appliance: relay on", "err", err)
			}
		}
	case ev.Kind == panel.LongPressed && ev.Button == "tech":
		s.mu.Lock()
		s.pnl.tech = s.Now()
		s.mu.Unlock()
		s.log.Info("appliance: technician button held")
		s.beep(panel.BeepLong)
	case ev.Kind == panel.PresenceOn, ev.Kind == panel.PresenceOff:
		on := ev.Kind == panel.PresenceOn
		s.mu.Lock()
		s.pnl.presence = on
		s.mu.Unlock()
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
		s.setLamps(s.lampPlan())
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
	if sess.State != SessionIdle || h.Peripherals["printer"].Pending > 0 {
		plan[panel.LEDBusy] = panel.On
	}
	return plan
}

func (s *Station) setLamps(plan map[panel.LED]panel.Pattern) {
	s.mu.Lock()
	if s.pnl.leds == nil {
		s.pnl.leds = map[panel.LED]panel.Pattern{}
	}
	var change []panel.LED
	for l, pat := range plan {
		if cur, ok := s.pnl.leds[l]; !ok || cur != pat {
			s.pnl.leds[l] = pat
			change = append(change, l)
		}
	}
	s.mu.Unlock()
	// Only changes: setting a blinking lamp again would restart its beat.
	for _, l := range change {
		s.panel.SetLED(l, plan[l])
	}
}

package appliance

import (
	"context"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/gpio"
)

// Panel is the kiosk's GPIO panel: buttons, status lamps, buzzer, presence
// sensor and relay (*gpio.Panel). Declared here so tests and the
// simulation can pass what they like.
type Panel interface {
	Run(ctx context.Context, events chan<- gpio.Event) error
	SetLED(l gpio.LED, p gpio.Pattern)
	Beep(b gpio.Beep)
	SetRelay(on bool) error
}

// ledEvery bounds how stale a lamp may be: a change the station is not
// told of (the hub going away) shows within this.
const ledEvery = time.Second

// panelState is the station's memory of the panel, under Station.mu.
type panelState struct {
	help     time.Time
	presence bool
	tech     time.Time
	leds     map[gpio.LED]gpio.Pattern
}

// Panel returns the panel's state.
func (s *Station) Panel() station.PanelState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := station.PanelState{Present: s.panel != nil, Presence: s.pnl.presence}
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

func (s *Station) beep(b gpio.Beep) {
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

func (s *Station) panelEvent(ev gpio.Event) {
	switch {
	case ev.Kind == gpio.Pressed && ev.Button == "help":
		s.mu.Lock()
		first := s.pnl.help.IsZero()
		if first {
			s.pnl.help = s.Now()
		}
		s.mu.Unlock()
		if first {
			s.log.Info("appliance: a resident pressed the help button")
			s.beep(gpio.BeepOK)
			// The relay, when fitted, is the call lamp or bell at the
			// staff desk.
			if err := s.panel.SetRelay(true); err != nil {
				s.log.Warn("appliance: relay on", "err", err)
			}
		}
	case ev.Kind == gpio.LongPressed && ev.Button == "tech":
		s.mu.Lock()
		s.pnl.tech = s.Now()
		s.mu.Unlock()
		s.log.Info("appliance: technician button held")
		s.beep(gpio.BeepLong)
	case ev.Kind == gpio.PresenceOn, ev.Kind == gpio.PresenceOff:
		on := ev.Kind == gpio.PresenceOn
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
func (s *Station) lampPlan() map[gpio.LED]gpio.Pattern {
	h := s.Health()
	sess := s.Session()
	p := s.Panel()
	plan := map[gpio.LED]gpio.Pattern{gpio.LEDReady: gpio.On, gpio.LEDOffline: gpio.Off, gpio.LEDAttention: gpio.Off, gpio.LEDBusy: gpio.Off}
	if h.Upstream.Configured && !h.Upstream.Online {
		plan[gpio.LEDOffline] = gpio.On
	}
	switch {
	case p.HelpSince != nil:
		plan[gpio.LEDAttention] = gpio.BlinkFast
	case len(h.Problems) > 0 || h.Outbox.Rejected > 0:
		plan[gpio.LEDAttention] = gpio.BlinkSlow
	}
	if sess.State != station.SessionIdle || h.Peripherals["printer"].Pending > 0 {
		plan[gpio.LEDBusy] = gpio.On
	}
	return plan
}

func (s *Station) setLamps(plan map[gpio.LED]gpio.Pattern) {
	s.mu.Lock()
	if s.pnl.leds == nil {
		s.pnl.leds = map[gpio.LED]gpio.Pattern{}
	}
	var change []gpio.LED
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

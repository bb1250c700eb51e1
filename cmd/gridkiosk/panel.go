package main

import (
	"fmt"
	"log/slog"
	"time"

	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// pinsOf maps the config's [gpio] keys to the panel's functions.
func pinsOf(g config.GPIO) panel.Pins {
	return panel.Pins{Help: g.ButtonHelp, Tech: g.ButtonTech, LEDReady: g.LEDReady, LEDOffline: g.LEDOffline,
		LEDAttention: g.LEDAttention, LEDBusy: g.LEDBusy, Buzzer: g.Buzzer, Presence: g.Presence, Relay: g.Relay}
}

// openPanel opens the GPIO panel the config names, or the simulation's.
// A panel that cannot be opened is logged and left out: the kiosk works
// without its lamps and buttons, not the other way round.
func openPanel(cfg *config.Config, sim *simulation, log *slog.Logger) *panel.Panel {
	opt := panel.Options{Pins: pinsOf(cfg.GPIO), ByName: gpioreg.ByName, Log: log.With("device", "panel")}
	if sim != nil {
		opt.Pins, opt.ByName = sim.panel.Pins(), sim.panel.ByName
	} else {
		if opt.Pins == (panel.Pins{}) {
			return nil
		}
		if _, err := host.Init(); err != nil {
			log.Error("gridkiosk: GPIO panel left out: host.Init failed; check that /dev/gpiochip* exists and that gridkiosk may open it (gpio group)", "err", err)
			return nil
		}
	}
	p, err := panel.Open(opt)
	if err != nil {
		log.Error("gridkiosk: GPIO panel left out; run \"gridkiosk probe gpio\" to check the [gpio] pins", "err", err)
		return nil
	}
	return p
}

// PressButton presses a simulated panel button ("help" or "tech") for
// hold; it returns when the button is released.
func (s *simulation) PressButton(button string, hold time.Duration) error {
	if button != "help" && button != "tech" {
		return fmt.Errorf("no button %q (have help, tech)", button)
	}
	s.panel.Press(button, hold)
	return nil
}

// SetPresence has the simulated presence sensor see someone or no one.
func (s *simulation) SetPresence(on bool) { s.panel.Presence(on) }

// PanelOutputs reports the simulated lamps, buzzer and relay.
func (s *simulation) PanelOutputs() map[string]any {
	return map[string]any{"leds": s.panel.LEDs(), "buzzer": s.panel.Buzzer(), "beeps": s.panel.Beeps(), "relay": s.panel.Relay()}
}

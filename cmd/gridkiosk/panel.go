package main

import (
	"log/slog"

	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/sim"
)

// pinsOf maps the config's [gpio] keys to the panel's functions.
func pinsOf(g config.GPIO) panel.Pins {
	return panel.Pins{Help: g.ButtonHelp, Tech: g.ButtonTech, LEDReady: g.LEDReady, LEDOffline: g.LEDOffline,
		LEDAttention: g.LEDAttention, LEDBusy: g.LEDBusy, Buzzer: g.Buzzer, Presence: g.Presence, Relay: g.Relay}
}

// openPanel opens the GPIO panel the config names, or the simulation's.
// A panel that cannot be opened is logged and left out: the kiosk works
// without its lamps and buttons, not the other way round.
func openPanel(cfg *config.Config, w *sim.World, log *slog.Logger) *panel.Panel {
	plog := log.With("device", "panel")
	var p *panel.Panel
	var err error
	if w != nil {
		p, err = w.OpenPanel(plog)
	} else {
		opt := panel.Options{Pins: pinsOf(cfg.GPIO), ByName: gpioreg.ByName, Log: plog}
		if opt.Pins == (panel.Pins{}) {
			return nil
		}
		if _, err := host.Init(); err != nil {
			log.Error("gridkiosk: GPIO panel left out: host.Init failed; check that /dev/gpiochip* exists and that gridkiosk may open it (gpio group)", "err", err)
			return nil
		}
		p, err = panel.Open(opt)
	}
	if err != nil {
		log.Error("gridkiosk: GPIO panel left out; run \"gridkiosk probe gpio\" to check the [gpio] pins", "err", err)
		return nil
	}
	return p
}

package panel

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// LED is one of the panel's status LEDs.
type LED int

const (
	LEDReady     LED = iota // the kiosk serves residents
	LEDOffline              // the county hub is out of reach; work is queued
	LEDAttention            // a device needs a technician
	LEDBusy                 // a session is in progress
	numLEDs
)

var ledNames = [numLEDs]string{"ready", "offline", "attention", "busy"}

// String returns the LED's short name, e.g. "ready"; its config key is
// "led_" followed by it.
func (l LED) String() string {
	if l < 0 || l >= numLEDs {
		return fmt.Sprintf("LED(%d)", int(l))
	}
	return ledNames[l]
}

// LEDs returns every LED, in config order.
func LEDs() []LED { return []LED{LEDReady, LEDOffline, LEDAttention, LEDBusy} }

// Pattern is how an LED lights.
type Pattern int

const (
	Off       Pattern = iota
	On                // steadily lit
	BlinkSlow         // 1 Hz, lit half the time
	BlinkFast         // 4 Hz, lit half the time
	Pulse             // a 100ms flash every 2s: alive, nothing to report
)

var patternNames = []string{"off", "on", "blink-slow", "blink-fast", "pulse"}

func (p Pattern) String() string {
	if p < 0 || int(p) >= len(patternNames) {
		return fmt.Sprintf("Pattern(%d)", int(p))
	}
	return patternNames[p]
}

// cycle returns the pattern's period and how long of it the LED is lit,
// lit first; a zero period means the level never changes.
func (p Pattern) cycle() (period, lit time.Duration) {
	switch p {
	case BlinkSlow:
		return time.Second, 500 * time.Millisecond
	case BlinkFast:
		return 250 * time.Millisecond, 125 * time.Millisecond
	case Pulse:
		return 2 * time.Second, 100 * time.Millisecond
	}
	return 0, 0
}

// at returns the LED's level el after the pattern was set, and how long
// until it next changes (0: never). Working from the elapsed time, rather
// than toggling on each wake-up, keeps a late wake-up from shifting the
// rest of the pattern.
func (p Pattern) at(el time.Duration) (gpio.Level, time.Duration) {
	period, lit := p.cycle()
	if period == 0 {
		return p == On, 0
	}
	ph := el % period
	if ph < lit {
		return gpio.High, lit - ph
	}
	return gpio.Low, period - ph
}

// Beep is a pattern the buzzer plays once.
type Beep int

const (
	BeepShort Beep = iota // one 80ms beep: a card or code was read
	BeepOK                // two short beeps: done
	BeepError             // three 150ms beeps 100ms apart: that did not work
	BeepLong              // one 600ms beep: look at the screen
)

var beepNames = []string{"short", "ok", "error", "long"}

func (b Beep) String() string {
	if b < 0 || int(b) >= len(beepNames) {
		return fmt.Sprintf("Beep(%d)", int(b))
	}
	return beepNames[b]
}

// segments returns how long the buzzer sounds, is silent, sounds, … .
func (b Beep) segments() []time.Duration {
	const ms = time.Millisecond
	switch b {
	case BeepShort:
		return []time.Duration{80 * ms}
	case BeepOK:
		return []time.Duration{80 * ms, 80 * ms, 80 * ms}
	case BeepError:
		return []time.Duration{150 * ms, 100 * ms, 150 * ms, 100 * ms, 150 * ms}
	case BeepLong:
		return []time.Duration{600 * ms}
	}
	return nil
}

// Duration returns how long the beep pattern plays.
func (b Beep) Duration() time.Duration {
	var d time.Duration
	for _, s := range b.segments() {
		d += s
	}
	return d
}

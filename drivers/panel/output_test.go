package panel

import (
	"slices"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// runTo moves the clock to off through the changes of an output expected
// before it, waiting at each for Run to have made it and armed the next.
// changes must go on past off.
func (r *rig) runTo(off time.Duration, changes []time.Duration) {
	r.t.Helper()
	for i, ch := range changes {
		if ch > off {
			break
		}
		if ch <= r.now() {
			continue
		}
		if i+1 == len(changes) {
			r.t.Fatalf("test wants the level at %v, past the last change it lists", off)
		}
		r.fire(ch)
		r.armed(changes[i+1])
	}
	r.advanceTo(off)
}

func TestLEDPatterns(t *testing.T) {
	type check struct {
		at time.Duration
		l  gpio.Level
	}
	const H, L = gpio.High, gpio.Low
	for _, tt := range []struct {
		pat     Pattern
		changes []time.Duration // when Run is expected to change the level
		checks  []check
	}{
		{Off, nil, []check{{0, L}, {10 * time.Second, L}}},
		{On, nil, []check{{0, H}, {10 * time.Second, H}}},
		{BlinkSlow, []time.Duration{500 * ms, 1000 * ms, 1500 * ms, 2000 * ms, 2500 * ms},
			[]check{{0, H}, {250 * ms, H}, {499 * ms, H}, {500 * ms, L}, {999 * ms, L}, {1000 * ms, H}, {1700 * ms, L}, {2000 * ms, H}}},
		{BlinkFast, []time.Duration{125 * ms, 250 * ms, 375 * ms, 500 * ms, 625 * ms},
			[]check{{0, H}, {124 * ms, H}, {125 * ms, L}, {249 * ms, L}, {250 * ms, H}, {400 * ms, L}, {500 * ms, H}}},
		{Pulse, []time.Duration{100 * ms, 2000 * ms, 2100 * ms, 4000 * ms, 4100 * ms},
			[]check{{0, H}, {99 * ms, H}, {100 * ms, L}, {1000 * ms, L}, {1999 * ms, L}, {2000 * ms, H}, {2050 * ms, H}, {2100 * ms, L}, {4000 * ms, H}}},
	} {
		t.Run(tt.pat.String(), func(t *testing.T) {
			r := runRig(t, allPins())
			r.p.SetLED(LEDAttention, tt.pat)
			if len(tt.changes) > 0 {
				r.armed(tt.changes[0])
			}
			pin := r.pin("led_attention")
			for _, c := range tt.checks {
				r.runTo(c.at, tt.changes)
				if got := pin.Read(); got != c.l {
					t.Errorf("%v at %v: level %v, want %v", tt.pat, c.at, got, c.l)
				}
			}
			// The other LEDs were left alone.
			for _, key := range []string{"led_ready", "led_offline", "led_busy"} {
				if w := r.pin(key).written(); len(w) > 0 {
					t.Errorf("%s written: %v", key, w)
				}
			}
		})
	}
}

func TestLEDPatternChange(t *testing.T) {
	r := runRig(t, allPins())
	pin := r.pin("led_ready")
	r.p.SetLED(LEDReady, BlinkSlow)
	r.fire(500 * ms)
	r.armed(1000 * ms)
	r.advanceTo(700 * ms)
	r.p.SetLED(LEDReady, Pulse) // restarts from its first flash
	if pin.Read() != gpio.High {
		t.Fatal("LED not lit at once by Pulse")
	}
	r.fire(800 * ms)
	r.armed(2700 * ms)
	r.p.SetLED(LEDReady, On)
	r.advanceTo(5000 * ms)
	r.p.SetLED(LEDReady, Off)
	want := []levelAt{{0, gpio.High}, {500 * ms, gpio.Low}, {700 * ms, gpio.High}, {800 * ms, gpio.Low},
		{800 * ms, gpio.High}, {5000 * ms, gpio.Low}}
	if got := pin.written(); !slices.Equal(got, want) {
		t.Errorf("written %v, want %v", got, want)
	}
}

// highs returns the periods an output was high, from its levels written.
func highs(w []levelAt) [][2]time.Duration {
	var hs [][2]time.Duration
	for _, c := range w {
		switch {
		case c.l == gpio.High:
			hs = append(hs, [2]time.Duration{c.at, -1})
		case len(hs) > 0 && hs[len(hs)-1][1] == -1:
			hs[len(hs)-1][1] = c.at
		}
	}
	return hs
}

func TestBeeps(t *testing.T) {
	for _, tt := range []struct {
		b     Beep
		highs [][2]time.Duration // from, to
	}{
		{BeepShort, [][2]time.Duration{{0, 80 * ms}}},
		{BeepOK, [][2]time.Duration{{0, 80 * ms}, {160 * ms, 240 * ms}}},
		{BeepError, [][2]time.Duration{{0, 150 * ms}, {250 * ms, 400 * ms}, {500 * ms, 650 * ms}}},
		{BeepLong, [][2]time.Duration{{0, 600 * ms}}},
	} {
		t.Run(tt.b.String(), func(t *testing.T) {
			r := runRig(t, allPins())
			pin := r.pin("buzzer")
			r.p.Beep(tt.b)
			var changes []time.Duration
			for _, h := range tt.highs {
				if h[0] > 0 {
					changes = append(changes, h[0])
				}
				changes = append(changes, h[1])
			}
			for i, ch := range changes {
				r.fire(ch)
				if i+1 < len(changes) {
					r.armed(changes[i+1])
				}
			}
			poll(t, "the buzzer to stop", func() bool { return pin.Read() == gpio.Low })
			if got := highs(pin.written()); !slices.Equal(got, tt.highs) {
				t.Errorf("%v sounded %v, want %v", tt.b, got, tt.highs)
			}
			if d := tt.highs[len(tt.highs)-1][1]; tt.b.Duration() != d {
				t.Errorf("%v.Duration() = %v, want %v", tt.b, tt.b.Duration(), d)
			}
		})
	}
}

// TestBeepWokenLate checks that a loop woken long after a beep's
// segment ended (a loaded board) still sounds every beep and every gap,
// later, rather than running the two beeps of BeepOK into one.
func TestBeepWokenLate(t *testing.T) {
	r := runRig(t, allPins())
	pin := r.pin("buzzer")
	r.p.Beep(BeepOK)
	r.armed(80 * ms)
	r.advanceTo(500 * ms) // woken 420 ms late, past the whole beep
	r.fire(580 * ms)      // the gap, in full
	r.fire(660 * ms)      // the second beep, in full
	poll(t, "the buzzer to stop", func() bool { return pin.Read() == gpio.Low })
	want := [][2]time.Duration{{0, 500 * ms}, {580 * ms, 660 * ms}}
	if got := highs(pin.written()); !slices.Equal(got, want) {
		t.Errorf("BeepOK woken late sounded %v, want %v", got, want)
	}
}

func TestBeepReplaces(t *testing.T) {
	r := runRig(t, allPins())
	pin := r.pin("buzzer")
	r.p.Beep(BeepLong)
	r.armed(600 * ms)
	r.advanceTo(100 * ms)
	r.p.Beep(BeepShort)
	r.fire(180 * ms)
	poll(t, "the buzzer to stop", func() bool { return pin.Read() == gpio.Low })
	r.advanceTo(time.Second) // past the end of the long beep, whose timer fires unheard
	r.quiet()
	want := []levelAt{{0, gpio.High}, {180 * ms, gpio.Low}}
	if got := pin.written(); !slices.Equal(got, want) {
		t.Errorf("written %v, want %v", got, want)
	}
}

// TestBeepWithoutRun checks that a beep asked for while Run is not
// running does not leave the buzzer sounding.
func TestBeepWithoutRun(t *testing.T) {
	r := openRig(t, allPins())
	r.p.Beep(BeepLong)
	r.clk.Advance(time.Second)
	r.run()
	r.quiet()
	if w := r.pin("buzzer").written(); len(w) > 0 {
		t.Errorf("buzzer written %v", w)
	}
}

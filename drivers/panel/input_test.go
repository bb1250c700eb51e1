package panel

import (
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// act is one step of a scripted input test.
type act func(r *rig)

func edge(off time.Duration, key string, l gpio.Level) act {
	return func(r *rig) { r.t.Helper(); r.edge(off, key, l) }
}

func fire(off time.Duration) act { return func(r *rig) { r.t.Helper(); r.fire(off) } }

func armed(off time.Duration) act { return func(r *rig) { r.t.Helper(); r.armed(off) } }

func want(kind EventKind, button string, at, held time.Duration) act {
	return func(r *rig) { r.t.Helper(); r.want(kind, button, at, held) }
}

const (
	down = gpio.Low // the buttons close to ground
	up   = gpio.High
)

func TestInputs(t *testing.T) {
	for _, tt := range []struct {
		name   string
		script []act
	}{
		{"short press", []act{
			edge(0, "help", down), fire(30 * ms), armed(2000 * ms),
			edge(200*ms, "help", up), fire(230 * ms), want(Pressed, "help", 230*ms, 200*ms),
		}},
		{"long press fires once while held", []act{
			edge(0, "tech", down), fire(30 * ms), fire(2000 * ms), want(LongPressed, "tech", 2000*ms, 2000*ms),
			edge(5000*ms, "tech", up), fire(5030 * ms),
		}},
		{"bounce counts once", []act{
			edge(0, "help", down), edge(2*ms, "help", up), edge(5*ms, "help", down), edge(9*ms, "help", up),
			edge(12*ms, "help", down), fire(42 * ms), armed(2000 * ms),
			edge(500*ms, "help", up), edge(503*ms, "help", down), edge(506*ms, "help", up),
			fire(536 * ms), want(Pressed, "help", 536*ms, 500*ms),
		}},
		{"glitch shorter than debounce", []act{
			edge(0, "help", down), edge(10*ms, "help", up), fire(40 * ms),
		}},
		{"glitch while held", []act{
			edge(0, "help", down), fire(30 * ms), armed(2000 * ms),
			edge(500*ms, "help", up), edge(510*ms, "help", down), fire(540 * ms), armed(2000 * ms),
			edge(800*ms, "help", up), fire(830 * ms), want(Pressed, "help", 830*ms, 800*ms),
		}},
		{"released just before the long-press time", []act{
			// The release settles after the long-press time: it is no
			// long press all the same.
			edge(0, "help", down), fire(30 * ms), armed(2000 * ms),
			edge(1990*ms, "help", up), fire(2020 * ms), want(Pressed, "help", 2020*ms, 1990*ms),
		}},
		{"released just after the long-press time", []act{
			edge(0, "help", down), fire(30 * ms), fire(2000 * ms), want(LongPressed, "help", 2000*ms, 2000*ms),
			edge(2001*ms, "help", up), fire(2031 * ms),
		}},
		{"both buttons", []act{
			edge(0, "help", down), fire(30 * ms), armed(2000 * ms),
			edge(100*ms, "tech", down), fire(130 * ms), armed(2000 * ms),
			edge(300*ms, "tech", up), fire(330 * ms), want(Pressed, "tech", 330*ms, 200*ms), armed(2000 * ms),
			fire(2000 * ms), want(LongPressed, "help", 2000*ms, 2000*ms),
			edge(3000*ms, "help", up), fire(3030 * ms),
		}},
		{"presence on and off", []act{
			edge(0, "presence", gpio.High), fire(30 * ms), want(PresenceOn, "", 30*ms, 0),
			edge(60*time.Second, "presence", gpio.Low), fire(60*time.Second + 30*ms),
			want(PresenceOff, "", 60*time.Second+30*ms, 0),
		}},
		{"presence glitch", []act{
			edge(0, "presence", gpio.High), edge(5*ms, "presence", gpio.Low), fire(35 * ms),
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runRig(t, allPins())
			for _, a := range tt.script {
				a(r)
			}
			r.quiet()
		})
	}
}

// TestInputsAtStart checks that Run takes the levels it finds like edges.
func TestInputsAtStart(t *testing.T) {
	r := openRig(t, allPins())
	r.pin("presence").Pin.Out(gpio.High) // someone already there
	r.pin("tech").Pin.Out(down)          // held while the kiosk starts
	r.run()
	r.fire(30 * ms)
	r.want(PresenceOn, "", 30*ms, 0)
	r.fire(2000 * ms)
	r.want(LongPressed, "tech", 2000*ms, 2000*ms)
	r.edge(2500*ms, "tech", up)
	r.fire(2530 * ms)
	r.edge(3000*ms, "presence", gpio.Low)
	r.fire(3030 * ms)
	r.want(PresenceOff, "", 3030*ms, 0)
	r.quiet()
}

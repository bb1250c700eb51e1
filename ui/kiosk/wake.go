package kiosk

import "time"

// wake is when Run next hands Tick to Fyne's goroutine. A kiosk waits
// most of its day on the start screen; waking it every second there would
// cost a repaint a second for a clock that shows minutes. So the screens
// say what is next due and Run sleeps until then: the next minute for the
// clock, the end of a notice, a held station name, or every second while
// someone is at the kiosk (the idle countdown, the done screen's).
// Everything else the screens show is pushed by the station
// (SessionChanged), not polled.
type wake struct {
	// timer is Run's when it keeps time itself; nil when Options.Ticks
	// drives the screens (tests).
	timer *time.Timer
	// in is the sleep last asked for, from when it was asked.
	in time.Duration
}

// minTick keeps a wake-up due now from spinning.
const minTick = 10 * time.Millisecond

// schedule sets the next wake-up from what the screen shows now. Every
// change of screen or mode calls it; call it on Fyne's goroutine.
func (a *App) schedule() {
	d := max(a.nextTick(a.now()), minTick)
	a.wake.in = d
	if a.wake.timer != nil {
		a.wake.timer.Reset(d)
	}
}

// nextTick is how long the screens may sleep from now before something
// on them is due. With nothing due they still wake at the next minute, to
// turn the clock and to read the station once more.
func (a *App) nextTick(now time.Time) time.Duration {
	d := untilMinute(a.wallNow())
	if !a.pressed.IsZero() {
		d = min(d, a.pressed.Add(HoldForTech).Sub(now))
	}
	if a.notice.msg != "" {
		d = min(d, a.notice.until.Sub(now))
	}
	switch {
	case a.mode == staffLogin:
		d = min(d, time.Second)
	case a.mode != resident, a.screen == scrAttract:
	default:
		// Someone is at the kiosk: the idle countdown, the done
		// screen's, and the pinyin keyboard's letters are looked at
		// every second, as they always were.
		d = min(d, time.Second)
	}
	return d
}

// untilMinute is how long until the wall clock's next minute.
func untilMinute(t time.Time) time.Duration {
	return t.Truncate(time.Minute).Add(time.Minute).Sub(t)
}

package kiosk

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/voice/voicesim"
	vp "github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// logCatcher keeps the screens' log records, so a test can fail on a
// prompt the catalogue lacks.
type logCatcher struct {
	mu   sync.Mutex
	msgs []string
}

func (c *logCatcher) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCatcher) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *logCatcher) WithGroup(string) slog.Handler            { return c }
func (c *logCatcher) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, b.String())
	return nil
}

func (c *logCatcher) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.msgs)
}

// voiceRig is a rig whose kiosk speaks to a recorder that knows the
// catalogue. At the end of the test it fails on any prompt the screens
// asked for that the catalogue (and so the pack) lacks.
type voiceRig struct {
	*rig
	rec  *voicesim.Recorder
	logs *logCatcher
	seen int // requests already checked by heard
}

func newVoiceRig(t *testing.T, ro rigOptions) *voiceRig {
	t.Helper()
	v := &voiceRig{rec: voicesim.New(vp.IDs()), logs: &logCatcher{}}
	app := ro.app
	ro.app = func(o *Options) {
		o.Speaker, o.Log = v.rec, slog.New(v.logs)
		if app != nil {
			app(o)
		}
	}
	v.rig = newRig(t, ro)
	t.Cleanup(func() {
		if u := v.rec.Unknown(); len(u) > 0 {
			t.Errorf("the screens asked for prompts the catalogue lacks: %q", u)
		}
		for _, l := range v.logs.lines() {
			if strings.Contains(l, "voice prompt") || strings.Contains(l, "cannot be said") {
				t.Errorf("screens: %s", l)
			}
		}
	})
	return v
}

// heard checks the requests said since the last call, in order.
func (v *voiceRig) heard(want ...[]string) {
	v.t.Helper()
	v.loop.drain()
	said := v.rec.Said()
	got := said[v.seen:]
	v.seen = len(said)
	if len(got) != len(want) {
		v.t.Fatalf("said %q, want %q", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			v.t.Fatalf("request %d: said %q, want %q (all: %q)", i+1, got[i], want[i], got)
		}
	}
}

func ids(s ...string) []string { return s }

func screenSays(t *testing.T, name string) []string {
	t.Helper()
	ids, ok := vp.Screen(name)
	if !ok {
		t.Fatalf("voiceprompt has no screen %q", name)
	}
	return ids
}

// A resident's registration with a card, as heard: each screen's
// instruction once as it comes up (not again when a tap redraws it), the
// ticket character by character, the reminder to take the card back
// last, 再听一遍 saying it all again, and the start screen after.
func TestVoiceCardFlow(t *testing.T) {
	r := newVoiceRig(t, rigOptions{})
	r.heard(ids(vp.Attract))
	card, _ := idcardsim.Card("resident")
	r.lay(card)
	r.heard(ids(vp.Consent))
	r.tap("再听一遍")
	r.heard(ids(vp.Consent))
	r.tap("同意")
	r.heard(ids(vp.Confirm))
	r.tap("确认")
	r.heard(ids(vp.Purpose))
	r.tap("证明开具") // one tap on a tile moves on
	r.heard(ids(vp.Phone))
	r.keys("138")
	r.heard()
	r.tap("确认")
	r.heard(ids(vp.ErrPhoneShort))
	r.keys("35712345")
	r.tap("确认")
	r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
	ticket := r.app.f.ack.Ticket
	digits, err := vp.Ticket(ticket)
	if err != nil {
		t.Fatal(err)
	}
	finish := slices.Concat(ids(vp.Done), digits, ids(vp.TakeCard))
	r.heard(finish)
	if got := finish[1 : len(finish)-1]; len(got) != 1+len(ticket) || got[0] != vp.TicketIntro {
		t.Fatalf("ticket %s said as %q", ticket, got)
	}
	r.tap("再听一遍")
	r.heard(finish)
	// The done screen stays while the card lies forgotten on the reader.
	r.sim.Lift()
	r.loop.until(t, "the reminder gone", func() bool { return !r.shows("请取回您的身份证") })
	r.heard()
	r.tick(doneFor + time.Second)
	r.heard(ids(vp.Attract))
}

// Typed in: no card to take back, and the ID number's errors are said
// without naming the character to change.
func TestVoiceManualEntry(t *testing.T) {
	r := newVoiceRig(t, rigOptions{noCard: true})
	r.heard(ids(vp.Attract))
	r.tap("刷身份证登记")
	r.heard(ids(vp.Card))
	r.tap("没带身份证？输入号码")
	r.heard(ids(vp.Consent))
	r.tap("同意")
	r.heard(ids(vp.ManualID))
	r.keys("1410291952")
	r.tap("确认")
	r.heard(ids(vp.ErrIDShort))
	r.keys("03171228")
	r.tap("确认")
	r.heard(ids(vp.ErrIDCheck))
	r.tap("删除")
	r.keys("X")
	r.tap("确认")
	r.heard(ids(vp.ManualName))
	r.tap("确认") // no name yet
	r.heard(ids(vp.ErrName))
	for _, syl := range []struct{ letters, char string }{{"wang", "王"}, {"xiu", "秀"}, {"lan", "兰"}} {
		r.keys(syl.letters)
		r.tap(syl.char)
	}
	r.tap("确认")
	r.loop.until(t, "the confirm screen", func() bool { return r.app.Screen() == scrConfirm })
	r.heard(ids(vp.Confirm))
	r.tap("确认")
	r.tap("证明开具")
	r.tap("跳过，不留手机号")
	r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
	digits, _ := vp.Ticket(r.app.f.ack.Ticket)
	r.heard(ids(vp.Purpose), ids(vp.Phone), slices.Concat(ids(vp.Done), digits))
}

// The idle question is said when it comes up, then its last seconds one
// by one; 继续 stops the voice; untouched, the wipe brings the start
// screen's instruction.
func TestVoiceIdleCountdown(t *testing.T) {
	r := newVoiceRig(t, rigOptions{app: func(o *Options) { o.IdleTimeout = 90 * time.Second }})
	card, _ := idcardsim.Card("resident")
	r.lay(card)
	r.tap("同意")
	r.tap("确认")
	r.heard(ids(vp.Attract), ids(vp.Consent), ids(vp.Confirm), ids(vp.Purpose))

	r.tick(80 * time.Second)
	r.heard(ids(vp.IdleAsk))
	stops := r.rec.Stops()
	r.tap("继续")
	r.heard()
	if r.rec.Stops() == stops {
		t.Error("继续 left the idle question speaking")
	}

	r.tick(80 * time.Second)
	r.heard(ids(vp.IdleAsk))
	for n := 9; n >= 1; n-- {
		r.tick(time.Second)
		if n <= spokenCountdown {
			id, _ := vp.Countdown(n)
			r.heard(ids(id))
		} else {
			r.heard()
		}
	}
	r.tick(time.Second)
	if r.app.Screen() != scrAttract {
		t.Fatalf("after the countdown: %s", r.app.Screen())
	}
	r.heard(ids(vp.Attract))
}

// Declining the notice is said, then the start screen; the notice going
// away later says nothing more.
func TestVoiceDecline(t *testing.T) {
	r := newVoiceRig(t, rigOptions{})
	card, _ := idcardsim.Card("resident-hui")
	r.lay(card)
	r.heard(ids(vp.Attract), ids(vp.Consent))
	r.tap("不同意")
	r.heard(screenSays(t, "declined"))
	r.tick(noticeFor)
	r.heard()
}

// Every screen Show puts up says what the catalogue has for it, and only
// prompts the catalogue (so every pack checked against it) has; the done
// screen reads its ticket and reminds of the card.
func TestVoiceEveryScreen(t *testing.T) {
	r := newVoiceRig(t, rigOptions{noCard: true})
	for _, name := range Names() {
		// As if from another mode, so each screen is new to the voice.
		r.app.quiet()
		before := len(r.rec.Said())
		if err := r.app.Show(name); err != nil {
			t.Fatal(err)
		}
		r.loop.drain()
		got := slices.Concat(r.rec.Said()[before:]...)
		want := screenSays(t, name)
		switch name {
		case scrDone, "done-card":
			digits, _ := vp.Ticket("R0012")
			want = slices.Concat(ids(vp.Done), digits, ids(vp.TakeCard))
		case "idle":
			want = slices.Concat(screenSays(t, scrPurpose), screenSays(t, "idle"))
		}
		if len(got) == 0 || !slices.Equal(got, want) {
			t.Errorf("screen %s said %q, want %q", name, got, want)
		}
		if !r.shows("再听一遍") && name != "idle" {
			t.Errorf("screen %s has no 再听一遍 button: %q", name, texts(r.win.Content()))
		}
	}
	r.seen = len(r.rec.Said())
}

// A prompt the catalogue lacks is never handed to the speaker (it would
// fail the whole request in the player) and is logged as the screens'
// fault; the rest of the request is said.
func TestVoiceUnknownPrompt(t *testing.T) {
	rec := voicesim.New(vp.IDs())
	logs := &logCatcher{}
	r := newRig(t, rigOptions{noCard: true, app: func(o *Options) { o.Speaker, o.Log = rec, slog.New(logs) }})
	r.loop.drain()
	rec.Reset()
	r.app.say("screen.nowhere", vp.Attract)
	if got := rec.Said(); len(got) != 1 || !slices.Equal(got[0], ids(vp.Attract)) {
		t.Fatalf("said %q", got)
	}
	if l := logs.lines(); len(l) != 1 || !strings.Contains(l[0], "screen.nowhere") {
		t.Fatalf("log: %q", l)
	}
}

// Staff mode is silent: entering it stops the resident's prompt, and the
// start screen is said in full when the kiosk comes back.
func TestVoiceModes(t *testing.T) {
	r := newVoiceRig(t, rigOptions{noCard: true, app: func(o *Options) {
		o.Screens.StaffLogin = func(context.Context, string, func()) fyne.CanvasObject { return container.NewStack() }
	}})
	r.heard(ids(vp.Attract))
	stops := r.rec.Stops()
	r.app.enter(staffLogin)
	if r.rec.Stops() == stops {
		t.Error("entering staff log-in left the voice speaking")
	}
	r.heard()
	r.app.enter(resident)
	r.heard(ids(vp.Attract))
}

// After the done screen's prompts, the speaker beeps every cardBeepEvery
// while the card lies on the reader (the reader's emulator on a
// pseudo-terminal), and stops the moment the reader reports it lifted,
// or when the session ends with the card still there.
func TestVoiceCardBeep(t *testing.T) {
	for _, end := range []string{"lifted", "idle"} {
		t.Run(end, func(t *testing.T) {
			r := newVoiceRig(t, rigOptions{})
			r.heard(ids(vp.Attract))
			card, _ := idcardsim.Card("resident")
			r.layAndAgree(card)
			r.tap("确认")
			r.tap("证明开具")
			r.tap("跳过，不留手机号")
			r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
			digits, err := vp.Ticket(r.app.f.ack.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			r.heard(ids(vp.Consent), ids(vp.Confirm), ids(vp.Purpose), ids(vp.Phone),
				slices.Concat(ids(vp.Done), digits, ids(vp.TakeCard)))
			r.tick(cardBeepEvery - time.Second)
			r.heard() // the screen's own prompts first
			for range 3 {
				r.tick(time.Second)
				r.heard(ids(vp.CardBeep))
				r.tick(cardBeepEvery - time.Second)
				r.heard()
			}
			switch end {
			case "lifted":
				r.sim.Lift()
				r.loop.until(t, "the reminder gone", func() bool { return !r.shows("请取回您的身份证") })
				r.tick(time.Second)
				r.heard()
				r.tick(cardBeepEvery)
				r.heard()
			case "idle":
				r.tick(r.app.idle)
				if r.app.Screen() != scrAttract {
					t.Fatalf("the idle wipe left %s", r.app.Screen())
				}
				r.heard(ids(vp.Attract))
				r.tick(cardBeepEvery)
				r.heard()
			}
		})
	}
}

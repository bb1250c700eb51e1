package voicesim_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/drivers/voice/voicesim"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// speaker is what the screens will ask of a voice: the player and the
// recorder must both be one.
type speaker interface {
	Say(ids ...string)
	Again()
	Stop()
	SetMuted(bool)
	SetVolume(int)
}

var (
	_ speaker = (*voice.Player)(nil)
	_ speaker = (*voicesim.Recorder)(nil)
)

func TestRecorder(t *testing.T) {
	r := voicesim.New(voiceprompt.IDs())
	ticket, err := voiceprompt.Ticket("R0004")
	if err != nil {
		t.Fatal(err)
	}
	said := make(chan struct{})
	go func() {
		// From another goroutine, as Fyne's would.
		r.Say(voiceprompt.Attract)
		r.Say(ticket...)
		r.SetMuted(true)
		r.Say(voiceprompt.Confirm) // muted: not heard
		r.SetMuted(false)
		r.Again() // the 再听一遍 button: the confirm screen's prompt
		r.Say("screen.nowhere")
		r.Stop()
		r.SetVolume(130)
		close(said)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := r.WaitFor(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	<-said
	want := [][]string{{voiceprompt.Attract}, ticket, {voiceprompt.Confirm}, {"screen.nowhere"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Said() = %v, want %v", got, want)
	}
	if ids := r.IDs(); !slices.Equal(ids, slices.Concat(want...)) {
		t.Errorf("IDs() = %v", ids)
	}
	if u := r.Unknown(); !slices.Equal(u, []string{"screen.nowhere"}) {
		t.Errorf("Unknown() = %v, want the one prompt not in the catalogue", u)
	}
	if r.Stops() != 1 || r.Volume() != 100 {
		t.Errorf("Stops() = %d, Volume() = %d", r.Stops(), r.Volume())
	}
	r.Reset()
	if len(r.Said()) != 0 || len(r.Unknown()) != 0 {
		t.Error("Reset kept what was said")
	}
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := r.WaitFor(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor with nothing said: %v", err)
	}
}

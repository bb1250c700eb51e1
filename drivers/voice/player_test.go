package voice

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests play through the real aplay to ALSA's "file" plugin, which
// writes what reaches ALSA to a file (or a FIFO, to hold aplay mid-way)
// and needs no sound card.

// wait is the generous deadline for anything a test waits for.
const wait = 30 * time.Second

func needAplay(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aplay"); err != nil {
		t.Fatal("aplay not found: install alsa-utils (.ci/deps.sh does)")
	}
}

// fileDevice is the ALSA device that writes raw samples to path.
func fileDevice(path string) string { return "file:FILE=" + path + ",FORMAT=raw" }

func TestPlayReachesALSA(t *testing.T) {
	needAplay(t)
	a, b := tone(440, 0.4, mono22k), tone(660, 0.3, mono22k)
	pack := loadPack(t, map[string][]byte{"a": a, "b": b, "c": tone(300, 0.2, Format{2, 16000})})
	for _, tc := range []struct {
		name   string
		volume int
		want   []byte
	}{
		{"as recorded", 100, append(data(t, a), data(t, b)...)},
		{"half volume", 50, scale(scale(nil, data(t, a), 0.25), data(t, b), 0.25)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.raw")
			p := NewPlayer(pack, Options{Device: fileDevice(out)})
			p.SetVolume(tc.volume)
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			if err := p.Play(ctx, "a", "b"); err != nil {
				t.Fatalf("Play: %v", err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// ALSA pads the last period with silence.
			if !bytes.HasPrefix(got, tc.want) {
				t.Errorf("ALSA got %d bytes not starting with the %d of a then b at %d%%", len(got), len(tc.want), tc.volume)
			}
			if strings.Trim(string(got[len(tc.want):]), "\x00") != "" {
				t.Errorf("ALSA got more than a, b and silence")
			}
		})
	}
	t.Run("two formats", func(t *testing.T) {
		// Two aplay runs, the second writing over the first's file.
		out := filepath.Join(t.TempDir(), "out.raw")
		p := NewPlayer(pack, Options{Device: fileDevice(out)})
		if err := p.Play(context.Background(), "a", "c"); err != nil {
			t.Fatalf("Play: %v", err)
		}
		if got, _ := os.ReadFile(out); !bytes.HasPrefix(got, data(t, pack.mustRead(t, "c"))) {
			t.Errorf("ALSA's last stream is not c")
		}
	})
}

func TestPlayFails(t *testing.T) {
	needAplay(t)
	pack := loadPack(t, map[string][]byte{"a": tone(440, 0.2, mono22k)})
	out := filepath.Join(t.TempDir(), "out.raw")
	for _, tc := range []struct {
		name string
		opt  Options
		ids  []string
		want string
	}{
		{"prompt not in pack", Options{Device: fileDevice(out)}, []string{"a", "other"}, `prompt "other": no audio in the pack`},
		{"no such device", Options{Device: "gridkiosk-no-such-pcm"}, []string{"a"}, `ALSA device "gridkiosk-no-such-pcm"`},
		{"no aplay", Options{Aplay: "gridkiosk-no-aplay"}, []string{"a"}, "install alsa-utils"},
	} {
		err := NewPlayer(pack, tc.opt).Play(context.Background(), tc.ids...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Play: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a request with a missing prompt played part of itself: %v", err)
	}
	p := NewPlayer(pack, Options{Device: fileDevice(out)})
	p.SetMuted(true)
	if err := p.Play(context.Background(), "a"); err != nil || !p.Muted() {
		t.Errorf("muted Play: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a muted player played: %v", err)
	}
}

// done is what Options.Done reported.
type done struct {
	ids []string
	err error
}

// TestSayCutsShort holds aplay on a FIFO nobody reads past its start, as
// a slow sound card would, and asks for another prompt: the old aplay
// must die (its FIFO ends before its prompt) and the new prompt play.
func TestSayCutsShort(t *testing.T) {
	needAplay(t)
	long, short := tone(440, 5, mono22k), tone(660, 0.3, mono22k)
	pack := loadPack(t, map[string][]byte{"long": long, "b": short})
	fifo := filepath.Join(t.TempDir(), "alsa.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	dones := make(chan done)
	goOn := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	// Done holds Run until the test has read the FIFO to its end; a test
	// that fails lets it go by cancelling.
	p := NewPlayer(pack, Options{Device: fileDevice(fifo), Done: func(ids []string, err error) {
		select {
		case dones <- done{ids, err}:
		case <-ctx.Done():
			return
		}
		select {
		case <-goOn:
		case <-ctx.Done():
		}
	}})
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-ran; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}()

	r := openFIFO(t, fifo)
	p.Say("long")
	start := make([]byte, 4096)
	if _, err := io.ReadFull(r, start); err != nil {
		t.Fatalf("reading the start of the long prompt from ALSA: %v", err)
	}
	if !bytes.Equal(start, data(t, long)[:4096]) {
		t.Fatal("ALSA's stream does not start with the long prompt")
	}
	p.Say("b") // a new screen
	d := receive(t, dones)
	if d.ids[0] != "long" || !errors.Is(d.err, context.Canceled) {
		t.Fatalf("Done(%v, %v), want the long prompt cut short", d.ids, d.err)
	}
	rest, err := io.ReadAll(r) // ends when the killed aplay's end of the FIFO closes
	if err != nil {
		t.Fatal(err)
	}
	if n := len(start) + len(rest); n >= len(data(t, long)) {
		t.Errorf("ALSA got %d bytes of the long prompt's %d: it was not cut short", n, len(data(t, long)))
	}
	r.Close()

	r = openFIFO(t, fifo)
	goOn <- struct{}{} // Run goes on to "b"
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !bytes.HasPrefix(got, data(t, short)) {
		t.Errorf("after the cut, ALSA got %d bytes that are not prompt b", len(got))
	}
	if d := receive(t, dones); d.ids[0] != "b" || d.err != nil {
		t.Errorf("Done(%v, %v), want b played", d.ids, d.err)
	}
}

// TestRunEnds: cancelling Run's context kills the aplay it waits on.
func TestRunEnds(t *testing.T) {
	needAplay(t)
	long := tone(440, 5, mono22k)
	pack := loadPack(t, map[string][]byte{"long": long})
	fifo := filepath.Join(t.TempDir(), "alsa.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(pack, Options{Device: fileDevice(fifo)})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	r := openFIFO(t, fifo)
	defer r.Close()
	p.Say("long")
	if _, err := io.ReadFull(r, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-ran:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not end with its context")
	}
	if _, err := io.ReadAll(r); err != nil {
		t.Errorf("the FIFO did not end with aplay: %v", err)
	}
}

// TestMuteAndAgain: muting stops the request playing; a muted player
// plays nothing; Again replays the latest request once unmuted.
func TestMuteAndAgain(t *testing.T) {
	needAplay(t)
	pack := loadPack(t, map[string][]byte{"long": tone(440, 5, mono22k), "a": tone(500, 0.2, mono22k), "b": tone(600, 0.2, mono22k)})
	fifo := filepath.Join(t.TempDir(), "alsa.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.raw")
	dones := make(chan done, 8)
	p := NewPlayer(pack, Options{Device: fileDevice(fifo), Done: func(ids []string, err error) { dones <- done{ids, err} }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)

	r := openFIFO(t, fifo)
	p.Say("long")
	if _, err := io.ReadFull(r, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	p.SetMuted(true)
	if d := receive(t, dones); !errors.Is(d.err, context.Canceled) {
		t.Errorf("muting: Done(%v, %v), want the prompt cut short", d.ids, d.err)
	}
	r.Close()

	p.opt.Device = fileDevice(out) // Run is idle: nothing reads opt now
	p.Say("a", "b")
	p.SetMuted(false)
	p.SetVolume(100)
	p.Again()
	d := receive(t, dones)
	if strings.Join(d.ids, " ") != "a b" || d.err != nil {
		t.Fatalf("Again: Done(%v, %v), want a b played", d.ids, d.err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(data(t, pack.mustRead(t, "a")), data(t, pack.mustRead(t, "b"))...); !bytes.HasPrefix(got, want) {
		t.Error("Again did not play a then b")
	}
	select {
	case d := <-dones:
		t.Errorf("the muted Say played: Done(%v, %v)", d.ids, d.err)
	default:
	}
}

func loadPack(t testing.TB, files map[string][]byte) *Pack {
	t.Helper()
	p, err := LoadPack(writePack(t, files), catalogue())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustRead is the WAV file of a prompt of the pack.
func (p *Pack) mustRead(t *testing.T, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, p.entries[id].File))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openFIFO opens the FIFO for reading in the background: the open waits
// for aplay to open the other end.
func openFIFO(t *testing.T, path string) io.ReadCloser {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		f, err := os.Open(path)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		defer f.Close()
		_, err = io.Copy(pw, f)
		pw.CloseWithError(err)
	}()
	return pr
}

func receive(t *testing.T, ch <-chan done) done {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(wait):
		t.Fatal("no request ended")
		return done{}
	}
}

// TestChime: a chime while a prompt plays is dropped, not cutting it
// short; once the player is quiet it plays; and Again still says the
// latest request of Say, not the chime.
func TestChime(t *testing.T) {
	needAplay(t)
	pack := loadPack(t, map[string][]byte{"long": tone(440, 5, mono22k), "a": tone(500, 0.2, mono22k)})
	fifo := filepath.Join(t.TempDir(), "alsa.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.raw")
	dones := make(chan done, 8)
	p := NewPlayer(pack, Options{Device: fileDevice(fifo), Done: func(ids []string, err error) { dones <- done{ids, err} }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)

	r := openFIFO(t, fifo)
	p.Say("long")
	if _, err := io.ReadFull(r, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	p.Chime("a") // while "long" plays: dropped
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if n := 4096 + len(rest); n < len(data(t, pack.mustRead(t, "long"))) {
		t.Errorf("ALSA got %d bytes of the long prompt's %d: the chime cut it short", n, len(data(t, pack.mustRead(t, "long"))))
	}
	if d := receive(t, dones); strings.Join(d.ids, " ") != "long" || d.err != nil {
		t.Fatalf("Done(%v, %v), want long played in full", d.ids, d.err)
	}

	p.opt.Device = fileDevice(out) // Run is idle: nothing reads opt now
	p.Chime("a")
	if d := receive(t, dones); strings.Join(d.ids, " ") != "a" || d.err != nil {
		t.Fatalf("the chime on a quiet player: Done(%v, %v), want a played", d.ids, d.err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, data(t, pack.mustRead(t, "a"))) {
		t.Errorf("ALSA got %d bytes that are not the chime", len(got))
	}
	p.Again()
	if d := receive(t, dones); strings.Join(d.ids, " ") != "long" {
		t.Fatalf("Again after a chime: Done(%v, %v), want long", d.ids, d.err)
	}
	select {
	case d := <-dones:
		t.Errorf("the dropped chime played: Done(%v, %v)", d.ids, d.err)
	default:
	}
}

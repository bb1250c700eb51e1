package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a Player.
type Options struct {
	// Device is the ALSA PCM to play to (aplay -D); "default" when empty.
	Device string
	// Aplay is the aplay program; "aplay" (from PATH) when empty.
	Aplay string
	// Volume is the starting volume in percent of the recording; 100
	// when 0. SetVolume changes it.
	Volume int
	// Done, when set, is called from the player's goroutine after each
	// request of Say ends: played, interrupted (context.Canceled) or
	// failed.
	Done func(ids []string, err error)
	Log  *slog.Logger
}

// Player plays prompts of a pack, one request at a time. Play plays and
// waits; Say, Again and Stop are for the screens: they return at once and
// Run's goroutine does the playing.
type Player struct {
	pack *Pack
	opt  Options
	log  *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	volume  int
	muted   bool
	last    []string // the latest request, for Again
	pending *request // waiting for Run
	playing bool     // Run is playing a request
	cancel  func()   // of the request pending or playing
}

type request struct {
	ctx    context.Context
	cancel func()
	ids    []string
}

// NewPlayer returns a player of the pack's prompts.
func NewPlayer(pack *Pack, opt Options) *Player {
	if opt.Device == "" {
		opt.Device = "default"
	}
	if opt.Aplay == "" {
		opt.Aplay = "aplay"
	}
	if opt.Volume == 0 {
		opt.Volume = 100
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Player{pack: pack, opt: opt, log: log, wake: make(chan struct{}, 1), volume: min(max(opt.Volume, 0), 100)}
}

// SetVolume sets the volume, in percent of the recording (0 to 100),
// from the next request on.
func (p *Player) SetVolume(percent int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.volume = min(max(percent, 0), 100)
}

// Volume is the volume in percent of the recording.
func (p *Player) Volume() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.volume
}

// SetMuted mutes the player, stopping what Say asked for, or unmutes it.
func (p *Player) SetMuted(m bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.muted = m
	if m {
		p.stopLocked()
	}
}

// Muted reports whether the player is muted.
func (p *Player) Muted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.muted
}

// Say plays the prompts in order, in Run's goroutine, cutting short
// whatever was playing: the screen that asks is the one on show. It
// returns at once. A muted player says nothing, but remembers the
// prompts for Again.
func (p *Player) Say(ids ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
	p.last = slices.Clone(ids)
	if p.muted || len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.pending = &request{ctx: ctx, cancel: cancel, ids: p.last}
	p.cancel = cancel
	select {
	case p.wake <- struct{}{}:
	default: // Run has been woken already and will take the newest
	}
}

// Chime plays the prompt when nothing is being said nor waits to be, and
// drops it otherwise: a reminder repeated every few seconds (the beep
// while an ID card lies forgotten on the reader) must not cut short the
// ticket number it follows. Again still says the latest request of Say.
// It returns at once.
func (p *Player) Chime(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.muted || p.pending != nil || p.playing {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.pending = &request{ctx: ctx, cancel: cancel, ids: []string{id}}
	p.cancel = cancel
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Again says the latest request once more: the 再听一遍 button.
func (p *Player) Again() {
	p.mu.Lock()
	ids := p.last
	p.mu.Unlock()
	p.Say(ids...)
}

// Stop cuts short what is playing and drops what waits.
func (p *Player) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
}

func (p *Player) stopLocked() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.pending = nil
}

// Run plays what Say asks for until ctx ends, then stops what plays and
// returns ctx.Err(). A request that fails is logged (and passed to
// Options.Done); the next one is tried all the same.
func (p *Player) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			p.Stop()
			return ctx.Err()
		case <-p.wake:
		}
		p.mu.Lock()
		r := p.pending
		p.pending = nil
		p.playing = r != nil
		p.mu.Unlock()
		if r == nil {
			continue
		}
		playCtx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(r.ctx, cancel)
		err := p.Play(playCtx, r.ids...)
		stop()
		cancel()
		r.cancel()
		p.mu.Lock()
		p.playing = false
		p.mu.Unlock()
		if err != nil && !errors.Is(err, context.Canceled) {
			p.log.Warn("voice: prompt not played", "ids", strings.Join(r.ids, " "), "err", err)
		}
		if p.opt.Done != nil {
			p.opt.Done(r.ids, err)
		}
	}
}

// Play plays the prompts in order and returns when they have been played
// or ctx ends (then with ctx.Err(), the aplay killed). Every prompt is
// read before any plays, so a missing one fails the request rather than
// leave a gap in, say, a ticket number. Prompts of one format go to ALSA
// as one stream, with no gap between them. A muted player plays nothing.
func (p *Player) Play(ctx context.Context, ids ...string) error {
	p.mu.Lock()
	muted, g := p.muted, gain(p.volume)
	p.mu.Unlock()
	if muted || len(ids) == 0 {
		return nil
	}
	clips := make([]Clip, len(ids))
	for i, id := range ids {
		c, err := p.pack.Clip(id)
		if err != nil {
			return err
		}
		clips[i] = c
	}
	for start := 0; start < len(clips); {
		end := start + 1
		for end < len(clips) && clips[end].Format == clips[start].Format {
			end++
		}
		if err := p.aplay(ctx, clips[start:end], g); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// aplay plays clips of one format through one aplay process.
func (p *Player) aplay(ctx context.Context, clips []Clip, g float64) error {
	n := 0
	for _, c := range clips {
		n += len(c.Data)
	}
	stream := wavHeader(clips[0].Format, n)
	for _, c := range clips {
		stream = scale(stream, c.Data, g)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, p.opt.Aplay, "-q", "-D", p.opt.Device, "-t", "wav", "-")
	cmd.Stdin = bytes.NewReader(stream)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// aplay's messages in English whatever the station's locale, for the log.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Once killed, aplay is not waited for beyond this: its pipes may be
	// held by a child it left.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("voice: %s not found: install alsa-utils", p.opt.Aplay)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return fmt.Errorf("voice: aplay on ALSA device %q: %w: %s", p.opt.Device, err, msg)
	}
	return nil
}

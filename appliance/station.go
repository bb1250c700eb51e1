// Package appliance is the station: it turns what residents and staff do
// into validated records, commits each one durably before anyone is told
// "done", and keeps the forwarder draining them to the county hub. The UI,
// the admin API and headless tests all drive the same Station methods.
package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
	"github.com/gridkiosk/gridkiosk/internal/secretfile"
	"github.com/gridkiosk/gridkiosk/internal/spki"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// purgeEvery is how often delivered records past their retention are
// deleted. Retention is counted in days, so hourly is prompt enough.
const purgeEvery = time.Hour

// Options are what a Station needs besides its config.
type Options struct {
	Config  *config.Config
	Log     *slog.Logger
	Version string
	// Now is the board's clock as it is (default time.Now); the station
	// corrects it by NTP's or the hub's word (see Station.Now).
	Now func() time.Time
	// HTTP is the client for the hub; default one with the config's timeout.
	HTTP *http.Client
	// NTPSynced reports whether a time daemon has set the clock; default
	// asks the kernel.
	NTPSynced func() bool
	// Timing tunes the forwarder (tests shorten it); zero values take the
	// forwarder's defaults.
	Timing Timing
	// IDCard tunes the card reader's driver (tests shorten its polling).
	IDCard idcard.Options
	// OpenPort opens a serial device; default serialport.Open.
	OpenPort func(path string, baud int) (idcard.Port, error)
	// OpenPrinter opens the printer's line; default by devices.printer.
	OpenPrinter func() (printer.Conn, error)
	// Panel is the GPIO panel, opened by the caller (which owns the
	// board's GPIO registry); nil for a kiosk without one.
	Panel Panel
	// Voice is the kiosk's player, opened by the caller with the voice
	// pack; nil for a station that does not speak. VoiceInfo says what
	// the caller made of the pack (why there is no Voice, if so).
	Voice     Voice
	VoiceInfo VoiceInfo
	// SyncFault is for fault-injection tests only: see outbox.Options.
	SyncFault func(afterMeta bool) error
	// HealthTiming, when set, tunes the health reporter before it runs
	// (tests shorten its waits).
	HealthTiming func(*upstream.Reporter)
	// RAUC installs system updates; nil dials RAUC on RAUCBus ("": the
	// system bus). Reboot restarts into an installed update (default
	// systemctl reboot).
	RAUC    update.Installer
	RAUCBus string
	Reboot  func(context.Context) error
}

// Timing is the forwarder's pacing.
type Timing struct {
	MinBackoff, MaxBackoff, Idle, AuthRetry time.Duration
}

// Station owns the outbox and the forwarder; it is the front door that the
// screens, the admin API and the drivers' loops go through. Its methods
// are safe for concurrent use.
//
// Its state is kept by small parts, each guarding its own fields with its
// own lock: sess (the resident's registration), desk (staff logged in and
// the PIN keypad), pnl (the panel's inputs and lamps), changes (the
// SessionChanged channel), clock (the hub's offset), prn (print jobs), dev
// (what the drivers reported) and ref (the reference data); count (the
// metrics' counters) is atomic. No method holds the locks of two parts at
// once: a part never calls another part or the Station with its lock
// held, so there is no order between them to keep. The nestings are
// inside a part, each a lock held across something slow that takes the
// part's state lock briefly: the desk's PIN check (a hash; see staffDesk)
// and the print queue's line (the printer; see printQueue).
type Station struct {
	cfg *config.Config
	log *slog.Logger
	// local is the board's clock as it is: for intervals only (idle
	// timers, lockouts, uptime). Times of day come from Now.
	local   func() time.Time
	version string
	started time.Time
	box     *outbox.Outbox
	fwd     *upstream.Forwarder // nil without an upstream
	upShown upstreamShown
	clock   *clockTrust

	prn     *printQueue // nil without a printer
	openID  func(path string, baud int) (idcard.Port, error)
	cardOpt idcard.Options
	sysNet  string // the sysfs directory of network interfaces

	sess    session
	desk    staffDesk
	pnl     frontPanel
	changes changeNotice
	dev     devices
	ref     refs
	count   *counters
	voice   voiceDesk

	healthTiming func(*upstream.Reporter)
	reporter     atomic.Pointer[upstream.Reporter]
	upd          atomic.Pointer[update.Manager] // nil unless update.enabled and running
	updOpt       Options                        // RAUC, RAUCBus and Reboot
	// remind wakes the card reminder (cardReminder) after a registration
	// was stored with its card still on the reader.
	remind chan struct{}
}

// New opens the station's outbox in the configured data directory.
func New(opt Options) (*Station, error) {
	if opt.Config == nil {
		return nil, errors.New("appliance: no config")
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NTPSynced == nil {
		opt.NTPSynced = kernelNTPSynced
	}
	cfg := opt.Config
	clock := &clockTrust{local: opt.Now, ntpSynced: opt.NTPSynced, log: opt.Log}
	box, err := outbox.Open(cfg.Storage.Dir, outbox.Options{
		Retention: time.Duration(cfg.Storage.RetentionDays) * 24 * time.Hour,
		// Delivery times, retention and spent appointments are compared
		// with the times records carry: the station's clock.
		Now:       clock.Now,
		Log:       opt.Log,
		MaxBytes:  int64(cfg.Storage.MaxMB) << 20,
		MinFree:   int64(cfg.Storage.MinFreeMB) << 20,
		SyncFault: opt.SyncFault,
	})
	if err != nil {
		return nil, fmt.Errorf("appliance: %w", err)
	}
	s := &Station{
		cfg: cfg, log: opt.Log, local: opt.Now, version: opt.Version, started: opt.Now(),
		box: box, clock: clock,
		cardOpt:      opt.IDCard,
		sysNet:       "/sys/class/net",
		openID:       opt.OpenPort,
		sess:         session{idle: cfg.UI.IdleTimeout.Duration, local: opt.Now, cur: registration{state: station.SessionIdle}},
		desk:         staffDesk{local: opt.Now},
		pnl:          frontPanel{hw: opt.Panel},
		healthTiming: opt.HealthTiming,
		changes:      changeNotice{ch: make(chan struct{})},
		count:        newCounters(),
		voice:        voiceDesk{hw: opt.Voice, info: opt.VoiceInfo},
		remind:       make(chan struct{}, 1),
	}
	if s.ref.data, err = loadRefData(box); err != nil {
		// A damaged cache is replaced at the next fetch; meanwhile the
		// station works without signed codes rather than not at all.
		opt.Log.Error("appliance: cached reference data not used", "err", err)
	}
	s.loadPINKeypad()
	s.loadVoice()
	if p := cfg.Devices.Printer; p.Present() {
		open := opt.OpenPrinter
		if open == nil {
			open = func() (printer.Conn, error) { return OpenPrinter(p) }
		}
		s.prn = newPrintQueue(open, PrinterProfile(p), box, opt.Now, opt.Log.With("device", "printer"))
		s.prn.onChange = s.notify
		if err := s.prn.load(); err != nil {
			// The jobs stay on disk; staff print the receipts again from
			// the records.
			opt.Log.Error("appliance: kept print jobs not read", "err", err)
		}
	}
	if s.openID == nil {
		s.openID = func(path string, baud int) (idcard.Port, error) { return serialport.Open(path, baud) }
	}
	if cfg.Upstream.URL != "" {
		hc := opt.HTTP
		if hc == nil {
			trust, err := hubTrust(cfg.Upstream)
			if err != nil {
				box.Close()
				return nil, err
			}
			hc = upstream.NewHTTPClient(cfg.Upstream.Timeout.Duration, trust)
		}
		f := opt.Timing
		if f.MaxBackoff == 0 {
			f.MaxBackoff = cfg.Upstream.RetryMax.Duration
		}
		s.fwd = &upstream.Forwarder{
			BatchSize: cfg.Upstream.BatchSize, MinBackoff: f.MinBackoff, MaxBackoff: f.MaxBackoff,
			Idle: f.Idle, AuthRetry: f.AuthRetry, Log: opt.Log, Queue: box,
			Client: &upstream.Client{
				BaseURL: cfg.Upstream.URL, StationID: cfg.Station.ID, HTTP: hc,
				Token:       tokenFile(cfg.Upstream.TokenFile),
				Now:         opt.Now,
				ObserveDate: s.clock.observeHub,
			},
		}
		s.fwd.Changed = s.upstreamChanged
	}
	s.updOpt = Options{RAUC: opt.RAUC, RAUCBus: opt.RAUCBus, Reboot: opt.Reboot}
	return s, nil
}

// hubTrust is how the station checks the hub's certificate. A pin that
// does not parse is an error rather than left out, which would weaken the
// check.
func hubTrust(u config.Upstream) (*upstream.Trust, error) {
	t := &upstream.Trust{CAFile: u.CAFile, ReplaceRoots: u.CAMode == "replace"}
	if p, err := url.Parse(u.URL); err == nil {
		t.Host = p.Hostname()
	}
	for _, s := range u.PinSHA256 {
		pin, err := spki.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("appliance: upstream.pin_sha256: %w", err)
		}
		t.Pins = append(t.Pins, pin)
	}
	return t, nil
}

// tokenFile reads the station token on every use, so a technician can
// replace the file and the station picks it up without a restart.
func tokenFile(path string) func() (string, error) {
	return func() (string, error) {
		// The same rule as the station's own secrets; refused, the
		// records stay queued and the error names the chmod to run.
		b, err := secretfile.Read(path, 4096)
		if err != nil {
			return "", fmt.Errorf("read token file (upstream.token_file): %w", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("token file %s (upstream.token_file) is empty", path)
		}
		return tok, nil
	}
}

// Run forwards records and purges old delivered ones until ctx is done.
func (s *Station) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if s.fwd != nil {
		wg.Go(func() { s.fwd.Run(ctx) })
		wg.Go(func() { s.refDataLoop(ctx) })
		wg.Go(func() { s.runHealth(ctx) })
		wg.Go(func() {
			watchLinks(ctx, s.sysNet, linkEvery, func(iface string) { s.networkBack("link "+iface+" up", false) })
		})
	} else {
		s.log.Warn("appliance: no upstream.url configured; records stay queued at this station")
	}
	wg.Go(func() { s.purgeLoop(ctx) })
	wg.Go(func() { s.runUpdater(ctx) })
	if s.prn != nil {
		wg.Go(func() { s.prn.run(ctx) })
		wg.Go(func() { s.relayPrintJobs(ctx) })
	}
	if d := s.cfg.Devices.IDCard; d.Present() {
		wg.Go(func() { s.runIDCard(ctx, d.Port, d.Baud) })
	}
	if s.pnl.hw != nil {
		wg.Go(func() { s.runPanel(ctx) })
		wg.Go(func() { s.cardReminder(ctx) })
	}
	if d := s.cfg.Devices.Scanner; d.Present() {
		wg.Go(func() { s.runScanner(ctx, d) })
	}
	wg.Wait()
	return ctx.Err()
}

func (s *Station) purgeLoop(ctx context.Context) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		n, err := s.box.Purge()
		if err != nil {
			s.log.Error("appliance: purge delivered records", "err", err)
		} else if n > 0 {
			s.log.Info("appliance: purged delivered records past retention", "count", n, "retention_days", s.cfg.Storage.RetentionDays)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runIDCard polls the card reader and feeds its events to the session.
func (s *Station) runIDCard(ctx context.Context, port string, baud int) {
	opt := s.cardOpt
	opt.Log = s.log.With("device", "idcard")
	rd := idcard.NewReader(func() (idcard.Port, error) { return s.openID(port, baud) }, opt)
	follow(ctx, s, rd.Run, s.cardEvent)
}

// follow runs a driver's poll loop and applies each event it reports,
// telling SessionChanged's waiters, until ctx ends; it returns once the
// driver has stopped.
func follow[E any](ctx context.Context, s *Station, run func(context.Context, chan<- E) error, apply func(E)) {
	events := make(chan E, 4)
	var wg sync.WaitGroup
	wg.Go(func() { run(ctx, events) })
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			apply(ev)
			s.notify()
		}
	}
}

// PrinterProfile is the printer profile for the configured paper width
// and what the printer can report.
func PrinterProfile(p config.Printer) printer.Profile {
	prof := printer.Profile58()
	if p.Paper == "80mm" {
		prof = printer.Profile80()
	}
	if c, err := printer.ParseConfirm(p.Confirm); err == nil {
		prof.Confirm = c // "" (the default) keeps the profile's
	}
	prof.ASB, prof.Speed = p.ASB, p.Speed
	return prof
}

// OpenPrinter opens the printer's line as the config names it: serial
// port, USB printer device or TCP address, in that order.
func OpenPrinter(p config.Printer) (printer.Conn, error) {
	switch {
	case p.Port != "":
		return printer.OpenSerial(p.Port, p.Baud)
	case p.USB != "":
		return printer.OpenUSB(p.USB)
	default:
		return printer.DialTCP(p.TCP, 5*time.Second)
	}
}

// Now is the station's time: the board's clock as NTP set it, or
// corrected by the offset the county hub's authenticated answers showed.
// Everything the station writes or compares as a time of day uses it.
func (s *Station) Now() time.Time { return s.clock.Now() }

// Close closes the outbox. Call it after Run has returned.
func (s *Station) Close() error { return s.box.Close() }

// Config returns the station's configuration; callers must not change it.
func (s *Station) Config() *config.Config { return s.cfg }

// Submit validates a record, commits it durably and wakes the forwarder.
// A *record.FieldError means the submission was wrong and nothing was
// stored; any other error means the station could not store it.
func (s *Station) Submit(ctx context.Context, sub station.Submission) (station.Ack, error) {
	if err := ctx.Err(); err != nil {
		return station.Ack{}, err
	}
	p, err := decode(sub.Kind, sub.Payload)
	if err != nil {
		return station.Ack{}, err
	}
	return s.store(ctx, draft{payload: p, grid: sub.Grid, id: sub.ID})
}

// draft is a record on its way to the outbox: its payload typed, as the
// station's own callers build it or as Submit read it. store checks and
// encodes it once; nobody marshals a payload only to have it read again.
type draft struct {
	payload record.Payload
	grid    *grid.Path // nil: the station's own cell
	id      string     // a retry's record ID (Submission.ID); "": a new one

	// once, if set, is a one-time key the record spends (an appointment's
	// ID): the record is stored only if the key was not spent before, and
	// the key is remembered until onceUntil.
	once      string
	onceUntil time.Time
	// forget, if set, is a kept key the record ends (a volunteer's
	// check-in): stored only if the key is kept, and the key goes with it.
	forget string
	// session marks the card session's own retry, which makes the
	// payload again (a new consent time) under the session's record ID.
	session bool
}

// store checks a draft, commits it durably and wakes the forwarder: the
// one path every record takes to the outbox.
func (s *Station) store(ctx context.Context, d draft) (station.Ack, error) {
	if err := ctx.Err(); err != nil {
		return station.Ack{}, err
	}
	kind := kindOf(d.payload)
	// A record's time is the hub-corrected one when the local clock is
	// known to be off; its order never depends on it (sequence numbers).
	now, trusted := s.clock.now()
	payload, err := record.Encode(d.payload, now)
	if err != nil {
		return station.Ack{}, err
	}
	g := s.cfg.Station.Grid
	if d.grid != nil {
		g = d.grid.Within(g)
	}
	if err := g.Validate(); err != nil {
		var ge *grid.Error
		if errors.As(err, &ge) {
			return station.Ack{}, &record.FieldError{Field: "grid." + ge.Field, Msg: ge.Msg}
		}
		return station.Ack{}, err
	}
	gridJSON, err := json.Marshal(g)
	if err != nil {
		return station.Ack{}, fmt.Errorf("appliance: encode grid: %w", err)
	}
	id := d.id
	if id == "" {
		if id, err = record.NewID(now); err != nil {
			return station.Ack{}, err
		}
	} else if rc, found, err := s.storedBefore(d, kind, payload); found || err != nil {
		return rc, err
	}
	rec := &wire.Record{
		ID: id, Kind: kind, CreatedAt: now, ClockTrusted: trusted,
		Grid: gridJSON, Payload: payload,
	}
	if kind == wire.KindRegistration || kind == wire.KindMatter {
		// The key of the record's status page, which its receipt's link
		// carries: drawn here, so the receipt prints offline.
		rec.LinkKey = receiptcode.NewKey()
	}
	put := s.box.Put
	switch {
	case d.once != "":
		put = func(r *wire.Record) error { return s.box.PutOnce(r, d.once, d.onceUntil) }
	case d.forget != "":
		put = func(r *wire.Record) error { return s.box.PutForget(r, d.forget) }
	}
	if err := put(rec); err != nil {
		switch {
		case errors.Is(err, outbox.ErrUsed):
			return station.Ack{}, &signedcode.Refusal{Reason: signedcode.Used, Detail: "appointment " + d.once + " already made a registration here"}
		case errors.Is(err, outbox.ErrNotKept):
			return station.Ack{}, err
		case errors.Is(err, outbox.ErrUnknown):
			s.log.Error("appliance: record may or may not be stored; a retry with its ID will tell", "id", id, "kind", kind, "err", err)
			return station.Ack{}, &station.StorageUnknown{ID: id, Err: err}
		}
		s.log.Error("appliance: record not stored", "kind", kind, "err", err)
		return station.Ack{}, vocab(fmt.Errorf("appliance: %w", err))
	}
	if c := s.count.byKind[kind]; c != nil {
		c.Add(1)
	}
	s.log.Info("appliance: record stored", "id", id, "kind", kind, "seq", rec.Seq)
	if s.fwd != nil {
		s.fwd.Kick()
	}
	return station.Ack{ID: id, Ticket: ticket(kind, rec.Seq), Seq: rec.Seq, CreatedAt: now, ClockTrusted: trusted}, nil
}

// storedBefore finds a record an earlier try stored under id, for a
// retry: found with its acknowledgement when it is the same record, an error when
// id holds another one or is not an ID the station makes.
func (s *Station) storedBefore(d draft, kind string, payload json.RawMessage) (rc station.Ack, found bool, err error) {
	id := d.id
	if !record.ValidID(id) {
		return station.Ack{}, false, &record.FieldError{Field: "id", Msg: "must be the record ID (a UUIDv7) a previous try was given, or left out"}
	}
	if _, err := s.box.Lookup(id); errors.Is(err, outbox.ErrNotFound) {
		return station.Ack{}, false, nil
	}
	// Written again, so that a record whose first commit failed after
	// reaching the file is on disk for certain before anyone hears "done".
	r, e, err := s.box.Recommit(id)
	if err != nil {
		if errors.Is(err, outbox.ErrUnknown) {
			return station.Ack{}, false, &station.StorageUnknown{ID: id, Err: err}
		}
		return station.Ack{}, false, fmt.Errorf("appliance: look up record %s: %w", id, err)
	}
	// A session's retry makes its payload again, with a new consent
	// time; the session's own ID says it is the same record. An API
	// caller's retry sends the same payload.
	if r.Kind != kind || !d.session && string(r.Payload) != string(payload) {
		return station.Ack{}, false, &record.FieldError{Field: "id", Msg: "a different record is stored under this ID; send a new submission without an id"}
	}
	s.log.Info("appliance: record found stored by an earlier try", "id", id, "kind", kind, "seq", e.Seq)
	return station.Ack{ID: id, Ticket: ticket(kind, e.Seq), Seq: e.Seq, CreatedAt: r.CreatedAt, ClockTrusted: r.ClockTrusted, Repeat: true}, true, nil
}

// Lookup returns the local state of a record: queued, delivered or
// rejected. station.ErrNotFound means unknown here (or purged).
func (s *Station) Lookup(id string) (station.Row, error) {
	e, err := s.box.Lookup(id)
	if err != nil {
		return station.Row{}, vocab(err)
	}
	return row(e), nil
}

// Rejected lists the records the hub refused, for staff to look at.
func (s *Station) Rejected() ([]station.Row, error) {
	list, err := rows(s.box.Rejected())
	return s.describe(list), err
}

// Resend queues rejected records again once staff dealt with the reason.
func (s *Station) Resend(ids []string) (int, error) {
	n, err := s.box.Resend(ids)
	if n > 0 {
		s.log.Info("appliance: rejected records queued again", "count", n)
		if s.fwd != nil {
			s.fwd.Kick()
		}
	}
	return n, vocab(err)
}

// Records lists the records made since a time, newest first, with their
// state: the staff's list of the day.
func (s *Station) Records(since time.Time, max int) ([]station.Row, error) {
	list, err := rows(s.box.List(since, max))
	return s.describe(list), err
}

// Package raucsim is a fake RAUC for tests: it owns de.pengutronix.rauc
// on a bus (a private one from StartBus) and exports the Installer
// interface the real service does, with its methods, properties and
// Completed signal, so drivers/rauc and the station's update manager are
// tested over a real D-Bus connection.
//
// Its bundles are small files WriteBundle makes, saying their compatible,
// version and whether their signature holds; it refuses them with the
// messages RAUC 1.8 gives, installs them to the slot not booted with
// scripted progress steps, and keeps slot states and marks like RAUC's
// status file would.
package raucsim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"

	"github.com/gridkiosk/gridkiosk/drivers/rauc"
)

// RAUC 1.8's messages for the refusals a station must explain.
const (
	// MsgBadSignature is a bundle whose signature does not match its
	// content (tampered) or its key.
	MsgBadSignature = "signature verification failed: error:0200008A:rsa routines::invalid padding"
	// MsgUntrusted is a bundle signed by a key the keyring does not hold.
	MsgUntrusted = "Verification error: unable to get local issuer certificate"
	// MsgUnsigned is a file without RAUC's signature at its end.
	MsgUnsigned = "Signature size (0) exceeds bundle size"
)

// Signature says what RAUC finds when it checks a fake bundle's signature.
type Signature string

// The signatures a fake bundle can have.
const (
	SigGood      Signature = "good"
	SigBad       Signature = "bad"       // tampered
	SigUntrusted Signature = "untrusted" // another key
	SigNone      Signature = "none"      // not signed
)

const magic = "RAUCSIM1"

// Bundle is what a fake bundle file says about itself.
type Bundle struct {
	Compatible string
	Version    string
	Signature  Signature
	// Pad makes the file this many bytes longer, for downloads to
	// resume part way.
	Pad int
}

// Encode is the bundle's file content.
func (b Bundle) Encode() []byte {
	sig := b.Signature
	if sig == "" {
		sig = SigGood
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s\ncompatible=%s\nversion=%s\nsignature=%s\n\n", magic, b.Compatible, b.Version, sig)
	for i := 0; i < b.Pad; i++ {
		buf.WriteByte(byte('a' + i%26))
	}
	return buf.Bytes()
}

// WriteBundle writes a fake bundle to path.
func WriteBundle(path string, b Bundle) error {
	if err := os.WriteFile(path, b.Encode(), 0o644); err != nil {
		return fmt.Errorf("raucsim: %w", err)
	}
	return nil
}

// ReadBundle reads a fake bundle's header. A file that is not one is
// RAUC's unsigned file.
func ReadBundle(path string) (Bundle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Bundle{}, &raucMsg{msg: "Failed to open bundle: " + err.Error(), err: err}
	}
	return ParseBundle(data)
}

// ParseBundle reads a fake bundle's header from its content.
func ParseBundle(data []byte) (Bundle, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() || sc.Text() != magic {
		return Bundle{}, &raucMsg{msg: MsgUnsigned}
	}
	var b Bundle
	for sc.Scan() && sc.Text() != "" {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			return Bundle{}, fmt.Errorf("manifest line %q is not key=value", sc.Text())
		}
		switch k {
		case "compatible":
			b.Compatible = v
		case "version":
			b.Version = v
		case "signature":
			b.Signature = Signature(v)
		}
	}
	return b, nil
}

// Step is one progress step of an install.
type Step struct {
	Percent int
	Message string
}

// DefaultSteps are the steps RAUC reports for a one-slot bundle.
var DefaultSteps = []Step{
	{0, "Installing"}, {5, "Determining slot states"}, {20, "Checking bundle"},
	{40, "Checking bundle done."}, {60, "Copying image to rootfs.1"}, {100, "Installing done."},
}

// Config is the simulated system.
type Config struct {
	Compatible string // the system's, e.g. gridkiosk-amd64
	Booted     string // the booted slot's bootname, "A" (default) or "B"
	// BootedVersion is the bundle version RAUC's status file has for the
	// booted slot; BootStatus its boot loader state (default "good").
	BootedVersion string
	BootStatus    string
	Steps         []Step // default DefaultSteps
}

type slot struct {
	name, bootname, device         string
	version, compatible, installed string
	good                           string // good, bad
	status                         string
}

// Sim is a running fake RAUC. Its methods are safe for concurrent use.
type Sim struct {
	conn  *dbus.Conn
	props *prop.Properties
	cfg   Config

	mu       sync.Mutex
	slots    [2]slot
	booted   int
	primary  int
	busy     bool
	fail     string        // the next install's failure, if set
	hold     chan struct{} // the next install waits on it after its first step
	held     chan struct{} // closed when that install reached the hold
	waiting  chan struct{} // the hold a running install waits on
	installs []string
	marks    []string
	done     sync.WaitGroup
}

// Start connects to the bus at address, exports the Installer interface
// on "/" and takes RAUC's name.
func Start(address string, cfg Config) (*Sim, error) {
	if cfg.Booted == "" {
		cfg.Booted = "A"
	}
	if cfg.BootStatus == "" {
		cfg.BootStatus = "good"
	}
	if cfg.Steps == nil {
		cfg.Steps = DefaultSteps
	}
	conn, err := dbus.Connect(address)
	if err != nil {
		return nil, fmt.Errorf("raucsim: connect: %w", err)
	}
	s := &Sim{conn: conn, cfg: cfg}
	s.slots = [2]slot{
		{name: "rootfs.0", bootname: "A", device: "/dev/disk/by-partlabel/rootfs-a", good: "good"},
		{name: "rootfs.1", bootname: "B", device: "/dev/disk/by-partlabel/rootfs-b", good: "good"},
	}
	if cfg.Booted == "B" {
		s.booted = 1
	}
	s.primary = s.booted
	b := &s.slots[s.booted]
	b.version, b.compatible, b.good, b.status = cfg.BootedVersion, cfg.Compatible, cfg.BootStatus, "ok"
	if err := s.export(); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sim) export() error {
	if err := s.conn.Export(installer{s}, rauc.Path, rauc.Interface); err != nil {
		return fmt.Errorf("raucsim: export: %w", err)
	}
	props, err := prop.Export(s.conn, rauc.Path, prop.Map{rauc.Interface: {
		"Operation":  {Value: "idle", Emit: prop.EmitTrue},
		"LastError":  {Value: "", Emit: prop.EmitTrue},
		"Progress":   {Value: progress{0, "", 1}, Emit: prop.EmitTrue},
		"Compatible": {Value: s.cfg.Compatible, Emit: prop.EmitConst},
		"Variant":    {Value: "", Emit: prop.EmitConst},
		"BootSlot":   {Value: s.cfg.Booted, Emit: prop.EmitConst},
	}})
	if err != nil {
		return fmt.Errorf("raucsim: export properties: %w", err)
	}
	s.props = props
	node := &introspect.Node{Name: string(rauc.Path), Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{Name: rauc.Interface, Methods: introspect.Methods(installer{s}), Properties: props.Introspection(rauc.Interface),
			Signals: []introspect.Signal{{Name: "Completed", Args: []introspect.Arg{{Name: "result", Type: "i"}}}}},
	}}
	if err := s.conn.Export(introspect.NewIntrospectable(node), rauc.Path, "org.freedesktop.DBus.Introspectable"); err != nil {
		return fmt.Errorf("raucsim: export introspection: %w", err)
	}
	reply, err := s.conn.RequestName(rauc.Service, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("raucsim: request name %s: %w", rauc.Service, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("raucsim: name %s is taken on this bus", rauc.Service)
	}
	return nil
}

// progress is RAUC's (isi) Progress property.
type progress struct {
	Percent int32
	Message string
	Depth   int32
}

// Close waits for a running install and leaves the bus.
func (s *Sim) Close() error {
	s.Release()
	s.done.Wait()
	return s.conn.Close()
}

// FailNext makes the next install fail with msg as RAUC's LastError,
// after its first progress steps (as a write error would).
func (s *Sim) FailNext(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = msg
}

// Hold makes the next install stop after its first progress step until
// Release; the channel it returns is closed once an install is held.
func (s *Sim) Hold() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.held = make(chan struct{}), make(chan struct{})
	return s.held
}

// Release lets a held install go on.
func (s *Sim) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range []*chan struct{}{&s.hold, &s.waiting} {
		if *h != nil {
			close(*h)
			*h = nil
		}
	}
}

// Installs lists the sources of the installs asked for, in order.
func (s *Sim) Installs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.installs...)
}

// Marks lists the marks asked for, as "state slot", in order.
func (s *Sim) Marks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.marks...)
}

// installer is the exported object: its methods are RAUC's.
type installer struct{ s *Sim }

func failed(msg string) *dbus.Error {
	return dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{msg})
}

// InstallBundle starts an install and returns; Completed tells the end.
func (in installer) InstallBundle(source string, args map[string]dbus.Variant) *dbus.Error {
	s := in.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy {
		return failed("Already processing a different method")
	}
	ignoreCompat, _ := args["ignore-compatible"].Value().(bool)
	s.busy = true
	s.installs = append(s.installs, source)
	fail := s.fail
	s.fail = ""
	hold, held := s.hold, s.held
	s.hold, s.held, s.waiting = nil, nil, hold
	s.done.Add(1)
	go s.install(source, ignoreCompat, fail, hold, held)
	return nil
}

// Install is RAUC's older, argument-less InstallBundle.
func (in installer) Install(source string) *dbus.Error {
	return in.InstallBundle(source, nil)
}

func (s *Sim) install(source string, ignoreCompat bool, fail string, hold, held chan struct{}) {
	defer s.done.Done()
	s.props.SetMust(rauc.Interface, "Operation", "installing")
	s.props.SetMust(rauc.Interface, "LastError", "")
	var b Bundle
	for i, st := range s.cfg.Steps {
		s.props.SetMust(rauc.Interface, "Progress", progress{int32(st.Percent), st.Message, 1})
		if i == 0 && hold != nil {
			close(held)
			<-hold
		}
		if i == min(2, len(s.cfg.Steps)-1) {
			// RAUC checks the bundle after determining the slots.
			var err error
			b, err = s.check(source, ignoreCompat)
			if err == nil && fail != "" {
				err = errors.New(fail)
			}
			if err != nil {
				s.finish(err.Error(), Bundle{})
				return
			}
		}
	}
	s.finish("", b)
}

// check reads and checks a bundle as RAUC would before writing a slot.
func (s *Sim) check(source string, ignoreCompat bool) (Bundle, error) {
	b, err := ReadBundle(source)
	if err != nil {
		return Bundle{}, err
	}
	switch b.Signature {
	case SigBad:
		return Bundle{}, &raucMsg{msg: MsgBadSignature}
	case SigUntrusted:
		return Bundle{}, &raucMsg{msg: MsgUntrusted}
	case SigNone:
		return Bundle{}, &raucMsg{msg: MsgUnsigned}
	}
	if !ignoreCompat && b.Compatible != s.cfg.Compatible {
		return Bundle{}, &raucMsg{msg: fmt.Sprintf("Compatible mismatch: Expected '%s' but bundle manifest has '%s'", s.cfg.Compatible, b.Compatible)}
	}
	return b, nil
}

// finish ends an install: the other slot written and made primary, or
// the error kept as LastError; then Completed.
func (s *Sim) finish(lastErr string, b Bundle) {
	result := int32(0)
	s.mu.Lock()
	if lastErr == "" {
		o := &s.slots[1-s.booted]
		o.version, o.compatible, o.status, o.good = b.Version, b.Compatible, "ok", "good"
		o.installed = time.Now().UTC().Format(time.RFC3339)
		s.primary = 1 - s.booted
	} else {
		result = 1
	}
	s.busy = false
	s.mu.Unlock()
	s.props.SetMust(rauc.Interface, "LastError", lastErr)
	s.props.SetMust(rauc.Interface, "Operation", "idle")
	s.conn.Emit(rauc.Path, rauc.Interface+".Completed", result)
}

// Info reads a bundle's compatible and version, checking its signature.
func (in installer) Info(bundle string) (string, string, *dbus.Error) {
	b, err := ReadBundle(bundle)
	if err == nil {
		switch b.Signature {
		case SigBad:
			err = &raucMsg{msg: MsgBadSignature}
		case SigUntrusted:
			err = &raucMsg{msg: MsgUntrusted}
		case SigNone:
			err = &raucMsg{msg: MsgUnsigned}
		}
	}
	if err != nil {
		return "", "", failed(err.Error())
	}
	return b.Compatible, b.Version, nil
}

// Mark marks a slot good, bad or active.
func (in installer) Mark(state, slotID string) (string, string, *dbus.Error) {
	s := in.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i := -1
	switch slotID {
	case "booted":
		i = s.booted
	case "other":
		i = 1 - s.booted
	default:
		for j := range s.slots {
			if s.slots[j].name == slotID {
				i = j
			}
		}
	}
	if i < 0 {
		return "", "", failed(fmt.Sprintf("No slot with class rootfs and name %s found", slotID))
	}
	sl := &s.slots[i]
	switch state {
	case "good", "bad":
		sl.good = state
	case "active":
		s.primary, sl.good = i, "good"
	default:
		return "", "", failed(fmt.Sprintf("Invalid state '%s'", state))
	}
	s.marks = append(s.marks, state+" "+sl.name)
	return sl.name, fmt.Sprintf("marked slot %s as %s", sl.name, state), nil
}

// GetPrimary names the slot the boot loader boots next.
func (in installer) GetPrimary() (string, *dbus.Error) {
	s := in.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slots[s.primary].name, nil
}

// slotEntry is one entry of GetSlotStatus's a(sa{sv}).
type slotEntry struct {
	Name   string
	Status map[string]dbus.Variant
}

// GetSlotStatus lists the slots with RAUC's keys.
func (in installer) GetSlotStatus() ([]slotEntry, *dbus.Error) {
	s := in.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []slotEntry
	for i, sl := range s.slots {
		state := "inactive"
		switch {
		case i == s.booted:
			state = "booted"
		case i == s.primary:
			state = "active"
		}
		st := map[string]dbus.Variant{
			"class": dbus.MakeVariant("rootfs"), "device": dbus.MakeVariant(sl.device),
			"type": dbus.MakeVariant("ext4"), "bootname": dbus.MakeVariant(sl.bootname),
			"state": dbus.MakeVariant(state), "boot-status": dbus.MakeVariant(sl.good),
		}
		for k, v := range map[string]string{"bundle.version": sl.version, "bundle.compatible": sl.compatible,
			"installed.timestamp": sl.installed, "status": sl.status} {
			if v != "" {
				st[k] = dbus.MakeVariant(v)
			}
		}
		out = append(out, slotEntry{Name: sl.name, Status: st})
	}
	return out, nil
}

// raucMsg is an error in RAUC's words, capitals and all, as its D-Bus
// answers and LastError carry them.
type raucMsg struct {
	msg string
	err error
}

func (e *raucMsg) Error() string { return e.msg }
func (e *raucMsg) Unwrap() error { return e.err }

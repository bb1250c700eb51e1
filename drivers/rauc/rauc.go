// Package rauc is a client of RAUC's D-Bus service (de.pengutronix.rauc,
// interface de.pengutronix.rauc.Installer on object "/"), the updater
// that writes a signed bundle to the other root slot and switches the
// boot loader to it. The station only asks: install this bundle, what
// are the slots, which slot booted, mark it good or bad.
//
// RAUC's install is asynchronous: InstallBundle returns at once, progress
// is the Progress property, and the Completed signal says how it ended
// (0 is success; otherwise LastError says why). Install wraps the three.
package rauc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

// The names RAUC's service exports.
const (
	Service   = "de.pengutronix.rauc"
	Path      = dbus.ObjectPath("/")
	Interface = "de.pengutronix.rauc.Installer"
)

// Client talks to one RAUC service. Its methods are safe for concurrent
// use; Close it when done.
type Client struct {
	conn *dbus.Conn
	obj  dbus.BusObject

	// mu serialises installs: RAUC runs one at a time, and Install
	// waits for its own Completed signal.
	mu sync.Mutex
}

// Dial connects to RAUC on the bus at address (a D-Bus address such as
// "unix:path=/run/dbus/system_bus_socket"); "" is the system bus. ctx
// bounds the connecting only: the client lives until Close.
func Dial(ctx context.Context, address string) (*Client, error) {
	type dialed struct {
		conn *dbus.Conn
		err  error
	}
	// godbus closes a connection when the context it was made with ends
	// (dbus.WithContext): a dial bounded by ctx's timeout would hand back
	// a client that dies with it, and the station's first install then
	// failed with "connection closed by user". So the connection gets no
	// context, and ctx is waited on beside the dial.
	ch := make(chan dialed, 1)
	go func() {
		var d dialed
		if address == "" {
			d.conn, d.err = dbus.ConnectSystemBus()
		} else {
			d.conn, d.err = dbus.Connect(address)
		}
		ch <- d
	}()
	select {
	case d := <-ch:
		if d.err != nil {
			return nil, fmt.Errorf("rauc: connect to D-Bus: %w", d.err)
		}
		return &Client{conn: d.conn, obj: d.conn.Object(Service, Path)}, nil
	case <-ctx.Done():
		go func() {
			if d := <-ch; d.conn != nil {
				d.conn.Close()
			}
		}()
		return nil, fmt.Errorf("rauc: connect to D-Bus: %w", ctx.Err())
	}
}

// Close closes the connection to the bus.
func (c *Client) Close() error { return c.conn.Close() }

// Slot is one slot as GetSlotStatus reports it.
type Slot struct {
	Name       string // rootfs.0
	Class      string // rootfs
	Device     string // /dev/mmcblk0p2
	Bootname   string // A
	State      string // booted, active, inactive
	BootStatus string // good, bad ("" when the boot loader does not say)
	// What was installed in it, from RAUC's status file.
	BundleVersion    string
	BundleCompatible string
	InstalledAt      string // RFC 3339, as RAUC writes it
	ActivatedAt      string
	// Status is RAUC's word for the last install to it: ok, failed, …
	Status string
}

// Booted reports whether the system runs from this slot.
func (s Slot) Booted() bool { return s.State == "booted" }

// Progress is RAUC's Progress property: how far the running operation is.
type Progress struct {
	Percent int
	Message string
	Depth   int // nesting of the step the message is about
}

// InstallOptions are InstallBundle's arguments.
type InstallOptions struct {
	// IgnoreCompatible installs a bundle made for another system. The
	// station never sets it; it is here so a test can show it is sent.
	IgnoreCompatible bool
}

func (o InstallOptions) args() map[string]dbus.Variant {
	a := map[string]dbus.Variant{}
	if o.IgnoreCompatible {
		a["ignore-compatible"] = dbus.MakeVariant(true)
	}
	return a
}

// InstallBundle asks RAUC to install the bundle at source (a path, or a
// URL RAUC can stream). It returns once RAUC took the job; Completed
// says how it ended. Most callers want Install.
func (c *Client) InstallBundle(ctx context.Context, source string, opt InstallOptions) error {
	if err := c.call(ctx, "InstallBundle", nil, source, opt.args()); err != nil {
		return fmt.Errorf("rauc: install %s: %w", source, err)
	}
	return nil
}

// Install installs the bundle at source and waits until RAUC completed
// it, passing each change of RAUC's progress to progress (if not nil).
// A failed install is an *InstallError with RAUC's LastError. When ctx
// ends first, Install returns ctx's error; RAUC carries on with the job
// (it cannot be cancelled over D-Bus).
func (c *Client) Install(ctx context.Context, source string, opt InstallOptions, progress func(Progress)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Subscribed before the call, so a quick Completed is not missed.
	sigs, err := c.watch(ctx, "Completed", "org.freedesktop.DBus.Properties.PropertiesChanged")
	if err != nil {
		return fmt.Errorf("rauc: install %s: %w", source, err)
	}
	if err := c.InstallBundle(ctx, source, opt); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("rauc: install %s: %w", source, ctx.Err())
		case s, ok := <-sigs:
			if !ok {
				return fmt.Errorf("rauc: install %s: the D-Bus connection closed", source)
			}
			if s.Name == Interface+".Completed" {
				return c.completed(ctx, source, s)
			}
			if p, ok := progressChanged(s); ok && progress != nil {
				progress(p)
			}
		}
	}
}

// completed turns a Completed signal into Install's answer.
func (c *Client) completed(ctx context.Context, source string, s *dbus.Signal) error {
	var result int32
	if err := dbus.Store(s.Body, &result); err != nil {
		return fmt.Errorf("rauc: install %s: Completed signal: %w", source, err)
	}
	if result == 0 {
		return nil
	}
	msg, err := c.LastError(ctx)
	if err != nil {
		msg = "(LastError unreadable: " + err.Error() + ")"
	}
	return fmt.Errorf("rauc: install %s: %w", source, &InstallError{Result: int(result), Message: msg})
}

// progressChanged reads a Progress property change from a
// PropertiesChanged signal.
func progressChanged(s *dbus.Signal) (Progress, bool) {
	if s.Name != "org.freedesktop.DBus.Properties.PropertiesChanged" || len(s.Body) < 2 {
		return Progress{}, false
	}
	if iface, _ := s.Body[0].(string); iface != Interface {
		return Progress{}, false
	}
	changed, _ := s.Body[1].(map[string]dbus.Variant)
	v, ok := changed["Progress"]
	if !ok {
		return Progress{}, false
	}
	p, err := parseProgress(v)
	return p, err == nil
}

// InstallError is a failed install: RAUC's result and its LastError,
// which says why ("signature verification failed: …", "Compatible
// mismatch: …").
type InstallError struct {
	Result  int
	Message string
}

func (e *InstallError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("failed with result %d", e.Result)
	}
	return e.Message
}

// Completed returns a channel that receives the result of each install
// RAUC completes (0 is success) until ctx ends, when it is closed.
func (c *Client) Completed(ctx context.Context) (<-chan int, error) {
	sigs, err := c.watch(ctx, "Completed")
	if err != nil {
		return nil, fmt.Errorf("rauc: completed: %w", err)
	}
	out := make(chan int, 1)
	go func() {
		defer close(out)
		for s := range sigs {
			var r int32
			if dbus.Store(s.Body, &r) != nil {
				continue
			}
			select {
			case out <- int(r):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// watch subscribes to RAUC's signals of the given members until ctx ends;
// the channel is closed then, or when the connection closes.
func (c *Client) watch(ctx context.Context, members ...string) (<-chan *dbus.Signal, error) {
	var rules [][]dbus.MatchOption
	for _, m := range members {
		r := []dbus.MatchOption{dbus.WithMatchObjectPath(Path), dbus.WithMatchSender(Service)}
		if iface, member, ok := cutLast(m); ok {
			r = append(r, dbus.WithMatchInterface(iface), dbus.WithMatchMember(member))
		} else {
			r = append(r, dbus.WithMatchInterface(Interface), dbus.WithMatchMember(m))
		}
		if err := c.conn.AddMatchSignalContext(ctx, r...); err != nil {
			return nil, fmt.Errorf("subscribe to %s: %w", m, err)
		}
		rules = append(rules, r)
	}
	raw := make(chan *dbus.Signal, 16)
	c.conn.Signal(raw)
	out := make(chan *dbus.Signal, 16)
	go func() {
		defer close(out)
		defer func() {
			c.conn.RemoveSignal(raw)
			for _, r := range rules {
				// The bus forgets a closed connection's rules itself.
				_ = c.conn.RemoveMatchSignal(r...)
			}
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-raw:
				if !ok {
					return
				}
				if s.Path != Path || !wanted(s.Name, members) {
					continue
				}
				select {
				case out <- s:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func wanted(name string, members []string) bool {
	for _, m := range members {
		if name == m || name == Interface+"."+m {
			return true
		}
	}
	return false
}

// cutLast splits "a.b.C" into "a.b" and "C" for a member given with its
// interface.
func cutLast(m string) (string, string, bool) {
	i := strings.LastIndexByte(m, '.')
	if i < 0 {
		return "", "", false
	}
	return m[:i], m[i+1:], true
}

// Info returns the compatible and version of the bundle at path, read
// and checked (signature included) by RAUC.
func (c *Client) Info(ctx context.Context, bundle string) (compatible, version string, err error) {
	if err := c.call(ctx, "Info", []any{&compatible, &version}, bundle); err != nil {
		return "", "", fmt.Errorf("rauc: info %s: %w", bundle, err)
	}
	return compatible, version, nil
}

// Mark marks a slot good, bad or active; slot is "booted", "other" or a
// slot's name. It returns the slot RAUC marked and its message.
func (c *Client) Mark(ctx context.Context, state, slot string) (name, message string, err error) {
	if err := c.call(ctx, "Mark", []any{&name, &message}, state, slot); err != nil {
		return "", "", fmt.Errorf("rauc: mark %s %s: %w", slot, state, err)
	}
	return name, message, nil
}

// Primary returns the slot the boot loader will boot next.
func (c *Client) Primary(ctx context.Context) (string, error) {
	var p string
	if err := c.call(ctx, "GetPrimary", []any{&p}); err != nil {
		return "", fmt.Errorf("rauc: primary: %w", err)
	}
	return p, nil
}

// rawSlot is one entry of GetSlotStatus's a(sa{sv}).
type rawSlot struct {
	Name   string
	Status map[string]dbus.Variant
}

// SlotStatus returns every slot RAUC knows, in RAUC's order.
func (c *Client) SlotStatus(ctx context.Context) ([]Slot, error) {
	var raw []rawSlot
	if err := c.call(ctx, "GetSlotStatus", []any{&raw}); err != nil {
		return nil, fmt.Errorf("rauc: slot status: %w", err)
	}
	slots := make([]Slot, len(raw))
	for i, r := range raw {
		str := func(key string) string {
			s, _ := r.Status[key].Value().(string)
			return s
		}
		slots[i] = Slot{
			Name: r.Name, Class: str("class"), Device: str("device"), Bootname: str("bootname"),
			State: str("state"), BootStatus: str("boot-status"),
			BundleVersion: str("bundle.version"), BundleCompatible: str("bundle.compatible"),
			InstalledAt: str("installed.timestamp"), ActivatedAt: str("activated.timestamp"),
			Status: str("status"),
		}
	}
	return slots, nil
}

// BootSlot is the bootname of the slot the system booted from (RAUC's
// BootSlot property: "A", "B").
func (c *Client) BootSlot(ctx context.Context) (string, error) { return c.stringProp(ctx, "BootSlot") }

// Operation is what RAUC is doing: "idle" or "installing".
func (c *Client) Operation(ctx context.Context) (string, error) {
	return c.stringProp(ctx, "Operation")
}

// LastError is why the last install failed ("" after a success).
func (c *Client) LastError(ctx context.Context) (string, error) {
	return c.stringProp(ctx, "LastError")
}

// Compatible is the system's compatible string (gridkiosk-amd64).
func (c *Client) Compatible(ctx context.Context) (string, error) {
	return c.stringProp(ctx, "Compatible")
}

// Progress is how far the running install is.
func (c *Client) Progress(ctx context.Context) (Progress, error) {
	v, err := c.prop(ctx, "Progress")
	if err != nil {
		return Progress{}, err
	}
	p, err := parseProgress(v)
	if err != nil {
		return Progress{}, fmt.Errorf("rauc: property Progress: %w", err)
	}
	return p, nil
}

func parseProgress(v dbus.Variant) (Progress, error) {
	f, ok := v.Value().([]any)
	if !ok || len(f) != 3 {
		return Progress{}, fmt.Errorf("want (isi), got %s", v.Signature())
	}
	pct, ok1 := f[0].(int32)
	msg, ok2 := f[1].(string)
	depth, ok3 := f[2].(int32)
	if !ok1 || !ok2 || !ok3 {
		return Progress{}, fmt.Errorf("want (isi), got %s", v.Signature())
	}
	return Progress{Percent: int(pct), Message: msg, Depth: int(depth)}, nil
}

func (c *Client) stringProp(ctx context.Context, name string) (string, error) {
	v, err := c.prop(ctx, name)
	if err != nil {
		return "", err
	}
	s, ok := v.Value().(string)
	if !ok {
		return "", fmt.Errorf("rauc: property %s: want a string, got %s", name, v.Signature())
	}
	return s, nil
}

func (c *Client) prop(ctx context.Context, name string) (dbus.Variant, error) {
	var v dbus.Variant
	err := c.obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, Interface, name).Store(&v)
	if err != nil {
		return dbus.Variant{}, fmt.Errorf("rauc: property %s: %w", name, explain(err))
	}
	return v, nil
}

// call calls one of RAUC's methods and stores its answer in out.
func (c *Client) call(ctx context.Context, method string, out []any, args ...any) error {
	call := c.obj.CallWithContext(ctx, Interface+"."+method, 0, args...)
	if call.Err != nil {
		return explain(call.Err)
	}
	if len(out) > 0 {
		if err := call.Store(out...); err != nil {
			return fmt.Errorf("answer to %s: %w", method, err)
		}
	}
	return nil
}

// explain says what a D-Bus error means for a technician: RAUC's own
// message when it sent one, and which service is missing when none
// answered.
func explain(err error) error {
	var de dbus.Error
	if errors.As(err, &de) {
		if de.Name == "org.freedesktop.DBus.Error.ServiceUnknown" || de.Name == "org.freedesktop.DBus.Error.NameHasNoOwner" {
			return fmt.Errorf("RAUC's service %s is not on the bus (is rauc.service running?): %w", Service, err)
		}
		if len(de.Body) > 0 {
			if msg, ok := de.Body[0].(string); ok && msg != "" {
				return &RAUCError{Name: de.Name, Message: msg}
			}
		}
	}
	return err
}

// RAUCError is an error RAUC answered a call with: its D-Bus error name
// and message (e.g. "Already processing a different method").
type RAUCError struct {
	Name, Message string
}

func (e *RAUCError) Error() string { return e.Message }

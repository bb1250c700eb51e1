package appliance_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// A registration stored with the card still on the reader: the buzzer
// reminds the resident until the reader reports the card lifted, and
// not a beep after.
func TestCardReminderUntilLifted(t *testing.T) {
	dir := t.TempDir()
	sim, pnl := simPanel(t)
	reader, err := idcardsim.New(dir, "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	cfg := demo.Config(filepath.Join(dir, "data"), "", "")
	cfg.Devices.IDCard.Port, cfg.Devices.IDCard.Baud = reader.Path(), 115200
	st := runStation(t, appliance.Options{Config: cfg, Panel: pnl})

	c, _ := idcardsim.Card("resident")
	reader.Lay(c)
	eventually(t, "the card's session", func() bool { return st.Session().State == station.SessionCard })
	beeps := sim.Beeps()
	if _, err := st.SubmitSession(context.Background(), station.SessionSubmit{Purpose: "certificate",
		Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}}); err != nil {
		t.Fatal(err)
	}
	if v := st.Session(); v.State != station.SessionSubmitted || !v.CardOnReader || v.Person != nil {
		t.Fatalf("session after the submission: %+v", v)
	}
	eventually(t, "two reminder beeps", func() bool { return sim.Beeps() >= beeps+2 })

	reader.Lift()
	eventually(t, "the lift", func() bool { return !st.Session().CardOnReader })
	// The reminder looks at the session before each beep: one that was
	// already on its way may sound, none after it.
	time.Sleep(100 * time.Millisecond)
	after := sim.Beeps()
	deadline := time.Now().Add(8 * time.Second) // more than two beats
	for time.Now().Before(deadline) {
		if sim.Beeps() != after {
			t.Fatalf("the buzzer beeped after the card was lifted (%d, then %d)", after, sim.Beeps())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A card lifted before the registration is stored: no reminder at all.
func TestNoReminderWithoutCard(t *testing.T) {
	dir := t.TempDir()
	sim, pnl := simPanel(t)
	reader, err := idcardsim.New(dir, "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	cfg := demo.Config(filepath.Join(dir, "data"), "", "")
	cfg.Devices.IDCard.Port, cfg.Devices.IDCard.Baud = reader.Path(), 115200
	st := runStation(t, appliance.Options{Config: cfg, Panel: pnl})
	c, _ := idcardsim.Card("resident")
	reader.Lay(c)
	eventually(t, "the card's session", func() bool { return st.Session().State == station.SessionCard })
	reader.Lift()
	eventually(t, "the lift", func() bool { return !st.Session().CardOnReader })
	beeps := sim.Beeps()
	if _, err := st.SubmitSession(context.Background(), station.SessionSubmit{Purpose: "certificate",
		Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}}); err != nil {
		t.Fatal(err)
	}
	if v := st.Session(); v.CardOnReader {
		t.Fatalf("session after the submission: %+v", v)
	}
	time.Sleep(cardBeat + time.Second)
	if sim.Beeps() != beeps {
		t.Fatalf("%d beeps for a card that was taken already", sim.Beeps()-beeps)
	}
}

// cardBeat is the reminder's beat (appliance's cardReminderEvery).
const cardBeat = 3 * time.Second

// A matter reported without a card: only the category and the phone
// number, the typed path's checks (a bad phone is refused by field, and
// nothing is stored), a ticket; the stored record names nobody.
func TestReportMatter(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	st, err := appliance.New(appliance.Options{Config: demo.Config(data, "", ""),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NTPSynced: func() bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })

	_, err = st.ReportMatter(ctx, station.MatterReport{Category: "repair", Phone: "1383571234"})
	var fe *record.FieldError
	if !errors.As(err, &fe) || fe.Field != "payload.phone" {
		t.Fatalf("a 10-digit phone: %v", err)
	}
	if rows, _ := st.Records(time.Now().Add(-time.Hour), 10); len(rows) != 0 {
		t.Fatalf("a refused matter was stored: %+v", rows)
	}
	acks := map[string]station.Ack{}
	for _, phone := range []string{"13835712345", ""} {
		ack, err := st.ReportMatter(ctx, station.MatterReport{Category: "repair", Phone: phone})
		if err != nil || ack.Ticket == "" {
			t.Fatalf("phone %q: %+v %v", phone, ack, err)
		}
		if row, err := st.Lookup(ack.ID); err != nil || row.Kind != "matter" || !row.Resident {
			t.Fatalf("lookup: %+v %v", row, err)
		}
		acks[phone] = ack
	}
	cancel()
	wg.Wait()
	st.Close()

	box, err := outbox.Open(data, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	for phone, ack := range acks {
		rec, _, err := box.Get(ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Payload, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["person"]; ok || m["category"] != "repair" || m["description"] == "" {
			t.Fatalf("stored matter: %s", rec.Payload)
		}
		if got, _ := m["phone"].(string); got != phone {
			t.Fatalf("stored phone %q, want %q", got, phone)
		}
	}
}

// The screen's 求助 does what the panel's help button does.
func TestCallHelp(t *testing.T) {
	sim, pnl := simPanel(t)
	cfg := demo.Config(filepath.Join(t.TempDir(), "data"), "", "")
	st := runStation(t, appliance.Options{Config: cfg, Panel: pnl})
	eventually(t, "ready lamp", func() bool { return sim.LEDs()["ready"] })
	changed := st.SessionChanged()
	st.CallHelp()
	if st.Panel().HelpSince == nil {
		t.Fatal("no help request after CallHelp")
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("CallHelp told nobody")
	}
	eventually(t, "the relay", sim.Relay)
	if !blinking(sim, "attention") {
		t.Error("attention lamp does not blink for the screen's help request")
	}
	st.ClearHelp()
	eventually(t, "help cleared", func() bool { return !sim.Relay() && st.Panel().HelpSince == nil })
}

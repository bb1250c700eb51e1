package appliance_test

import (
	"context"
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
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestVolunteerCheckInOut(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	var mu sync.Mutex
	now := time.Date(2026, 11, 27, 8, 30, 0, 0, time.Local)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	open := func() (*appliance.Station, func()) {
		st, err := appliance.New(appliance.Options{Config: demo.Config(data, "", ""), Now: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NTPSynced: func() bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		return st, func() { st.Close() }
	}
	st, closeSt := open()
	li, err := st.CheckIn(station.CheckIn{Name: " 李建国 ", PartyMember: true, Service: "政策宣传"})
	if err != nil {
		t.Fatal(err)
	}
	if li.Name != "李建国" || !li.Since.Equal(now) {
		t.Fatalf("check-in: %+v", li)
	}
	advance(35 * time.Minute)
	if _, err := st.CheckIn(station.CheckIn{Name: "张伟", Service: "环境整治"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckIn(station.CheckIn{Name: "李建国", Service: "环境整治"}); !errors.Is(err, station.ErrCheckedIn) {
		t.Fatalf("second check-in of one name: %v", err)
	}
	var fe *record.FieldError
	if _, err := st.CheckIn(station.CheckIn{Name: "王秀兰", Service: " "}); !errors.As(err, &fe) || fe.Field != "payload.service" {
		t.Fatalf("check-in without a service: %v", err)
	}

	// A restart (or a power cut) forgets nobody.
	closeSt()
	st, closeSt = open()
	defer closeSt()
	ins, err := st.CheckIns()
	if err != nil || len(ins) != 2 || ins[0].Name != "李建国" || ins[1].Name != "张伟" || !ins[0].PartyMember {
		t.Fatalf("check-ins after a restart: %+v %v", ins, err)
	}

	advance(90 * time.Minute)
	sv, err := st.CheckOut(context.Background(), "李建国")
	if err != nil {
		t.Fatal(err)
	}
	if sv.Minutes != 125 || sv.Capped || sv.Ack.Ticket == "" {
		t.Fatalf("check-out: %+v", sv)
	}
	if _, err := st.CheckOut(context.Background(), "李建国"); !errors.Is(err, station.ErrNotCheckedIn) {
		t.Fatalf("second check-out: %v", err)
	}
	if ins, _ := st.CheckIns(); len(ins) != 1 || ins[0].Name != "张伟" {
		t.Fatalf("check-ins after a check-out: %+v", ins)
	}
	e, err := st.Lookup(sv.Ack.ID)
	if err != nil || e.Kind != wire.KindVolunteer {
		t.Fatalf("the service record: %+v %v", e, err)
	}

	// Forgot to check out: a day is recorded, and said to be capped.
	advance(30 * time.Hour)
	sv, err = st.CheckOut(context.Background(), "张伟")
	if err != nil || sv.Minutes != station.MaxServiceMinutes || !sv.Capped {
		t.Fatalf("a check-out after 30 hours: %+v %v", sv, err)
	}
	recs, err := st.Records(time.Time{}, 10)
	if err != nil || len(recs) != 2 {
		t.Fatalf("records: %+v %v", recs, err)
	}
}

func TestServiceMinutes(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d      time.Duration
		want   int
		capped bool
	}{
		{0, 1, false},
		{20 * time.Second, 1, false},
		{90 * time.Second, 2, false},
		{2 * time.Hour, 120, false},
		{24 * time.Hour, 1440, false},
		{25 * time.Hour, 1440, true},
		{-time.Hour, 1, false}, // a clock set back
	} {
		m, capped := station.ServiceMinutes(at, at.Add(c.d))
		if m != c.want || capped != c.capped {
			t.Errorf("ServiceMinutes(%v) = %d, %v; want %d, %v", c.d, m, capped, c.want, c.capped)
		}
	}
}

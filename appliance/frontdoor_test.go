package appliance_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// The front door under load: a resident registers again and again while
// screens, /healthz, /metrics and the staff desk ask at once. Every
// registration is stored once and counted once, and the race detector
// sees the parts' locks keep their state apart.
func TestFrontDoorConcurrent(t *testing.T) {
	cfg := config.Default()
	cfg.Station.ID = "141029-xfw-01"
	cfg.Station.Name = "幸福湾社区党群服务站"
	cfg.Station.Grid = grid.Path{County: "141029", Township: "141029100", Community: "141029100001"}
	cfg.Storage.Dir = filepath.Join(t.TempDir(), "data")
	st := runStation(t, appliance.Options{Config: &cfg})
	const n = 20
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for ctx.Err() == nil {
				st.Session()
				st.TouchSession()
				st.Staff()
				st.TouchStaff()
				st.Panel()
				st.ClearHelp()
				st.Health()
				st.WriteMetrics(io.Discard)
				st.LastScan()
				st.RefData()
				select { // the registrations below change it
				case <-st.SessionChanged():
				case <-ctx.Done():
				}
			}
		})
	}
	since := time.Now().Add(-time.Hour)
	for i := range n {
		first17 := fmt.Sprintf("1410291952031%04d", 7100+i)
		c, err := citizenid.CheckChar(first17)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.StartManual("王秀兰", first17+string(c)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate",
			Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}}); err != nil {
			t.Fatalf("registration %d: %v", i, err)
		}
	}
	stop()
	wg.Wait()
	list, err := st.Records(since, 2*n)
	if err != nil || len(list) != n {
		t.Fatalf("stored %d records (%v), want %d", len(list), err, n)
	}
	if got := metric(t, st, `gridkiosk_records_submitted_total{kind="registration"}`); got != n {
		t.Fatalf("counted %v registrations, want %d", got, n)
	}
}

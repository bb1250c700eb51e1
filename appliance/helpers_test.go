package appliance_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance"
)

// runStation starts a station on opt, quiet and with an untrusted clock
// unless opt says otherwise, and stops it when the test ends.
func runStation(t testing.TB, opt appliance.Options) *appliance.Station {
	t.Helper()
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.NTPSynced == nil {
		opt.NTPSynced = func() bool { return false }
	}
	st, err := appliance.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); st.Close() })
	return st
}

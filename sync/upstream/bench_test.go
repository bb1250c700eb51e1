package upstream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// BenchmarkDrain measures how fast a station's backlog reaches a hub on
// the same machine: 10,000 queued records (a long time offline), drained
// by the forwarder in batches of 100 into a bbolt hub, both fsyncing.
// Run it with -benchtime 1x; each iteration drains a fresh backlog.
func BenchmarkDrain(b *testing.B) {
	const backlog = 10000
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		box, err := outbox.Open(b.TempDir(), outbox.Options{Log: quiet})
		if err != nil {
			b.Fatal(err)
		}
		for j := range backlog {
			rec := &wire.Record{ID: fmt.Sprintf("0190f5e6-%04x-7000-8000-%012d", i, j), Kind: "matter", CreatedAt: time.Now(),
				Grid:    json.RawMessage(`{"county":"141029","township":"141029100","community":"141029100001"}`),
				Payload: json.RawMessage(fmt.Sprintf(`{"category":"repair","description":"%d号楼楼道灯不亮，老人晚上上下楼不便"}`, j))}
			if err := box.Put(rec); err != nil {
				b.Fatal(err)
			}
		}
		store, err := hub.OpenBolt(filepath.Join(b.TempDir(), "hub.db"))
		if err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer((&hub.Server{Store: store, Tokens: hub.Tokens{token: station}, Log: quiet}).Handler())
		fwd := &upstream.Forwarder{Queue: box, Log: quiet, BatchSize: 100,
			Client: &upstream.Client{BaseURL: ts.URL, StationID: station, Token: func() (string, error) { return token, nil }}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		b.StartTimer()
		t0 := time.Now()
		go func() { fwd.Run(ctx); close(done) }()
		for box.Stats().Queued > 0 {
			time.Sleep(time.Millisecond)
		}
		total += time.Since(t0)
		b.StopTimer()
		cancel()
		<-done
		ts.Close()
		store.Close()
		box.Close()
	}
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "records/s")
}

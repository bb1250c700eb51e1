package soak

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/faultnet"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

const (
	stationID = "141029-xfw-01"
	hubToken  = "soak-token-0123456789abcdef"
)

// weather is the network's steady misbehaviour during the soak: moderate,
// so that records still flow between the kills.
var weather = faultnet.Faults{
	Refuse:      0.03,
	Blackhole:   0.02,
	Jitter:      3 * time.Millisecond,
	Reset:       0.40,
	ResetWithin: 16 << 10,
	Duplicate:   0.10,
}

// testHub is a gridhub server in the test process on a bbolt file, with a
// faulty network in front of it.
type testHub struct {
	store *hub.BoltStore
	srv   *http.Server
	done  chan struct{}
	proxy *faultnet.Proxy
	log   *os.File
}

func startHub(t *testing.T, dir string, seed uint64) *testHub {
	t.Helper()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "hub.log"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &testHub{store: store, log: logf, done: make(chan struct{})}
	h.srv = &http.Server{
		Handler: (&hub.Server{
			Store:  store,
			Tokens: hub.Tokens{hubToken: stationID},
			Log:    slog.New(slog.NewTextHandler(logf, nil)),
		}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		defer close(h.done)
		if err := h.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(logf, "soak: hub stopped serving: %v\n", err)
		}
	}()
	h.proxy, err = faultnet.Listen(ln.Addr().String(), faultnet.Options{
		Faults: weather,
		Seed:   seed,
		Log:    slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
	return h
}

// URL is where the station finds the hub: through the faulty network.
func (h *testHub) URL() string { return "http://" + h.proxy.Addr() }

// close stops the proxy and the server and closes the database; it may be
// called more than once.
func (h *testHub) close() {
	if h.srv == nil {
		return
	}
	h.proxy.Close()
	h.srv.Close()
	<-h.done
	h.store.Close()
	h.log.Close()
	h.srv = nil
}

// records stops the hub and returns everything it stored.
func (h *testHub) records(t *testing.T) []hub.Stored {
	t.Helper()
	h.proxy.Close()
	h.srv.Close()
	<-h.done
	all, err := h.store.All()
	if err != nil {
		t.Fatalf("read the hub's records: %v", err)
	}
	return all
}

// partitions cuts the network now and then until ctx ends: healthy for
// 1-6 s, then refusing or silent for 0.2-2 s.
func partitions(ctx context.Context, p *faultnet.Proxy, rng *rand.Rand) {
	defer p.Heal()
	for {
		if !sleepCtx(ctx, between(rng, time.Second, 6*time.Second)) {
			return
		}
		mode := faultnet.PartitionRefuse
		if rng.IntN(2) == 0 {
			mode = faultnet.PartitionBlackhole
		}
		p.Partition(mode)
		if !sleepCtx(ctx, between(rng, 200*time.Millisecond, 2*time.Second)) {
			return
		}
		p.Heal()
	}
}

// between is a uniformly random duration in [lo, hi).
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// sleepCtx sleeps for d; it returns false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

package logring

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestRing(t *testing.T) {
	var out bytes.Buffer
	ring := New(3)
	log := slog.New(NewHandler(slog.NewTextHandler(&out, nil), ring))
	log.Debug("not kept")
	for i := 1; i <= 4; i++ {
		log.With("device", "printer").Info(fmt.Sprintf("line %d", i))
	}
	got := ring.Lines()
	if len(got) != 3 || !strings.Contains(got[0], "line 2") || !strings.Contains(got[2], "line 4") || !strings.Contains(got[2], "device=printer") {
		t.Fatalf("ring = %q", got)
	}
	if !strings.Contains(out.String(), "line 1") {
		t.Fatalf("not passed on: %s", out.String())
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { log.Info("concurrent") })
	}
	wg.Wait()
	if l := ring.Lines(); len(l) != 3 || !strings.Contains(l[2], "concurrent") {
		t.Fatalf("after concurrent logging: %q", l)
	}
	if New(5).Lines() == nil && len(New(5).Lines()) != 0 {
		t.Fatal("empty ring")
	}
}

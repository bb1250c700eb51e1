package appliance

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatchLinks(t *testing.T) {
	dir := t.TempDir()
	set := func(name, state string) {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		os.WriteFile(filepath.Join(dir, name, "operstate"), []byte(state+"\n"), 0o644)
	}
	set("lo", "unknown")
	set("eth0", "down")
	set("wwan0", "up")
	ups := make(chan string, 8)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { watchLinks(ctx, dir, 5*time.Millisecond, func(n string) { ups <- n }); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(30 * time.Millisecond)
	select {
	case n := <-ups:
		t.Fatalf("%s reported up though nothing changed", n)
	default:
	}
	set("eth0", "up") // the cable is back
	select {
	case n := <-ups:
		if n != "eth0" {
			t.Fatalf("reported %s", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("eth0 coming up was not seen")
	}
	set("eth0", "down")
	time.Sleep(30 * time.Millisecond)
	set("eth0", "up")
	select {
	case <-ups:
	case <-time.After(5 * time.Second):
		t.Fatal("eth0 coming up a second time was not seen")
	}
	if st := linkStates(filepath.Join(dir, "missing")); len(st) != 0 {
		t.Fatalf("a missing sysfs dir gave %v", st)
	}
}

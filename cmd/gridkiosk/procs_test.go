package main

import (
	"runtime"
	"testing"
)

// The kiosk's window runs its Go code on one processor, unless the
// environment's GOMAXPROCS asks for another number (a technician trying
// one), which the runtime has already applied.
func TestOneProc(t *testing.T) {
	was := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(was) })
	for _, tc := range []struct {
		env         string
		start, want int
	}{
		{env: "", start: 4, want: 1},
		{env: "", start: 1, want: 1},
		{env: "3", start: 3, want: 3},
	} {
		t.Setenv("GOMAXPROCS", tc.env)
		runtime.GOMAXPROCS(tc.start)
		oneProc()
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("GOMAXPROCS=%q, %d processors: oneProc left %d, want %d", tc.env, tc.start, got, tc.want)
		}
	}
}

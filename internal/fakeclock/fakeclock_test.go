package fakeclock

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestAfterFiresInOrder(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	c := New(t0)
	late, early := c.After(2*time.Second), c.After(time.Second)
	if got := c.Pending(); !slices.Equal(got, []time.Time{t0.Add(time.Second), t0.Add(2 * time.Second)}) {
		t.Fatalf("Pending = %v", got)
	}
	c.Advance(999 * time.Millisecond)
	select {
	case <-early:
		t.Fatal("timer fired early")
	default:
	}
	c.Advance(time.Millisecond)
	if got := <-early; !got.Equal(t0.Add(time.Second)) {
		t.Errorf("fired with %v", got)
	}
	c.AdvanceTo(t0.Add(5 * time.Second))
	if got := <-late; !got.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("fired with %v", got)
	}
	if len(c.Pending()) != 0 {
		t.Errorf("Pending = %v after all fired", c.Pending())
	}
	select {
	case <-c.After(0):
	default:
		t.Error("After(0) did not fire at once")
	}
}

func TestWaitFor(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	c := New(t0)
	armed := make(chan struct{})
	go func() {
		<-armed
		c.After(30 * time.Millisecond)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	close(armed)
	if err := c.WaitFor(ctx, t0.Add(30*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if err := c.WaitFor(short, t0.Add(time.Second)); err == nil {
		t.Fatal("WaitFor found a timer nobody armed")
	}
}

func TestWaitLast(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	c := New(t0)
	c.After(2 * time.Second) // abandoned by the code under test
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	c.After(time.Second)
	if err := c.WaitLast(ctx, t0.Add(2*time.Second)); err == nil {
		t.Fatal("WaitLast found a timer that was not armed last")
	}
	if err := c.WaitFor(context.Background(), t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitLast(context.Background(), t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second)
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if err := c.WaitLast(short, t0.Add(time.Second)); err == nil {
		t.Fatal("WaitLast found a timer that fired")
	}
}

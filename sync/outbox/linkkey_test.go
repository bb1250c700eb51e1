package outbox

import (
	"testing"
)

// A record's link key is kept with it, sealed, across a reopen: a receipt
// printed after the station restarted carries the link the hub knows.
func TestLinkKeyKept(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := testRecord(1)
	r.LinkKey = "q7Zr0cVb3mS9kXo2LwE5tA"
	if err := o.Put(r); err != nil {
		t.Fatal(err)
	}
	o.Close()
	o = openT(t, dir, Options{})
	got, _, err := o.Get(r.ID)
	if err != nil || got.LinkKey != r.LinkKey {
		t.Fatalf("after reopen: key %q, %v; want %q", got.LinkKey, err, r.LinkKey)
	}
	pending, err := o.Pending(10)
	if err != nil || len(pending) != 1 || pending[0].LinkKey != r.LinkKey {
		t.Fatalf("Pending: %+v %v", pending, err)
	}
}

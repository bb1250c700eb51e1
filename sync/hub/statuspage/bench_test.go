package statuspage

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// BenchmarkLookup compares what the page costs for the right key, a
// wrong key, a record without a key and an unknown record, on bbolt:
// all but the right key answer 404, and their costs should not tell
// them apart.
func BenchmarkLookup(b *testing.B) {
	store, err := hub.OpenBolt(filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	key := receiptcode.NewKey()
	keyed, bare := matter(1, key), matter(2, "")
	if _, err := store.Ingest(station, []wire.Record{keyed, bare}, time.Now()); err != nil {
		b.Fatal(err)
	}
	p := &Page{Records: store}
	for _, bc := range []struct{ name, id, key string }{
		{"right", keyed.ID, key},
		{"wrong", keyed.ID, receiptcode.NewKey()},
		{"nokey", bare.ID, key},
		{"unknown", matter(9, "").ID, key},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p.lookup(bc.id, bc.key)
			}
		})
	}
}

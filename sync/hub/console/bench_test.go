package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub/console"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// BenchmarkInbox is one county admin's inbox page over a bbolt store of
// n matters: the store reads and opens every record (bbolt has no index
// but the ID), the page lists 500.
func BenchmarkInbox(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := newFixture(b)
			var recs []wire.Record
			for i := range n {
				recs = append(recs, wire.Record{ID: fmt.Sprintf("0190f5e6-0000-7000-9000-%012d", i), Kind: "matter", Seq: uint64(100 + i),
					CreatedAt: t0, Grid: json.RawMessage(`{"county":"141029","community":"141029100001","compound":"c07"}`),
					Payload: json.RawMessage(`{"category":"repair","description":"7号楼2单元楼道灯不亮，老人晚上上下楼不便","phone":"13835712345"}`)})
			}
			if _, err := f.store.Ingest(stationXFW, recs, t0.Add(-time.Duration(n)*time.Minute)); err != nil {
				b.Fatal(err)
			}
			br := f.loggedIn(b, "county.admin")
			b.ResetTimer()
			for b.Loop() {
				if code, _ := br.get("/console/matters?community=141029100001"); code != http.StatusOK {
					b.Fatalf("inbox: %d", code)
				}
			}
		})
	}
}

// BenchmarkPassword is the cost of one log-in's password check at the
// hub's argon2id costs (19 MiB, 2 passes).
func BenchmarkPassword(b *testing.B) {
	h, err := console.HashPassword(password)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := console.VerifyPassword(h, password); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

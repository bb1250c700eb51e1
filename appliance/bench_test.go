package appliance_test

import (
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
)

// BenchmarkCardToSession measures, over a real pty paced at 115200 baud,
// the time from a card being laid to the station's session being ready
// with its fields, next to the wire time of the bytes the read exchanged:
// the physical floor no driver can beat. The reader is polled every 10ms,
// so about 5ms of the latency is the wait for the next find.
func BenchmarkCardToSession(b *testing.B) {
	st, sim := cardStation(b, 115200, nil)
	card, _ := idcardsim.Card("resident")
	var total, wire time.Duration
	b.ResetTimer()
	for range b.N {
		ch := st.SessionChanged()
		t0 := time.Now()
		sim.Lay(card)
		for st.Session().State != station.SessionCard {
			<-ch
			ch = st.SessionChanged()
		}
		total += time.Since(t0)
		wire += serialport.WireTime(st.LastCardRead().Bytes, 115200)
		b.StopTimer()
		// The driver must see the lift before the next lay is a new card.
		sim.Lift()
		for st.Session().CardOnReader {
			<-ch
			ch = st.SessionChanged()
		}
		st.CancelSession()
		b.StartTimer()
	}
	b.StopTimer()
	mean := total / time.Duration(b.N)
	floor := wire / time.Duration(b.N)
	b.ReportMetric(float64(mean.Microseconds())/1000, "ms/card")
	b.ReportMetric(float64(floor.Microseconds())/1000, "wire-ms/card")
	b.ReportMetric(float64(mean)/float64(floor), "latency/wire")
}

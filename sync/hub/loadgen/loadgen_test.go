package loadgen

import (
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// Check counts what is missing, what is there twice, and a record
// stored under an ID its station did not give that sequence number.
func TestCheck(t *testing.T) {
	cfg := Config{Stations: 2, Records: 2, Live: 1, Seed: "t"}
	all := func() []Stored {
		var s []Stored
		for i := range 2 {
			for seq := uint64(1); seq <= 3; seq++ {
				s = append(s, Stored{StationID(cfg.Seed, i), RecordID(cfg.Seed, i, seq), seq})
			}
		}
		return s
	}
	other := Stored{"141029-xfw-01", RecordID("x", 0, 1), 1}
	for _, tc := range []struct {
		name   string
		stored []Stored
		want   Tally
	}{
		{"all once", all(), Tally{Stored: 6}},
		{"another station's ignored", append(all(), other), Tally{Stored: 6}},
		{"one lost", all()[1:], Tally{Stored: 5, Lost: 1}},
		{"one twice", append(all(), all()[4]), Tally{Stored: 7, Duplicated: 1}},
		{"a seq under another ID", append(all()[1:], Stored{StationID(cfg.Seed, 0), RecordID(cfg.Seed, 1, 1), 1}),
			Tally{Stored: 6, Lost: 1, Duplicated: 1}},
		{"a seq beyond the run", append(all(), Stored{StationID(cfg.Seed, 1), RecordID(cfg.Seed, 1, 4), 4}),
			Tally{Stored: 7, Duplicated: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Check(cfg, tc.stored); got != tc.want {
				t.Errorf("Check = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The records a run sends are records the hub takes.
func TestRecordsValid(t *testing.T) {
	for _, seq := range []uint64{1, 999999} {
		r := record("seed", 19999, seq, time.Now())
		if reason := hub.Check(r); reason != "" {
			t.Errorf("record %s: %s", r.ID, reason)
		}
	}
}

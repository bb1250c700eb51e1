package soak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// stationGrid is the grid cell of the soak's config, as every record
// without a grid of its own must carry it.
const stationGrid = `{"county":"141029","township":"141029100","community":"141029100001"}`

// verdict compares what the submitter was promised with what the hub holds.
type verdict struct {
	Promised   int // attempts answered 201
	AtHub      int // promised records found at the hub, intact
	Extra      int // records at the hub whose submission had no answer (killed in flight)
	Absorbed   int // deliveries beyond the first that the hub counted and did not store again
	Missing    int // promised records not at the hub
	Mismatch   int // promised records at the hub with other content
	Phantom    int // records at the hub the station never accepted
	SeqProblem int // sequence numbers reused or out of submission order
	Reencoded  int // payloads not byte-identical but canonically equal
	HubRecords int // distinct records at the hub
	Receipts   int // receipt records at the hub, which the print desk accounts for
	Problems   []string
}

func (v *verdict) problem(format string, args ...any) {
	// The first few name the records; the counts tell the rest.
	if len(v.Problems) < 20 {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

func (v *verdict) ok() bool {
	return v.Missing+v.Mismatch+v.Phantom+v.SeqProblem == 0 && len(v.Problems) == 0
}

var descNumber = regexp.MustCompile(`^第(\d+)号楼路灯不亮$`)

// verify checks every promised record against the hub, and every record at
// the hub against the submissions.
//
// Payloads are compared canonically (decoded and encoded again with sorted
// keys) rather than byte for byte: the station validates a payload by
// decoding it into its own type and stores that type's encoding, and the
// contract promises the content, not the bytes. Byte differences are still
// counted, in Reencoded.
func verify(attempts []attempt, stored []hub.Stored) verdict {
	var v verdict
	v.HubRecords = len(stored)
	atHub := make(map[string]hub.Stored, len(stored))
	seqs := make(map[uint64]string, len(stored))
	for _, s := range stored {
		id := s.Record.ID
		if _, dup := atHub[id]; dup {
			v.problem("record %s is stored twice at the hub", id)
		}
		atHub[id] = s
		if other, dup := seqs[s.Record.Seq]; dup {
			v.SeqProblem++
			v.problem("seq %d is used by records %s and %s", s.Record.Seq, other, id)
		}
		seqs[s.Record.Seq] = id
		v.Absorbed += max(s.Deliveries-1, 0)
	}
	byN := make(map[int]*attempt, len(attempts))
	var lastSeq uint64
	for i := range attempts {
		a := &attempts[i]
		byN[a.N] = a
		if a.Outcome != promised {
			continue
		}
		v.Promised++
		if a.Seq <= lastSeq {
			v.SeqProblem++
			v.problem("record %s (第%d号) got seq %d after an earlier submission got %d", a.ID, a.N, a.Seq, lastSeq)
		}
		lastSeq = a.Seq
		s, ok := atHub[a.ID]
		if !ok {
			v.Missing++
			v.problem("record %s (第%d号, seq %d, 201 at %s) is not at the hub", a.ID, a.N, a.Seq, a.At.Format("15:04:05.000"))
			continue
		}
		if why := differs(a, s); why != "" {
			v.Mismatch++
			v.problem("record %s (第%d号) at the hub differs from what was submitted: %s", a.ID, a.N, why)
			continue
		}
		if !bytes.Equal(s.Record.Payload, a.Payload) {
			v.Reencoded++
		}
		v.AtHub++
	}
	v.checkUnpromised(stored, byN)
	return v
}

// checkUnpromised accounts for the records at the hub that no 201 promised:
// each must come from a submission that was in flight when the station was
// killed.
func (v *verdict) checkUnpromised(stored []hub.Stored, byN map[int]*attempt) {
	for _, s := range stored {
		if s.Record.Kind == wire.KindReceipt {
			v.Receipts++
			continue
		}
		var p struct{ Description string }
		json.Unmarshal(s.Record.Payload, &p)
		m := descNumber.FindStringSubmatch(p.Description)
		if m == nil {
			v.Phantom++
			v.problem("record %s at the hub was never submitted: payload %s", s.Record.ID, s.Record.Payload)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		a := byN[n]
		switch {
		case a == nil:
			v.Phantom++
			v.problem("record %s at the hub carries 第%d号, which was never submitted", s.Record.ID, n)
		case a.Outcome == promised && a.ID != s.Record.ID:
			v.Phantom++
			v.problem("第%d号 was promised as %s but the hub also holds it as %s", n, a.ID, s.Record.ID)
		case a.Outcome == promised:
		case a.Outcome == unknown:
			v.Extra++
		default:
			v.Phantom++
			v.problem("record %s (第%d号) is at the hub although its submission was %s (%d %s)", s.Record.ID, n, a.Outcome, a.Status, a.Detail)
		}
	}
}

// differs says how the hub's copy of a promised record differs from the
// submission, or returns "".
func differs(a *attempt, s hub.Stored) string {
	r := s.Record
	switch {
	case s.StationID != stationID:
		return fmt.Sprintf("station %q", s.StationID)
	case r.Kind != "matter":
		return fmt.Sprintf("kind %q", r.Kind)
	case r.Seq != a.Seq:
		return fmt.Sprintf("seq %d, the 201 said %d", r.Seq, a.Seq)
	}
	if got, want := canonical(r.Payload), canonical(a.Payload); got != want {
		return fmt.Sprintf("payload %s, submitted %s", got, want)
	}
	if got, want := canonical(r.Grid), canonical([]byte(stationGrid)); got != want {
		return fmt.Sprintf("grid %s, want %s", got, want)
	}
	return ""
}

// canonical encodes JSON with sorted keys and no spaces, numbers as
// written; what does not parse is returned quoted, and so never matches
// valid JSON.
func canonical(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return strconv.Quote(string(b))
	}
	out, err := json.Marshal(v)
	if err != nil {
		return strconv.Quote(string(b))
	}
	return string(out)
}

// TestVerify: the soak's judge finds each kind of broken promise.
func TestVerify(t *testing.T) {
	rec := func(n int, id string, seq uint64, deliveries int) hub.Stored {
		return hub.Stored{StationID: stationID, Deliveries: deliveries, Record: wire.Record{
			ID: id, Kind: "matter", Seq: seq, Grid: json.RawMessage(stationGrid),
			Payload: json.RawMessage(fmt.Sprintf(`{"description":"第%d号楼路灯不亮", "category":"repair"}`, n))}}
	}
	try := func(n int, o outcome, id string, seq uint64) attempt {
		return attempt{N: n, Outcome: o, ID: id, Seq: seq,
			Payload: json.RawMessage(fmt.Sprintf(`{"category":"repair","description":"第%d号楼路灯不亮"}`, n))}
	}
	attempts := []attempt{try(1, promised, "a", 1), try(2, unknown, "", 0), try(3, promised, "c", 3), try(4, notSent, "", 0)}
	good := []hub.Stored{rec(1, "a", 1, 3), rec(2, "b", 2, 1), rec(3, "c", 3, 1)}
	if v := verify(attempts, good); !v.ok() || v.Promised != 2 || v.AtHub != 2 || v.Extra != 1 || v.Absorbed != 2 || v.Reencoded != 2 {
		t.Fatalf("all well, but: %+v", v)
	}
	wrong := rec(3, "c", 3, 1)
	wrong.Record.Payload = json.RawMessage(`{"category":"repair","description":"第3号楼路灯亮了"}`)
	for name, tc := range map[string]struct {
		stored []hub.Stored
		bad    func(v verdict) int
	}{
		"missing":  {[]hub.Stored{rec(1, "a", 1, 1)}, func(v verdict) int { return v.Missing }},
		"mismatch": {[]hub.Stored{rec(1, "a", 1, 1), wrong}, func(v verdict) int { return v.Mismatch }},
		"phantom":  {append([]hub.Stored{rec(4, "d", 4, 1)}, good...), func(v verdict) int { return v.Phantom }},
		"seq":      {[]hub.Stored{rec(1, "a", 1, 1), rec(2, "b", 3, 1), rec(3, "c", 3, 1)}, func(v verdict) int { return v.SeqProblem }},
	} {
		if v := verify(attempts, tc.stored); v.ok() || tc.bad(v) != 1 || len(v.Problems) == 0 {
			t.Errorf("%s: %+v", name, v)
		}
	}
}

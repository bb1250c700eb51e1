package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// outcome is what a submission's answer told the submitter.
type outcome int

const (
	// notSent: the connection was refused; the station was down and
	// cannot have the record.
	notSent outcome = iota
	// unknown: the request was sent and no answer came (the station was
	// killed meanwhile). The record may or may not be stored.
	unknown
	// promised: 201. The station promised to deliver the record.
	promised
	// refused: 503, "record NOT stored". The station must not deliver it.
	refused
	// unexpected: any other answer; the soak fails.
	unexpected
)

func (o outcome) String() string {
	return [...]string{"not sent", "unknown", "promised", "refused", "unexpected"}[o]
}

// attempt is one submission and what became of it.
type attempt struct {
	N       int             // the number in the description, unique per attempt
	Payload json.RawMessage // as submitted
	Outcome outcome
	Status  int    // the HTTP status, when there was one
	Detail  string // the error or the body of an unexpected answer
	ID      string // from the 201
	Seq     uint64 // from the 201
	At      time.Time
}

// submitter posts matter records to the station's admin API one after the
// other until its context ends, and remembers every attempt.
type submitter struct {
	admin    string
	token    string
	hc       *http.Client
	pace     time.Duration // between submissions the station answered
	attempts []attempt     // owned by run until it returns

	mu  sync.Mutex
	ids []string // of the records answered 201, for the print desk
}

func newSubmitter(admin, token string) *submitter {
	return &submitter{
		admin: admin, token: token, pace: 15 * time.Millisecond,
		// A fresh connection per request: a refused dial then means
		// "not sent" for sure, never a dead pooled connection.
		hc: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}},
	}
}

func (s *submitter) run(ctx context.Context) {
	for n := 1; ctx.Err() == nil; n++ {
		a := s.submit(ctx, n)
		if ctx.Err() != nil && a.Outcome != promised {
			// Cut short by the end of the soak, not by the station:
			// whatever it is, it is not promised.
			a.Outcome = unknown
		}
		s.attempts = append(s.attempts, a)
		if a.Outcome == promised {
			s.mu.Lock()
			s.ids = append(s.ids, a.ID)
			s.mu.Unlock()
		}
		wait := s.pace
		if a.Outcome == notSent {
			wait = 5 * time.Millisecond // the station is restarting
		}
		sleepCtx(ctx, wait)
	}
}

// promisedID returns one of the records answered 201 so far, or "".
func (s *submitter) promisedID(rng *rand.Rand) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ids) == 0 {
		return ""
	}
	return s.ids[rng.IntN(len(s.ids))]
}

func (s *submitter) submit(ctx context.Context, n int) attempt {
	a := attempt{N: n, At: time.Now(),
		Payload: json.RawMessage(fmt.Sprintf(`{"category":"repair","description":"第%d号楼路灯不亮"}`, n))}
	body, _ := json.Marshal(map[string]any{"kind": "matter", "payload": a.Payload})
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+s.admin+"/v1/records", bytes.NewReader(body))
	if err != nil {
		a.Outcome, a.Detail = unexpected, err.Error()
		return a
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		a.Outcome, a.Detail = unknown, err.Error()
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			a.Outcome = notSent
		}
		return a
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	b, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		a.Outcome, a.Detail = unknown, err.Error() // killed mid-answer
	case resp.StatusCode == http.StatusCreated:
		var rc struct {
			ID  string `json:"id"`
			Seq uint64 `json:"seq"`
		}
		if err := json.Unmarshal(b, &rc); err != nil || rc.ID == "" {
			a.Outcome, a.Detail = unexpected, fmt.Sprintf("201 without a record ID: %s", b)
		} else {
			a.Outcome, a.ID, a.Seq = promised, rc.ID, rc.Seq
		}
	case resp.StatusCode == http.StatusServiceUnavailable:
		a.Outcome, a.Detail = refused, string(b)
	default:
		a.Outcome, a.Detail = unexpected, string(b)
	}
	return a
}

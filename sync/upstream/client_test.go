package upstream

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	f := &Forwarder{MinBackoff: time.Second, MaxBackoff: time.Minute}
	f.init()
	for attempt := range 12 {
		d := f.backoff(attempt, errors.New("refused"))
		ceil := min(time.Second<<attempt, time.Minute)
		if d < time.Second/2 || d > ceil {
			t.Errorf("attempt %d: backoff %v outside [0.5s, %v]", attempt, d, ceil)
		}
	}
	if d := f.backoff(0, &HTTPError{Status: 429, RetryAfter: 42 * time.Second}); d != 42*time.Second {
		t.Errorf("Retry-After 42s gave %v", d)
	}
}

func TestCause(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("dial tcp: connection refused"), CauseNetwork},
		{&HTTPError{Status: 401}, CauseAuth},
		{&HTTPError{Status: 403}, CauseAuth},
		{&HTTPError{Status: 429}, CauseThrottled},
		{&HTTPError{Status: 502}, CauseServer},
		{errBadReply, CauseReply},
	}
	for _, tc := range tests {
		if got := cause(tc.err); got != tc.want {
			t.Errorf("cause(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

package upstream

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// maxReply bounds how much of a hub reply is read, so a misbehaving proxy
// cannot make the station allocate without limit.
const maxReply = 8 << 20

// errBadReply marks a 2xx answer whose body is not the contract's.
var errBadReply = errors.New("upstream: hub reply is not the v1 contract")

// Client speaks the v1 contract to one hub on behalf of one station.
type Client struct {
	BaseURL   string // e.g. https://hub.example.org
	StationID string
	// Token returns the station's bearer token. It is called for every
	// request so that a technician can replace the token file without a
	// restart.
	Token func() (string, error)
	HTTP  *http.Client
	// ObserveDate, when set, is called with the hub's time and the local
	// clock (Now) when an answer proves it came from the hub: a 2xx or 304
	// whose Gridhub-Time carries a valid Gridhub-Time-Proof, or, from a hub
	// that sends no proof, a 2xx JSON answer that decoded as the
	// contract's, with its Date header. Never a proxy's error page or a
	// captive portal's. The station sets its clock's offset by it.
	ObserveDate func(hub time.Time, local time.Time)
	// Now is the local clock ObserveDate is given; default time.Now.
	Now func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// observeUnproved passes on the Date of an answer whose body decoded as
// the contract's, when the hub sent no proof of its time.
func (c *Client) observeUnproved(resp *http.Response) {
	if c.ObserveDate == nil {
		return
	}
	if d, ok := unprovedDate(resp); ok {
		c.ObserveDate(d, c.now())
	}
}

// HTTPError is a reply other than 2xx or 304.
type HTTPError struct {
	Status     int
	RetryAfter time.Duration // zero when the hub sent none
	Body       string        // first bytes of the body, for the log
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("upstream: hub answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// IsAuth reports whether err means the hub refused the station's token.
func IsAuth(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden)
}

// Send posts one batch and returns the hub's reply.
func (c *Client) Send(ctx context.Context, recs []wire.Record) (wire.Reply, error) {
	body, err := json.Marshal(wire.Batch{StationID: c.StationID, Records: recs})
	if err != nil {
		return wire.Reply{}, fmt.Errorf("upstream: encode batch: %w", err)
	}
	resp, err := c.do(ctx, http.MethodPost, "/v1/records", body, nil)
	if err != nil {
		return wire.Reply{}, err
	}
	defer resp.Body.Close()
	var r wire.Reply
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReply)).Decode(&r); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) {
			return wire.Reply{}, fmt.Errorf("%w: decode reply to batch of %d: %v", errBadReply, len(recs), err)
		}
		// The connection broke while the answer came: the network's
		// fault, not the hub's grammar.
		return wire.Reply{}, fmt.Errorf("upstream: read reply to batch of %d: %w", len(recs), err)
	}
	c.observeUnproved(resp)
	return r, nil
}

// RefData fetches the station's reference data. With a non-empty etag the
// hub may answer 304, reported as notModified with no data.
func (c *Client) RefData(ctx context.Context, etag string) (data []byte, newETag string, notModified bool, err error) {
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	resp, err := c.do(ctx, http.MethodGet, "/v1/stations/"+url.PathEscape(c.StationID)+"/refdata", nil, h)
	if err != nil {
		return nil, "", false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, etag, true, nil
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, "", false, fmt.Errorf("upstream: read refdata: %w", err)
	}
	if !json.Valid(data) {
		return nil, "", false, errors.New("upstream: refdata is not valid JSON")
	}
	c.observeUnproved(resp)
	return data, resp.Header.Get("ETag"), false, nil
}

// Status asks the hub for the state of one record.
func (c *Client) Status(ctx context.Context, id string) (wire.Status, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/records/"+url.PathEscape(id)+"/status", nil, nil)
	if err != nil {
		return wire.Status{}, err
	}
	defer resp.Body.Close()
	var s wire.Status
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReply)).Decode(&s); err != nil {
		return wire.Status{}, fmt.Errorf("upstream: decode status of %s: %w", id, err)
	}
	c.observeUnproved(resp)
	return s, nil
}

// do sends one request and turns every non-success answer into an
// *HTTPError, so callers handle a single error shape.
func (c *Client) do(ctx context.Context, method, path string, body []byte, h http.Header) (*http.Response, error) {
	return c.doWith(ctx, c.HTTP, method, path, body, h)
}

// doWith is do with another HTTP client than c.HTTP (the same transport
// without its overall timeout, for a long download).
func (c *Client) doWith(ctx context.Context, hc *http.Client, method, path string, body []byte, h http.Header) (*http.Response, error) {
	tok, err := c.Token()
	if err != nil {
		return nil, fmt.Errorf("upstream: station token: %w", err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, rd)
	if err != nil {
		return nil, fmt.Errorf("upstream: build request: %w", err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	nonce := rand.Text()
	req.Header.Set(wire.HeaderTimeNonce, nonce)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("upstream: %s %s: %w", method, path, explainTLS(err))
	}
	if t, ok := provedTime(resp, tok, c.StationID, nonce); ok && c.ObserveDate != nil {
		c.ObserveDate(t, c.now())
	}
	if success(resp) {
		return resp, nil
	}
	defer resp.Body.Close()
	// Enough for a hub's error reply with two station IDs in it.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	// A Retry-After date is in the answerer's clock, like its Date; the
	// station's own clock may be hours off.
	ref := time.Now()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ref = d
	}
	return nil, &HTTPError{
		Status:     resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), ref),
		Body:       strings.TrimSpace(string(snippet)),
	}
}

// parseRetryAfter reads either form RFC 9110 allows: delay-seconds or an
// HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

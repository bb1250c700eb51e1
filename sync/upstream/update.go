package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// UpdateOffer asks the hub which release the station should run
// (PROTOCOL.md, "System updates"). It returns nil when none is assigned
// (204); a hub without releases answers 404, an *HTTPError.
func (c *Client) UpdateOffer(ctx context.Context, arch, version string) (*wire.UpdateOffer, error) {
	q := url.Values{"arch": {arch}, "version": {version}}
	path := fmt.Sprintf(wire.PathUpdateFormat, url.PathEscape(c.StationID)) + "?" + q.Encode()
	resp, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	var o wire.UpdateOffer
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReply)).Decode(&o); err != nil {
		return nil, fmt.Errorf("%w: decode update offer: %v", errBadReply, err)
	}
	c.observeUnproved(resp)
	return &o, nil
}

// Download is a bundle being fetched: Body starts at byte Offset of the
// bundle, whose whole size is Total (-1 when the answer did not say).
// Close it when done.
type Download struct {
	Body   io.ReadCloser
	Offset int64
	Total  int64
}

// BundleStall is how long a bundle download may go without a byte before
// it is given up (to be resumed later). A download has no overall
// timeout: a 400 MB bundle over a county's slow line takes what it takes.
const BundleStall = time.Minute

// Bundle fetches a release's bundle from byte from (PROTOCOL.md, "System
// updates"), src being the offer's URL: a path on the hub, sent with the
// station's token, or an absolute URL (a mirror; the token goes only to
// the hub's own origin). etag, if set, is the bundle's ETag: a resumed
// download continues only if the hub still has that bundle (If-Range).
// A hub that ignores the range answers the whole bundle: Offset is then 0
// and the caller starts over.
func (c *Client) Bundle(ctx context.Context, src string, from int64, etag string) (*Download, error) {
	base, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("upstream: bundle: hub URL: %w", err)
	}
	u, err := base.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("upstream: bundle URL %q: %w", src, err)
	}
	h := http.Header{}
	if from > 0 {
		h.Set("Range", fmt.Sprintf("bytes=%d-", from))
		if etag != "" {
			h.Set("If-Range", etag)
		}
	}
	// The transport (TLS trust, proxies) is the hub client's; the
	// overall timeout is not, the stall timer takes its place.
	hc := &http.Client{}
	if c.HTTP != nil {
		hc.Transport, hc.Jar, hc.CheckRedirect = c.HTTP.Transport, c.HTTP.Jar, c.HTTP.CheckRedirect
	}
	ctx, cancel := context.WithCancel(ctx)
	stall := time.AfterFunc(BundleStall, cancel)
	var resp *http.Response
	if u.Scheme == base.Scheme && u.Host == base.Host {
		path := strings.TrimPrefix(u.RequestURI(), strings.TrimSuffix(base.Path, "/"))
		resp, err = c.doWith(ctx, hc, http.MethodGet, path, nil, h)
	} else {
		resp, err = c.mirror(ctx, hc, u.String(), h)
	}
	if err != nil {
		stall.Stop()
		cancel()
		return nil, fmt.Errorf("upstream: bundle: %w", err)
	}
	d := &Download{Total: -1, Body: &stallBody{rc: resp.Body, stall: stall, cancel: cancel}}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, total, err := contentRange(resp.Header.Get("Content-Range"))
		if err != nil || start != from {
			d.Body.Close()
			return nil, fmt.Errorf("upstream: bundle: asked from byte %d, the answer's Content-Range is %q", from, resp.Header.Get("Content-Range"))
		}
		d.Offset, d.Total = start, total
	case http.StatusOK:
		d.Total = resp.ContentLength
	default:
		d.Body.Close()
		return nil, fmt.Errorf("upstream: bundle: the hub answered %s", resp.Status)
	}
	return d, nil
}

// mirror fetches from another origin than the hub's, without the token.
func (c *Client) mirror(ctx context.Context, hc *http.Client, u string, h http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, explainTLS(err))
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, &HTTPError{Status: resp.StatusCode}
	}
	return resp, nil
}

// contentRange reads "bytes START-END/TOTAL" (TOTAL may be "*").
func contentRange(v string) (start, total int64, err error) {
	rest, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, 0, errors.New("not a byte range")
	}
	span, size, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, errors.New("no total")
	}
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return 0, 0, errors.New("no span")
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, errors.New("bad span")
	}
	total = -1
	if size != "*" {
		if total, err = strconv.ParseInt(size, 10, 64); err != nil || total <= end {
			return 0, 0, errors.New("bad total")
		}
	}
	return start, total, nil
}

// stallBody gives up the download when no byte came for BundleStall.
type stallBody struct {
	rc     io.ReadCloser
	stall  *time.Timer
	cancel context.CancelFunc
	once   sync.Once
}

func (b *stallBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.stall.Reset(BundleStall)
	}
	return n, err
}

func (b *stallBody) Close() error {
	b.once.Do(func() {
		b.stall.Stop()
		b.cancel()
	})
	return b.rc.Close()
}

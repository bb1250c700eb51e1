package hub_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/releasetest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	relOld = "2026.12.1.20000+gaaaaaaa"
	relNew = "2026.12.7.140500+g61892aa"
)

type updateHub struct {
	store *hub.BoltStore
	url   string
	dir   string
	files map[string][]byte // version/arch → bundle
}

// newUpdateHub is a hub with two stations of county 141029 (st-a has
// reported, st-b has not) and releases relOld (amd64, arm64) and relNew
// (amd64), each a framed bundle file of its own.
func newUpdateHub(t *testing.T) *updateHub {
	t.Helper()
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &updateHub{store: store, dir: dir, files: map[string][]byte{}}
	for i, va := range [][2]string{{relOld, "amd64"}, {relOld, "arm64"}, {relNew, "amd64"}} {
		data := releasetest.Fake(300_000+i*1000, byte(i))
		path, err := hub.ReleasePath(filepath.Join(dir, "releases"), va[0], va[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if err := store.PutRelease(hub.Release{Version: va[0], Arch: va[1], Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
			Path: path, AddedAt: time.Now(), AddedBy: "test"}, false); err != nil {
			t.Fatal(err)
		}
		h.files[va[0]+"/"+va[1]] = data
	}
	rep := wire.Health{StationID: "st-a", Community: "141029100001", At: time.Now(), IntervalS: 300}
	if err := store.PutHealth(rep, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv := &hub.Server{Store: store, Tokens: hub.Tokens{"tok-a": "st-a", "tok-b": "st-b"}, Log: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	h.url = ts.URL
	return h
}

func (h *updateHub) get(t *testing.T, method, path, token string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (h *updateHub) assign(t *testing.T, tg hub.Target, version string) {
	t.Helper()
	if err := h.store.Assign(hub.Assignment{Target: tg, Version: version, By: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func question(station, arch string) string {
	return fmt.Sprintf(wire.PathUpdateFormat, station) + "?arch=" + arch + "&version=2026.11.1"
}

// The update question: 401 without a token, 403 station_mismatch for
// another station's, 400 for an unknown arch, 204 with nothing assigned,
// 200 with the county's release, the station's own winning over it,
// and 204 again when the assigned version has no bundle for the arch.
func TestUpdateQuestion(t *testing.T) {
	h := newUpdateHub(t)
	if resp, _ := h.get(t, "GET", question("st-a", "amd64"), ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ := h.get(t, "GET", question("st-a", "amd64"), "nope"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", resp.StatusCode)
	}
	resp, body := h.get(t, "GET", question("st-a", "amd64"), "tok-b")
	var er wire.ErrorReply
	json.Unmarshal(body, &er)
	if resp.StatusCode != http.StatusForbidden || er.Code != wire.CodeStationMismatch || er.TokenStation != "st-b" {
		t.Fatalf("another station's question: %d %s", resp.StatusCode, body)
	}
	if resp, body := h.get(t, "GET", question("st-a", "riscv64"), "tok-a"); resp.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte("arch")) {
		t.Fatalf("unknown arch: %d %s", resp.StatusCode, body)
	}
	offer := func(station, token, arch string) (int, wire.UpdateOffer) {
		t.Helper()
		resp, body := h.get(t, "GET", question(station, arch), token)
		var o wire.UpdateOffer
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(body, &o); err != nil {
				t.Fatalf("offer %s: %v", body, err)
			}
			if err := o.Check(); err != nil {
				t.Fatalf("offer %s: %v", body, err)
			}
		} else if len(body) != 0 {
			t.Fatalf("%d with a body: %s", resp.StatusCode, body)
		}
		return resp.StatusCode, o
	}
	if code, _ := offer("st-a", "tok-a", "amd64"); code != http.StatusNoContent {
		t.Fatalf("nothing assigned: %d", code)
	}
	h.assign(t, hub.Target{County: "141029"}, relOld)
	code, o := offer("st-a", "tok-a", "amd64")
	sum := sha256.Sum256(h.files[relOld+"/amd64"])
	want := wire.UpdateOffer{Version: relOld, Arch: "amd64", URL: "/v1/releases/" + relOld + "/amd64/bundle.raucb",
		Size: int64(len(h.files[relOld+"/amd64"])), SHA256: hex.EncodeToString(sum[:])}
	if code != http.StatusOK || o != want {
		t.Fatalf("county's release: %d %+v, want %+v", code, o, want)
	}
	if code, o := offer("st-a", "tok-a", "arm64"); code != http.StatusOK || o.Arch != "arm64" || o.Version != relOld {
		t.Fatalf("county's release on arm64: %d %+v", code, o)
	}
	if code, _ := offer("st-b", "tok-b", "amd64"); code != http.StatusNoContent {
		t.Fatalf("a station that never reported has no county yet: %d", code)
	}
	h.assign(t, hub.Target{Station: "st-b"}, relNew)
	if code, o := offer("st-b", "tok-b", "amd64"); code != http.StatusOK || o.Version != relNew {
		t.Fatalf("station's own: %d %+v", code, o)
	}
	h.assign(t, hub.Target{Station: "st-a"}, relNew)
	if code, o := offer("st-a", "tok-a", "amd64"); code != http.StatusOK || o.Version != relNew {
		t.Fatalf("station's own over its county's: %d %+v", code, o)
	}
	if code, _ := offer("st-a", "tok-a", "arm64"); code != http.StatusNoContent {
		t.Fatalf("%s has no arm64 bundle: %d", relNew, code)
	}
	h.assign(t, hub.Target{Station: "st-a"}, "")
	if code, o := offer("st-a", "tok-a", "amd64"); code != http.StatusOK || o.Version != relOld {
		t.Fatalf("the county's again once the station's is cleared: %d %+v", code, o)
	}
	// The hub keeps each station's latest question: its arch and system
	// version; a version that is not one is kept as unknown.
	if resp, _ := h.get(t, "GET", fmt.Sprintf(wire.PathUpdateFormat, "st-b")+"?arch=arm64&version=dev-build", "tok-b"); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("st-b on arm64: %d", resp.StatusCode)
	}
	asked, err := h.store.Asked()
	if err != nil || len(asked) != 2 || asked[0].Station != "st-a" || asked[0].Arch != "amd64" || asked[0].Version != "2026.11.1" ||
		asked[1].Station != "st-b" || asked[1].Arch != "arm64" || asked[1].Version != "" {
		t.Fatalf("kept questions: %+v, %v", asked, err)
	}
}

// A bundle is served whole, resumed from where a broken download
// stopped (206, the bytes after it), by If-Range only while its ETag
// (the SHA-256) holds, to HEAD with its length, and to stations only.
func TestBundleRanges(t *testing.T) {
	h := newUpdateHub(t)
	file := h.files[relNew+"/amd64"]
	sum := sha256.Sum256(file)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	path := fmt.Sprintf(wire.PathBundleFormat, relNew, "amd64")

	if resp, body := h.get(t, "GET", path, ""); resp.StatusCode != http.StatusUnauthorized || bytes.Contains(body, file[:64]) {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ := h.get(t, "GET", path, "bad-token"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", resp.StatusCode)
	}
	if resp, _ := h.get(t, "GET", fmt.Sprintf(wire.PathBundleFormat, relNew, "arm64"), "tok-a"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("no such release: %d", resp.StatusCode)
	}
	resp, body := h.get(t, "GET", path, "tok-b")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, file) || resp.Header.Get("ETag") != etag ||
		resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("whole: %d, %d bytes, ETag %s, Accept-Ranges %q", resp.StatusCode, len(body), resp.Header.Get("ETag"), resp.Header.Get("Accept-Ranges"))
	}
	resp, body = h.get(t, "HEAD", path, "tok-a")
	if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.ContentLength != int64(len(file)) {
		t.Fatalf("HEAD: %d, %d bytes, length %d", resp.StatusCode, len(body), resp.ContentLength)
	}

	// A download broken after part of the file, resumed with Range and
	// If-Range: the two parts are the file.
	req, _ := http.NewRequest("GET", h.url+path, nil)
	req.Header.Set("Authorization", "Bearer tok-a")
	first, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 123_457)
	if _, err := io.ReadFull(first.Body, part); err != nil {
		t.Fatal(err)
	}
	first.Body.Close()
	resp, rest := h.get(t, "GET", path, "tok-a", "Range", fmt.Sprintf("bytes=%d-", len(part)), "If-Range", etag)
	wantRange := fmt.Sprintf("bytes %d-%d/%d", len(part), len(file)-1, len(file))
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != wantRange {
		t.Fatalf("resume: %d, Content-Range %q, want %q", resp.StatusCode, resp.Header.Get("Content-Range"), wantRange)
	}
	if got := sha256.Sum256(append(part, rest...)); got != sum {
		t.Fatalf("resumed download (%d+%d bytes) does not match the file's SHA-256", len(part), len(rest))
	}

	// An If-Range of another bundle gets the whole of this one, never
	// its tail spliced onto the other's head.
	resp, body = h.get(t, "GET", path, "tok-a", "Range", "bytes=1000-", "If-Range", `"`+fmt.Sprintf("%064x", 0)+`"`)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, file) {
		t.Fatalf("stale If-Range: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, _ = h.get(t, "GET", path, "tok-a", "Range", fmt.Sprintf("bytes=%d-", len(file)+10))
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("range beyond the end: %d", resp.StatusCode)
	}

	// A file changed behind the hub is not served as the release.
	rel, _, _ := h.store.Release(relNew, "amd64")
	if err := os.WriteFile(rel.Path, file[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	if resp, _ := h.get(t, "GET", path, "tok-a"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("truncated file: %d", resp.StatusCode)
	}
}

// A bundle's download outlasts the server's WriteTimeout while it makes
// progress, and is dropped once it stalls for BundleStall.
func TestBundleSlowAndStalled(t *testing.T) {
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	data := releasetest.Fake(24<<20, 5) // beyond what the sockets' buffers hold (below)
	path := filepath.Join(dir, "bundle.raucb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := store.PutRelease(hub.Release{Version: "1.0", Arch: "amd64", Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Path: path, AddedAt: time.Now(), AddedBy: "test"}, false); err != nil {
		t.Fatal(err)
	}
	srv := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": "st-a"}, Log: slog.New(slog.DiscardHandler), BundleStall: 3 * time.Second}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.WriteTimeout = 300 * time.Millisecond
	ts.Start()
	defer ts.Close()
	// Each fetch on a connection of its own, whose receive buffer is
	// fixed small: Linux grows a loopback socket's to tcp_rmem's maximum
	// (32 MiB on some machines), and a connection kept alive from the
	// first fetch then held the whole bundle while the second stalled.
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
			}); err != nil {
				return err
			}
			return serr
		}}).DialContext,
	}}
	fetch := func(pause time.Duration, pauseAt int) (int, error) {
		req, _ := http.NewRequest("GET", ts.URL+fmt.Sprintf(wire.PathBundleFormat, "1.0", "amd64"), nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		h := sha256.New()
		buf := make([]byte, 1<<20)
		n := 0
		for {
			if n >= pauseAt {
				time.Sleep(pause)
				pauseAt = len(data) + 1
			}
			m, err := resp.Body.Read(buf)
			h.Write(buf[:m])
			n += m
			if err == io.EOF {
				if !bytes.Equal(h.Sum(nil), sum[:]) {
					return n, fmt.Errorf("%d bytes that are not the bundle", n)
				}
				return n, nil
			}
			if err != nil {
				return n, err
			}
		}
	}
	// Slow but steady: 1 s without reading after the first MiB, far
	// beyond the 300 ms WriteTimeout, well within the stall limit.
	if n, err := fetch(time.Second, 1<<20); err != nil || n != len(data) {
		t.Fatalf("slow download: %d of %d bytes, %v", n, len(data), err)
	}
	// Stalled: the hub lets go after BundleStall; the station resumes.
	if n, err := fetch(4*time.Second+srv.BundleStall, 1<<20); err == nil || n >= len(data) {
		t.Fatalf("stalled download: %d of %d bytes, %v; want it cut off", n, len(data), err)
	}
}

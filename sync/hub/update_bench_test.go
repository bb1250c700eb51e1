package hub_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/releasetest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// BenchmarkBundleDownload is one station fetching a 64 MiB bundle over
// loopback through the whole handler (token look-up, release look-up,
// ServeContent with the write deadline moved on at every write).
func BenchmarkBundleDownload(b *testing.B) {
	dir := b.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	data := releasetest.Fake(64<<20, 9)
	path := filepath.Join(dir, "bundle.raucb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := store.PutRelease(hub.Release{Version: "1.0", Arch: "amd64", Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Path: path, AddedAt: time.Now(), AddedBy: "bench"}, false); err != nil {
		b.Fatal(err)
	}
	srv := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": "st"}, Log: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	url := ts.URL + fmt.Sprintf(wire.PathBundleFormat, "1.0", "amd64")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != int64(len(data)) {
			b.Fatalf("%d bytes, %v", n, err)
		}
	}
}

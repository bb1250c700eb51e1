package sim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/console"
	"github.com/gridkiosk/gridkiosk/sync/hub/statuspage"
)

// simHub is the county hub in the simulation's process: sync/hub over a
// bbolt file, serving the demo reference data with the code key it signs
// demo codes with, and the status pages of the receipts' links.
type simHub struct {
	addr      string // the hub's loopback address
	tokenFile string // the demo station's token at the hub
	store     *hub.BoltStore
	srv       *http.Server
	done      chan struct{}
	signer    signedcode.Signer
}

// startHub starts the hub with its database and key in dir, and writes a
// fresh token for the demo station to tokenFile.
func startHub(dir, tokenFile string, log *slog.Logger) (*simHub, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	raw := make([]byte, 24)
	rand.Read(raw)
	token := hex.EncodeToString(raw)
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		store.Close()
		return nil, fmt.Errorf("simulate: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("simulate: hub: %w", err)
	}
	signer, refdata, err := codeKey(filepath.Join(dir, "code.key"))
	if err != nil {
		store.Close()
		ln.Close()
		return nil, err
	}
	// Receipts print links to the hub's status pages, which a browser on
	// this machine opens.
	if refdata, err = hub.AttachPublicURL(refdata, "http://"+ln.Addr().String()); err != nil {
		store.Close()
		ln.Close()
		return nil, fmt.Errorf("simulate: %w", err)
	}
	hs := &hub.Server{Store: store, Tokens: hub.Tokens{token: demo.StationID}, Log: log.With("component", "hub"),
		RefData: func(string) ([]byte, error) { return refdata, nil }}
	handler, err := withConsole(store, hs, log)
	if err != nil {
		store.Close()
		ln.Close()
		return nil, err
	}
	h := &simHub{addr: ln.Addr().String(), tokenFile: tokenFile, store: store, signer: signer}
	h.srv, h.done = serveHub(withStatusPages(handler, hs, log), ln, log)
	log.Info("simulate: county console", "url", "http://"+h.addr+console.Prefix, "user", demo.ConsoleUser, "password", demo.ConsolePassword)
	return h, nil
}

// codeKey loads (or makes, on the first run) the simulated hub's
// code-signing key and returns the demo reference data carrying it.
func codeKey(path string) (signedcode.Signer, []byte, error) {
	signer, err := signedcode.LoadSigner(path)
	if errors.Is(err, os.ErrNotExist) {
		signer, err = signedcode.NewSignerFile(path, "sim-hub")
	}
	if err != nil {
		return signer, nil, fmt.Errorf("simulate: %w", err)
	}
	rd, err := signedcode.AttachKeys(demo.RefData(), signer.ForStation(demo.StationID))
	if err != nil {
		return signer, nil, fmt.Errorf("simulate: %w", err)
	}
	return signer, rd, nil
}

func (h *simHub) issueCode(kind string) (string, error) {
	day := time.Now().In(time.FixedZone("CST", 8*3600))
	switch kind {
	case "appointment", "appointment-expired":
		if kind != "appointment" {
			day = day.AddDate(0, 0, -1)
		}
		a, err := demo.Appointment(day.Format(time.DateOnly))
		if err != nil {
			return "", err
		}
		return h.signer.Appointment(a)
	case "staff":
		return h.signer.Staff(demo.StaffBadge(time.Now()))
	}
	return "", fmt.Errorf("no demo code %q (have appointment, appointment-expired, staff)", kind)
}

func (h *simHub) close() error {
	h.srv.Close()
	<-h.done
	return h.store.Close()
}

// withStatusPages serves the status pages of the receipts' links beside
// h, at the hub's root as the reference data's public_url says.
func withStatusPages(h http.Handler, hs *hub.Server, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	(&statuspage.Page{Records: hs.Store, RefData: hs.RefData, Log: log.With("component", "statuspage")}).Register(mux, "")
	return mux
}

// serveHub serves h on ln with the county hub's limits until the
// returned server is closed; done closes when it has stopped.
func serveHub(h http.Handler, ln net.Listener, log *slog.Logger) (*http.Server, chan struct{}) {
	done := make(chan struct{})
	srv, gl := hub.HTTPLimits(0).Server(h, ln, log.With("component", "hub"))
	go func() { srv.Serve(gl); close(done) }()
	return srv, done
}

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// lockedBuffer is a log that the hub's process writes while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// hubProcess is gridhub serve, run as a process of its own so that it
// holds its store the way a real hub does.
type hubProcess struct {
	url  string
	log  *lockedBuffer
	stop func() error // SIGTERM, and the exit status
}

// startHub runs gridhub serve with args and waits until it answers.
// client is how to reach it (nil: plain HTTP).
func startHub(t testing.TB, client *http.Client, args ...string) *hubProcess {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args = slices.Clone(args)
	for i := range args { // {addr} is where the hub listens, e.g. in --public-url
		args[i] = strings.ReplaceAll(args[i], "{addr}", addr)
	}
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--listen", addr}, args...)...)
	cmd.Env = append(os.Environ(), "GRIDHUB_TEST_MAIN=1")
	h := &hubProcess{url: "http://" + addr, log: &lockedBuffer{}}
	if client != nil {
		h.url = "https://" + addr
	} else {
		client = http.DefaultClient
	}
	cmd.Stdout, cmd.Stderr = h.log, h.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.stop = sync.OnceValue(func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		return cmd.Wait()
	})
	t.Cleanup(func() { h.stop() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := client.Get(h.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("gridhub serve did not answer in 15s: %v\n%s", err, h.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *hubProcess) client(station, token string, hc *http.Client) *upstream.Client {
	return &upstream.Client{BaseURL: h.url, StationID: station, HTTP: hc,
		Token: func() (string, error) { return token, nil }}
}

// rec returns a valid record; i makes its ID.
func rec(i int) wire.Record {
	return wire.Record{ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: "matter", Seq: uint64(i),
		CreatedAt: time.Now(), Grid: []byte(`{"county":"141029"}`), Payload: []byte(`{"category":"repair"}`)}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// a client that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, client *http.Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gridhub test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "hub.crt"), filepath.Join(dir, "hub.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, hc := selfSigned(t, dir)
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("141029-xfw-01 0123456789abcdef0123\n"), 0o600)
	h := startHub(t, hc, "--data", filepath.Join(dir, "hub"), "--tokens", tokens, "--tls-cert", certFile, "--tls-key", keyFile)

	c := h.client("141029-xfw-01", "0123456789abcdef0123", hc)
	if reply, err := c.Send(t.Context(), []wire.Record{rec(1)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send over TLS: %+v %v", reply, err)
	}
	if s, err := c.Status(t.Context(), rec(1).ID); err != nil || s.State != "received" {
		t.Fatalf("status over TLS: %+v %v", s, err)
	}
	// A client that does not trust the certificate gets no further.
	if _, err := h.client("141029-xfw-01", "0123456789abcdef0123", &http.Client{}).Send(t.Context(), []wire.Record{rec(2)}); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	// Plain HTTP is not served.
	resp, err := http.Get(strings.Replace(h.url, "https://", "http://", 1) + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered 200 on the TLS port")
		}
	}
	if err := h.stop(); err != nil {
		t.Fatalf("gridhub did not stop cleanly: %v\n%s", err, h.log.String())
	}
	if !strings.Contains(h.log.String(), "tls=true") {
		t.Errorf("the log does not say TLS is on:\n%s", h.log.String())
	}
}

// runErr runs gridhub in this process and returns its exit code and
// everything it wrote.
func runErr(args ...string) (int, string) {
	var out bytes.Buffer
	code := realMain(args, &out, &out)
	return code, out.String()
}

// waitStatus waits for a record's state at the hub.
func waitStatus(t *testing.T, c *upstream.Client, id, state string) wire.Status {
	t.Helper()
	var s wire.Status
	var err error
	waitFor(t, "record "+id+" "+state, func() bool {
		s, err = c.Status(context.Background(), id)
		return err == nil && s.State == state
	})
	return s
}

// gridhub serve keeps at most --max-conns connections: with more idle
// ones than that held open, a station's batch is still acked, and the
// hub says that it closed idle connections to let it in.
func TestServeConnectionLimit(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("141029-xfw-01 0123456789abcdef0123\n"), 0o600)
	h := startHub(t, nil, "--data", filepath.Join(dir, "hub"), "--tokens", tokens, "--max-conns", "8")
	addr := strings.TrimPrefix(h.url, "http://")
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	reply, err := h.client("141029-xfw-01", "0123456789abcdef0123", fresh).Send(context.Background(), []wire.Record{rec(1)})
	if err != nil || len(reply.Acked) != 1 {
		t.Fatalf("a station's batch with 20 idle connections held: %+v %v\n%s", reply, err, h.log)
	}
	if err := h.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if log := h.log.String(); !strings.Contains(log, "max_conns=8") || !strings.Contains(log, "connection limit reached") {
		t.Fatalf("the hub's log does not tell of its limit:\n%s", log)
	}
}

// Package pgtest runs a throwaway PostgreSQL server for tests: one
// cluster per test binary, started on first use, and a new database for
// each test that asks.
//
// The server binaries come from the machine (Debian's postgresql
// package); a test that needs them and finds none fails, and says how to
// install them. A test package that uses pgtest runs its tests through
// Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// The server listens on a Unix socket in a private temporary directory,
// never on TCP, so test binaries run side by side without port clashes.
// It runs as the postgres user when the tests run as root (PostgreSQL
// refuses root) and dies with the test binary even when that is killed.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// shared is the cluster of this test binary. It is package state on
// purpose: a test binary has one TestMain, and initdb takes about a
// second, so the cluster is made once per binary rather than per test.
var shared struct {
	mu      sync.Mutex
	main    bool // Main is running the tests, and will stop the cluster
	cluster *cluster
	err     error // why the cluster did not start; every test gets it
	n       int   // databases made so far, to name the next one
}

// Main runs m's tests and then stops the cluster, if a test started one.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		if err := shared.cluster.stop(); err != nil {
			fmt.Printf("pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		shared.cluster = nil
	}
	return code
}

// DSN returns the URL of a new, empty database on the test binary's
// cluster, starting the cluster if this is the first call. The database
// is dropped when t ends; close what uses it before (t.Cleanup runs last
// registered first, so open it after calling DSN).
func DSN(t testing.TB) string {
	t.Helper()
	c, name, err := newDatabaseName(t.Name())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends connections a failed test left open.
		if err := c.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.url(name)
}

// newDatabaseName returns the cluster, started if need be, and a name
// for a new database that says which test it is for.
func newDatabaseName(test string) (*cluster, string, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.main {
		return nil, "", fmt.Errorf("the test binary must run its tests with pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = start()
	}
	if shared.err != nil {
		return nil, "", shared.err
	}
	shared.n++
	name := fmt.Sprintf("t%d_%s", shared.n, unsafeChars.ReplaceAllString(strings.ToLower(test), "_"))
	if len(name) > 63 { // PostgreSQL's limit of an identifier
		name = name[:63]
	}
	return shared.cluster, name, nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// url is the DSN of database name, in the URL form gridhub's --db takes.
func (c *cluster) url(name string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Path:     "/" + name,
		RawQuery: url.Values{"host": {c.dir}, "port": {fmt.Sprint(port)}, "sslmode": {"disable"}}.Encode(),
	}
	return u.String()
}

func (c *cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

package pgtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// Without the server binaries a test fails and says how to get them:
// skipping would hide that the PostgreSQL store went untested.
func TestFindBinaries(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	_, err := findBinaries(filepath.Join(dir, "pg_config"), filepath.Join(dir, "*", "bin"))
	if err == nil || !strings.Contains(err.Error(), "install postgresql (make test does: apt-get install postgresql)") {
		t.Fatalf("no binaries: %v", err)
	}
	bin := filepath.Join(dir, "16", "bin")
	os.MkdirAll(bin, 0o755)
	for _, f := range []string{"initdb", "postgres"} {
		os.WriteFile(filepath.Join(bin, f), nil, 0o755)
	}
	os.MkdirAll(filepath.Join(dir, "9", "bin"), 0o755)
	if got, err := findBinaries(filepath.Join(dir, "pg_config"), filepath.Join(dir, "*", "bin")); err != nil || got != bin {
		t.Fatalf("findBinaries = %q, %v; want %q", got, err, bin)
	}
}

func TestDSN(t *testing.T) {
	for range 2 {
		dsn := DSN(t)
		if !strings.HasPrefix(dsn, "postgres://postgres@/t") || !strings.Contains(dsn, "host=") {
			t.Fatalf("DSN %q", dsn)
		}
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var tables int
		err = conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables)
		conn.Close(t.Context())
		if err != nil || tables != 0 {
			t.Fatalf("new database: %d tables, %v", tables, err)
		}
	}
}

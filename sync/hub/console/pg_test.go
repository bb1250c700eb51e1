package console_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgstore"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Two hub processes behind a load balancer, each with its own
// connections to one PostgreSQL database: a session begun at one is
// good at the other, a log-out at one ends it at both, failed log-ins
// count across both, and a status set through one is what the station's
// look-up at the other answers. Nothing the console needs is kept in
// one process's memory.
func TestTwoHubsOnPostgres(t *testing.T) {
	dsn, key := pgtest.DSN(t), filepath.Join(t.TempDir(), "hub.key")
	open := func() hub.Store {
		s, err := pgstore.Open(t.Context(), dsn, key)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	clk := &clock{t: t0}
	one := fixtureOn(t, open(), clk, true)
	two := fixtureOn(t, open(), clk, false)

	b := one.loggedIn(t, "xfw.staff")
	b.base = two.url
	if code, _ := b.get("/console/matters/" + matterNew); code != http.StatusOK {
		t.Fatalf("the session begun at hub one, at hub two: %d", code)
	}
	if code, _ := b.post("/console/matters/"+matterNew+"/status", "state", hub.StateInProgress, "note", "已派电工"); code != http.StatusSeeOther {
		t.Fatalf("status at hub two: %d", code)
	}
	if code, st := one.stationStatus(t, tokenXFW, matterNew); code != http.StatusOK || st.State != hub.StateInProgress || st.Note != "已派电工" {
		t.Fatalf("the station's look-up at hub one: %d %+v", code, st)
	}
	b.get("/console/matters")
	if code, _ := b.post("/console/logout"); code != http.StatusSeeOther {
		t.Fatalf("log-out at hub two: %d", code)
	}
	b.base = one.url
	if code, _ := b.get("/console/matters"); code != http.StatusSeeOther {
		t.Fatalf("after log-out at hub two, hub one still takes the session: %d", code)
	}

	// Three failures, spread over both hubs, reach the account's limit.
	for i, f := range []*fixture{one, two, one} {
		if code := f.browser(t).login("county.admin", "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	if code := two.browser(t).login("county.admin", password); code != http.StatusTooManyRequests {
		t.Fatalf("after 3 failures over two hubs: %d, want 429", code)
	}
}

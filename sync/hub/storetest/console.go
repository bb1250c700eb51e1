package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// consoleTests are the console's part of the suite (hub.ConsoleStore).
func consoleTests() []struct {
	name string
	test func(*testing.T, hub.Store)
} {
	return []struct {
		name string
		test func(*testing.T, hub.Store)
	}{
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"LoginFailures", testLoginFailures},
		{"RecordAnyStation", testRecordAnyStation},
		{"MatterEvents", testMatterEvents},
		{"Audit", testAudit},
	}
}

const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

func testUsers(t *testing.T, s hub.Store) {
	if _, ok, err := s.User("nobody"); ok || err != nil {
		t.Fatalf("User(nobody) = %v, %v; want not found", ok, err)
	}
	staff := hub.User{Name: "xfw.zhao", Role: hub.RoleStaff, Community: "141029100001", PassHash: fakeHash, UpdatedAt: t0}
	admin := hub.User{Name: "admin", Role: hub.RoleAdmin, PassHash: fakeHash, UpdatedAt: t0}
	for _, u := range []hub.User{staff, admin} {
		if err := s.PutUser(u); err != nil {
			t.Fatal(err)
		}
	}
	staff.Disabled = true
	if err := s.PutUser(staff); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.User("xfw.zhao")
	if err != nil || !ok || !got.Disabled || got.Community != staff.Community || got.PassHash != fakeHash || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("User = %+v, %v, %v; want %+v", got, ok, err, staff)
	}
	all, err := s.Users()
	if err != nil || len(all) != 2 || all[0].Name != "admin" || all[1].Name != "xfw.zhao" {
		t.Fatalf("Users = %+v, %v; want admin, xfw.zhao", all, err)
	}
	for _, bad := range []hub.User{
		{Name: "x", Role: hub.RoleAdmin, PassHash: fakeHash},
		{Name: "Upper", Role: hub.RoleAdmin, PassHash: fakeHash},
		{Name: "staff1", Role: hub.RoleStaff, PassHash: fakeHash},
		{Name: "admin2", Role: hub.RoleAdmin, Community: "141029100001", PassHash: fakeHash},
		{Name: "boss", Role: "root", PassHash: fakeHash},
		{Name: "nohash", Role: hub.RoleViewer},
	} {
		if err := s.PutUser(bad); !errors.Is(err, hub.ErrBadUser) {
			t.Errorf("PutUser(%+v) = %v; want ErrBadUser", bad, err)
		}
	}
}

func testSessions(t *testing.T, s hub.Store) {
	mk := func(i int, user string) hub.Session {
		return hub.Session{IDHash: fmt.Sprintf("hash-%d", i), User: user, CSRF: fmt.Sprintf("csrf-%d", i), Created: t0, LastSeen: t0}
	}
	for i, u := range []string{"a1", "a1", "b2"} {
		if err := s.PutSession(mk(i, u)); err != nil {
			t.Fatal(err)
		}
	}
	touched := mk(0, "a1")
	touched.LastSeen = t0.Add(time.Minute)
	if err := s.PutSession(touched); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Session("hash-0")
	if err != nil || !ok || got.CSRF != "csrf-0" || !got.LastSeen.Equal(touched.LastSeen) || !got.Created.Equal(t0) {
		t.Fatalf("Session = %+v, %v, %v; want %+v", got, ok, err, touched)
	}
	if err := s.DeleteSession("hash-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession("hash-unknown"); err != nil {
		t.Fatalf("DeleteSession of an unknown session: %v", err)
	}
	if _, ok, _ := s.Session("hash-2"); ok {
		t.Fatal("a deleted session is still there")
	}
	if err := s.DeleteUserSessions("a1"); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"hash-0", "hash-1"} {
		if _, ok, _ := s.Session(h); ok {
			t.Fatalf("session %s of a1 outlived DeleteUserSessions", h)
		}
	}
	// Sessions never logged out: one idle too long, one too old, one live.
	idle, old, live := mk(10, "c3"), mk(11, "c3"), mk(12, "c3")
	idle.LastSeen = t0.Add(-time.Hour)
	old.Created = t0.Add(-13 * time.Hour)
	for _, se := range []hub.Session{idle, old, live} {
		if err := s.PutSession(se); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteExpiredSessions(t0.Add(-30*time.Minute), t0.Add(-12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		se   hub.Session
		want bool
	}{{idle, false}, {old, false}, {live, true}} {
		if _, ok, _ := s.Session(c.se.IDHash); ok != c.want {
			t.Errorf("after DeleteExpiredSessions, session %s there: %v, want %v", c.se.IDHash, ok, c.want)
		}
	}
}

// testLoginFailures counts failures from several goroutines at once, as
// several hubs on one database do: none is lost.
func testLoginFailures(t *testing.T, s hub.Store) {
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.AddLoginFailure("user:a1", t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := s.AddLoginFailure("client:10.0.0.1", t0); err != nil {
		t.Fatal(err)
	}
	cnt, first, err := s.LoginFailures("user:a1", t0)
	if err != nil || cnt != n || !first.Equal(t0) {
		t.Fatalf("LoginFailures = %d, %v, %v; want %d since %v", cnt, first, err, n, t0)
	}
	if cnt, first, _ = s.LoginFailures("user:a1", t0.Add(5*time.Second)); cnt != 3 || !first.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("LoginFailures since +5s = %d, %v; want 3 from +5s", cnt, first)
	}
	if cnt, _, _ = s.LoginFailures("client:10.0.0.1", time.Time{}); cnt != 1 {
		t.Fatalf("another key's failures: %d, want 1", cnt)
	}
	// A failure a day later forgets the old ones, of every key: an
	// address seen once does not stay for ever.
	if err := s.AddLoginFailure("user:a1", t0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if cnt, _, _ = s.LoginFailures("user:a1", time.Time{}); cnt != 1 {
		t.Fatalf("after a day: %d failures kept, want 1", cnt)
	}
	if err := s.ClearLoginFailures("user:a1"); err != nil {
		t.Fatal(err)
	}
	if cnt, _, _ = s.LoginFailures("user:a1", time.Time{}); cnt != 0 {
		t.Fatalf("after Clear: %d failures", cnt)
	}
	if cnt, _, _ = s.LoginFailures("client:10.0.0.1", time.Time{}); cnt != 0 {
		t.Fatalf("an address seen once a day ago: %d failures kept, want 0", cnt)
	}
}

func testRecordAnyStation(t *testing.T, s hub.Store) {
	r := rec(7)
	ingest(t, s, stationB, t0, r)
	got, ok, err := s.Record(upperID(r.ID))
	if err != nil || !ok || got.StationID != stationB || got.Record.ID != r.ID || got.State != hub.StateReceived ||
		string(got.Record.Payload) != string(r.Payload) {
		t.Fatalf("Record = %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := s.Record(rec(8).ID); ok || err != nil {
		t.Fatalf("Record of a record never sent = %v, %v", ok, err)
	}
}

func testMatterEvents(t *testing.T, s hub.Store) {
	a, b := rec(1).ID, rec(2).ID
	events := []hub.MatterEvent{
		{RecordID: upperID(a), At: t0, User: "xfw.zhao", Kind: hub.EventAssign, Value: "李建国"},
		{RecordID: b, At: t0, User: "admin", Kind: hub.EventStatus, Value: hub.StateDone, Note: "已修好"},
		{RecordID: a, At: t0.Add(time.Hour), User: "xfw.zhao", Kind: hub.EventStatus, Value: hub.StateInProgress, Note: "电工明天上门"},
	}
	for _, e := range events {
		if err := s.AddMatterEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.MatterEvents(upperID(a))
	if err != nil || len(got) != 2 {
		t.Fatalf("MatterEvents = %+v, %v; want 2", got, err)
	}
	if got[0].Value != "李建国" || got[0].RecordID != a || got[1].Note != "电工明天上门" || !got[1].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("MatterEvents = %+v", got)
	}
	if none, err := s.MatterEvents(rec(3).ID); err != nil || len(none) != 0 {
		t.Fatalf("MatterEvents of a record without any = %+v, %v", none, err)
	}
}

func testAudit(t *testing.T, s hub.Store) {
	for i := range 5 {
		err := s.AddAudit(hub.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), User: "admin", Action: "reveal", Target: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Audit(3)
	if err != nil || len(got) != 3 || got[0].Target != "4" || got[2].Target != "2" || !got[0].At.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("Audit(3) = %+v, %v; want the newest three, newest first", got, err)
	}
	if all, _ := s.Audit(0); len(all) != 5 {
		t.Fatalf("Audit(0) = %d entries, want all 5", len(all))
	}
}

func upperID(id string) string { return strings.ToUpper(id) }

package pgstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// personal is a resident's and a staff member's data, made afresh for
// each test: the cluster's files are shared by every test of the binary,
// and another test's clear rows must not be taken for this one's.
type personal struct {
	name, idNumber, phone, staff, pinHash string
	linkKey                               string // opens the record's status page
}

func newPersonal(t *testing.T) personal {
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			d, _ := rand.Int(rand.Reader, big.NewInt(10))
			fmt.Fprint(&b, d)
		}
		return b.String()
	}
	hanzi := func(n int) string {
		var b strings.Builder
		for range n {
			c, _ := rand.Int(rand.Reader, big.NewInt(0x9fa5-0x4e00))
			b.WriteRune(rune(0x4e00 + c.Int64()))
		}
		return b.String()
	}
	salt, sum := make([]byte, 16), make([]byte, 32)
	rand.Read(salt)
	rand.Read(sum)
	b64 := base64.RawStdEncoding.EncodeToString
	return personal{
		name: "王" + hanzi(2), idNumber: "141029" + digits(12), phone: "139" + digits(8), staff: "李" + hanzi(2),
		pinHash: "$argon2id$v=19$m=19456,t=2,p=1$" + b64(salt) + "$" + b64(sum),
		linkKey: receiptcode.NewKey(),
	}
}

func (p personal) record(id string) wire.Record {
	return wire.Record{ID: id, Kind: "registration", Seq: 1, ClockTrusted: true,
		CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Grid: json.RawMessage(`{"county":"141029"}`), LinkKey: p.linkKey,
		Payload: json.RawMessage(`{"person":{"name":"` + p.name + `","id_number":"` + p.idNumber + `","card_type":"resident"},"phone":"` + p.phone + `","purpose":"certificate"}`)}
}

func (p personal) note() string { return "已电话联系" + p.name }

func (p personal) refData() []byte {
	return []byte(`{"categories":[{"code":"repair","name":"公共设施报修"}],"staff":[{"id":"s-0007","name":"` + p.staff +
		`","role":"micro_grid_leader","pin_hash":"` + p.pinHash + `"}]}`)
}

// in lists what of p the raw bytes hold in clear, in UTF-8 or GB18030:
// the name, ID number (and its birth date digits), phone, staff name and
// PIN hash (and its hash part).
func (p personal) in(t *testing.T, raw []byte) []string {
	t.Helper()
	var found []string
	for _, s := range []string{p.name, p.idNumber, p.idNumber[6:14], p.phone, p.staff, p.pinHash, p.pinHash[strings.LastIndex(p.pinHash, "$")+1:], p.linkKey} {
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(s)) || bytes.Contains(raw, []byte(gb)) {
			found = append(found, s)
		}
	}
	return found
}

// dump is every column of every hub_* table, as pg_dump would write it:
// text as text, bytea as its bytes.
func dump(t *testing.T, conn *pgx.Conn) []byte {
	t.Helper()
	ctx := t.Context()
	var tables []string
	rows, err := conn.Query(ctx, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'hub\\_%' ORDER BY 1")
	if err == nil {
		tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil || len(tables) < 5 {
		t.Fatalf("tables %v: %v", tables, err)
	}
	var out bytes.Buffer
	for _, table := range tables {
		rows, err := conn.Query(ctx, "SELECT * FROM "+pgx.Identifier{table}.Sanitize(), pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			// The simple protocol sends every column as text; bytea
			// comes as hex, so it is decoded to see its bytes.
			for _, v := range rows.RawValues() {
				if raw, ok := bytes.CutPrefix(v, []byte(`\x`)); ok {
					dec := make([]byte, len(raw)/2)
					fmt.Sscanf(string(raw), "%x", &dec)
					v = dec
				}
				out.Write(v)
				out.WriteByte('\n')
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// onDisk is every file of the cluster's data directory (tables, WAL,
// everything) after a CHECKPOINT has written what the server holds in
// memory.
func onDisk(t *testing.T, conn *pgx.Conn) map[string][]byte {
	t.Helper()
	var dir string
	if _, err := conn.Exec(t.Context(), "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(t.Context(), "SHOW data_directory").Scan(&dir); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files[path] = b
		return nil
	})
	if err != nil || len(files) < 100 {
		t.Fatalf("data directory %s: %d files, %v", dir, len(files), err)
	}
	return files
}

// The PostgreSQL store held payloads, notes and reference data as
// received. Neither a dump of its tables nor the cluster's files on disk
// (tables and WAL) now hold a name, ID number, phone number or PIN hash.
func TestSealedAtRest(t *testing.T) {
	p := newPersonal(t)
	dsn, key := pgtest.DSN(t), filepath.Join(t.TempDir(), "hub.key")
	s, err := Open(t.Context(), dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const station = "141029-xfw-01"
	r := p.record("0190F5E6-0000-7000-8000-000000000001")
	if reply, err := s.Ingest(station, []wire.Record{r}, time.Now()); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("ingest: %+v %v", reply, err)
	}
	if err := s.SetStatus(r.ID, hub.StateDone, p.note(), time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"", station} {
		if err := s.PutRefData(st, p.refData()); err != nil {
			t.Fatal(err)
		}
	}
	// The console's: an account's password hash, the worker a matter
	// went to and its note.
	if err := s.PutUser(hub.User{Name: "county.admin", Role: hub.RoleAdmin, PassHash: p.pinHash}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMatterEvent(hub.MatterEvent{RecordID: r.ID, Kind: hub.EventAssign, Value: p.staff, Note: p.note()}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if found := p.in(t, dump(t, conn)); len(found) > 0 {
		t.Errorf("the tables hold in clear: %q", found)
	}
	for path, b := range onDisk(t, conn) {
		if found := p.in(t, b); len(found) > 0 {
			t.Errorf("%s holds in clear: %q", path, found)
		}
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}

	// With the key, everything reads back as stored; the same record
	// sent again is the same, one with another payload a conflict.
	all, err := s.Records(hub.Query{})
	if err != nil || len(all) != 1 || !bytes.Equal(all[0].Record.Payload, r.Payload) || all[0].Note != p.note() {
		t.Fatalf("records: %+v %v", all, err)
	}
	if st, ok, err := s.Status(station, r.ID); err != nil || !ok || st.Note != p.note() {
		t.Fatalf("status: %+v %v %v", st, ok, err)
	}
	if rd, ok, err := s.RefData(station); err != nil || !ok || !bytes.Equal(rd, p.refData()) {
		t.Fatalf("refdata: %s %v %v", rd, ok, err)
	}
	if u, ok, err := s.User("county.admin"); err != nil || !ok || u.PassHash != p.pinHash {
		t.Fatalf("user: %+v %v %v", u, ok, err)
	}
	if ev, err := s.MatterEvents(r.ID); err != nil || len(ev) != 1 || ev[0].Value != p.staff || ev[0].Note != p.note() {
		t.Fatalf("matter events: %+v %v", ev, err)
	}
	again := r
	again.Payload = json.RawMessage(" " + strings.ReplaceAll(string(r.Payload), ",", ",\n\t")) // the same JSON
	other := r
	other.Payload = json.RawMessage(`{"person":{"name":"` + p.name + `"},"phone":"13800000000"}`)
	reply, err := s.Ingest(station, []wire.Record{again, other}, time.Now())
	if err != nil || len(reply.Acked) != 1 || len(reply.Rejected) != 1 || reply.Rejected[0].Code != wire.RejectConflict {
		t.Fatalf("sent again, and with another payload: %+v %v", reply, err)
	}
}

// A store is refused without its key, with another key, or with a key
// others may read, rather than read as empty or garbled.
func TestKeyRefused(t *testing.T) {
	dsn, dir := pgtest.DSN(t), t.TempDir()
	key, other := filepath.Join(dir, "hub.key"), filepath.Join(dir, "other.key")
	for _, k := range []string{key, other} {
		s, err := Open(t.Context(), pgtest.DSN(t), k)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s, err := Open(t.Context(), dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Chmod(other, 0o644)
	tests := []struct{ name, key, want string }{
		{"another key", other, "chmod 600"},
		{"missing", filepath.Join(dir, "none.key"), "is missing but database"},
		{"none given", "", "no key file"},
	}
	os.Chmod(other, 0o600)
	if s, err := Open(t.Context(), dsn, other); err == nil || !strings.Contains(err.Error(), "not the key database") {
		if err == nil {
			s.Close()
		}
		t.Errorf("another key: %v", err)
	}
	os.Chmod(other, 0o644)
	for _, tc := range tests {
		s, err := Open(t.Context(), dsn, tc.key)
		if err == nil {
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Open: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

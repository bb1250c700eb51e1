package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// consoleLock is the advisory lock the console's tables are made under,
// apart from the records' migrations, so that the two evolve on their own.
const consoleLock = 0x67726964636f6e // "gridcon"

// consoleSchema makes the console's tables (see hub.ConsoleStore). Each
// statement may run again: the tables are only ever added to. Accounts,
// sessions and audit entries are JSON text; an account (its password
// hash) and a matter event's value and note are sealed, as the staff's
// PIN hashes and the records' notes are.
const consoleSchema = `
CREATE TABLE IF NOT EXISTS hub_console_users (
	name text PRIMARY KEY,
	data bytea NOT NULL -- sealed: it holds the password hash
);
CREATE TABLE IF NOT EXISTS hub_console_sessions (
	id_hash   text PRIMARY KEY,
	user_name text NOT NULL,
	created   timestamptz NOT NULL,
	last_seen timestamptz NOT NULL,
	data      text NOT NULL
);
CREATE INDEX IF NOT EXISTS hub_console_sessions_user ON hub_console_sessions (user_name);
CREATE TABLE IF NOT EXISTS hub_console_login_failures (
	key text NOT NULL,
	at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS hub_console_login_failures_key ON hub_console_login_failures (key, at);
CREATE INDEX IF NOT EXISTS hub_console_login_failures_at ON hub_console_login_failures (at);
CREATE TABLE IF NOT EXISTS hub_console_events (
	seq       bigserial PRIMARY KEY,
	record_id text NOT NULL,
	data      bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS hub_console_events_record ON hub_console_events (record_id, seq);
CREATE TABLE IF NOT EXISTS hub_console_audit (
	seq  bigserial PRIMARY KEY,
	data text NOT NULL
);
`

func (s *Store) migrateConsole(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(consoleLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, consoleSchema)
		return err
	})
}

func (s *Store) getJSON(query string, v any, args ...any) (bool, error) {
	ctx, cancel := s.context()
	defer cancel()
	var data string
	err := s.pool.QueryRow(ctx, query, args...).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(data), v)
}

func (s *Store) exec(query string, args ...any) error {
	ctx, cancel := s.context()
	defer cancel()
	_, err := s.pool.Exec(ctx, query, args...)
	return err
}

// PutUser implements hub.ConsoleStore.
func (s *Store) PutUser(u hub.User) error {
	if err := hub.CheckUser(u); err != nil {
		return fmt.Errorf("hub: pg: put user: %w", err)
	}
	plain, err := json.Marshal(u)
	var sealed []byte
	if err == nil {
		sealed, err = s.seal.Seal(hub.UserAD(u.Name), plain)
	}
	if err == nil {
		err = s.exec(`INSERT INTO hub_console_users (name, data) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET data = excluded.data`, u.Name, sealed)
	}
	if err != nil {
		return fmt.Errorf("hub: pg: put user %s: %w", u.Name, err)
	}
	return nil
}

func (s *Store) scanUser(row pgx.CollectableRow) (hub.User, error) {
	var name string
	var sealed []byte
	var u hub.User
	if err := row.Scan(&name, &sealed); err != nil {
		return u, err
	}
	plain, err := s.seal.Open(hub.UserAD(name), sealed)
	if err != nil {
		return u, fmt.Errorf("user %s: %w", name, err)
	}
	return u, json.Unmarshal(plain, &u)
}

// User implements hub.ConsoleStore.
func (s *Store) User(name string) (hub.User, bool, error) {
	users, err := s.users("WHERE name = $1", name)
	if err != nil || len(users) == 0 {
		return hub.User{}, false, err
	}
	return users[0], true, nil
}

// Users implements hub.ConsoleStore.
func (s *Store) Users() ([]hub.User, error) { return s.users("") }

func (s *Store) users(where string, args ...any) ([]hub.User, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT name, data FROM hub_console_users `+where+` ORDER BY name COLLATE "C"`, args...)
	if err == nil {
		var out []hub.User
		out, err = pgx.CollectRows(rows, s.scanUser)
		if err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("hub: pg: users: %w", err)
}

// PutSession implements hub.ConsoleStore.
func (s *Store) PutSession(se hub.Session) error {
	if se.IDHash == "" {
		return errors.New("hub: pg: put session: no ID hash")
	}
	data, err := json.Marshal(se)
	if err == nil {
		err = s.exec(`INSERT INTO hub_console_sessions (id_hash, user_name, created, last_seen, data) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id_hash) DO UPDATE SET user_name = excluded.user_name, created = excluded.created, last_seen = excluded.last_seen, data = excluded.data`,
			se.IDHash, se.User, se.Created.Truncate(time.Microsecond), se.LastSeen.Truncate(time.Microsecond), string(data))
	}
	if err != nil {
		return fmt.Errorf("hub: pg: put session: %w", err)
	}
	return nil
}

// Session implements hub.ConsoleStore.
func (s *Store) Session(idHash string) (hub.Session, bool, error) {
	var se hub.Session
	ok, err := s.getJSON("SELECT data FROM hub_console_sessions WHERE id_hash = $1", &se, idHash)
	if err != nil {
		return hub.Session{}, false, fmt.Errorf("hub: pg: session: %w", err)
	}
	return se, ok, nil
}

// DeleteSession implements hub.ConsoleStore.
func (s *Store) DeleteSession(idHash string) error {
	if err := s.exec("DELETE FROM hub_console_sessions WHERE id_hash = $1", idHash); err != nil {
		return fmt.Errorf("hub: pg: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions implements hub.ConsoleStore.
func (s *Store) DeleteUserSessions(user string) error {
	if err := s.exec("DELETE FROM hub_console_sessions WHERE user_name = $1", user); err != nil {
		return fmt.Errorf("hub: pg: delete sessions of %s: %w", user, err)
	}
	return nil
}

// DeleteExpiredSessions implements hub.ConsoleStore.
func (s *Store) DeleteExpiredSessions(idleBefore, createdBefore time.Time) error {
	err := s.exec("DELETE FROM hub_console_sessions WHERE last_seen < $1 OR created < $2",
		idleBefore.Truncate(time.Microsecond), createdBefore.Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("hub: pg: delete expired sessions: %w", err)
	}
	return nil
}

// AddLoginFailure implements hub.ConsoleStore.
func (s *Store) AddLoginFailure(key string, at time.Time) error {
	at = at.Truncate(time.Microsecond)
	ctx, cancel := s.context()
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM hub_console_login_failures WHERE at < $1", at.Add(-24*time.Hour)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO hub_console_login_failures (key, at) VALUES ($1, $2)", key, at)
		return err
	})
	if err != nil {
		return fmt.Errorf("hub: pg: log-in failure: %w", err)
	}
	return nil
}

// LoginFailures implements hub.ConsoleStore.
func (s *Store) LoginFailures(key string, since time.Time) (int, time.Time, error) {
	ctx, cancel := s.context()
	defer cancel()
	var n int
	var first *time.Time
	err := s.pool.QueryRow(ctx, "SELECT count(*), min(at) FROM hub_console_login_failures WHERE key = $1 AND at >= $2",
		key, since.Truncate(time.Microsecond)).Scan(&n, &first)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("hub: pg: log-in failures: %w", err)
	}
	if first == nil {
		return n, time.Time{}, nil
	}
	return n, *first, nil
}

// ClearLoginFailures implements hub.ConsoleStore.
func (s *Store) ClearLoginFailures(key string) error {
	if err := s.exec("DELETE FROM hub_console_login_failures WHERE key = $1", key); err != nil {
		return fmt.Errorf("hub: pg: clear log-in failures: %w", err)
	}
	return nil
}

// AddMatterEvent implements hub.ConsoleStore.
func (s *Store) AddMatterEvent(e hub.MatterEvent) error {
	e.RecordID = hub.NormalID(e.RecordID)
	plain, err := json.Marshal(e)
	var sealed []byte
	if err == nil {
		sealed, err = s.seal.Seal(hub.MatterEventAD(e.RecordID), plain)
	}
	if err == nil {
		err = s.exec("INSERT INTO hub_console_events (record_id, data) VALUES ($1, $2)", e.RecordID, sealed)
	}
	if err != nil {
		return fmt.Errorf("hub: pg: matter event of %s: %w", e.RecordID, err)
	}
	return nil
}

// MatterEvents implements hub.ConsoleStore.
func (s *Store) MatterEvents(recordID string) ([]hub.MatterEvent, error) {
	ctx, cancel := s.context()
	defer cancel()
	id := hub.NormalID(recordID)
	rows, err := s.pool.Query(ctx, "SELECT data FROM hub_console_events WHERE record_id = $1 ORDER BY seq", id)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: matter events of %s: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.MatterEvent, error) {
		var sealed []byte
		var e hub.MatterEvent
		if err := row.Scan(&sealed); err != nil {
			return e, err
		}
		plain, err := s.seal.Open(hub.MatterEventAD(id), sealed)
		if err != nil {
			return e, err
		}
		return e, json.Unmarshal(plain, &e)
	})
	if err != nil {
		return nil, fmt.Errorf("hub: pg: matter events of %s: %w", id, err)
	}
	return out, nil
}

// AddAudit implements hub.ConsoleStore.
func (s *Store) AddAudit(e hub.AuditEntry) error {
	data, err := json.Marshal(e)
	if err == nil {
		err = s.exec("INSERT INTO hub_console_audit (data) VALUES ($1)", string(data))
	}
	if err != nil {
		return fmt.Errorf("hub: pg: audit: %w", err)
	}
	return nil
}

// Audit implements hub.ConsoleStore.
func (s *Store) Audit(limit int) ([]hub.AuditEntry, error) {
	ctx, cancel := s.context()
	defer cancel()
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, "SELECT data FROM hub_console_audit ORDER BY seq DESC LIMIT $1", lim)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: audit: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.AuditEntry, error) {
		var data string
		var e hub.AuditEntry
		if err := row.Scan(&data); err != nil {
			return e, err
		}
		return e, json.Unmarshal([]byte(data), &e)
	})
	if err != nil {
		return nil, fmt.Errorf("hub: pg: audit: %w", err)
	}
	return out, nil
}

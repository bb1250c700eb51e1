package hub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The console's buckets (see ConsoleStore).
const (
	bucketUsers     = "console_users"     // name → sealed User
	bucketSessions  = "console_sessions"  // ID hash → Session
	bucketLoginFail = "console_loginfail" // key → []time.Time
	bucketEvents    = "console_events"    // record ID, 0, 8-byte sequence → sealed MatterEvent
	bucketAudit     = "console_audit"     // 8-byte sequence → AuditEntry
)

var consoleBuckets = []string{bucketUsers, bucketSessions, bucketLoginFail, bucketEvents, bucketAudit}

// maxFailuresKept bounds one key's list of failed log-ins: throttling
// needs only the recent few.
const maxFailuresKept = 64

func (s *BoltStore) putJSON(bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucket)).Put([]byte(key), b) })
}

func (s *BoltStore) getJSON(bucket, key string, v any) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket([]byte(bucket)).Get([]byte(key))
		if raw == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(raw, v)
	})
	return ok, err
}

// PutUser implements ConsoleStore.
func (s *BoltStore) PutUser(u User) error {
	if err := CheckUser(u); err != nil {
		return fmt.Errorf("hub: put user: %w", err)
	}
	plain, err := json.Marshal(u)
	var sealed []byte
	if err == nil {
		sealed, err = s.seal.Seal(UserAD(u.Name), plain)
	}
	if err == nil {
		err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucketUsers)).Put([]byte(u.Name), sealed) })
	}
	if err != nil {
		return fmt.Errorf("hub: put user %s: %w", u.Name, err)
	}
	return nil
}

func (s *BoltStore) openUser(name string, v []byte) (User, error) {
	var u User
	plain, err := s.seal.Open(UserAD(name), v)
	if err == nil {
		err = json.Unmarshal(plain, &u)
	}
	return u, err
}

// User implements ConsoleStore.
func (s *BoltStore) User(name string) (User, bool, error) {
	var u User
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketUsers)).Get([]byte(name))
		if v == nil {
			return nil
		}
		ok = true
		var err error
		u, err = s.openUser(name, v)
		return err
	})
	if err != nil {
		return User{}, false, fmt.Errorf("hub: user %s: %w", name, err)
	}
	return u, ok, nil
}

// Users implements ConsoleStore.
func (s *BoltStore) Users() ([]User, error) {
	var out []User
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketUsers)).ForEach(func(k, v []byte) error {
			u, err := s.openUser(string(k), v)
			if err != nil {
				return fmt.Errorf("user %s: %w", k, err)
			}
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: users: %w", err)
	}
	return out, nil
}

// PutSession implements ConsoleStore.
func (s *BoltStore) PutSession(se Session) error {
	if se.IDHash == "" {
		return fmt.Errorf("hub: put session: no ID hash")
	}
	if err := s.putJSON(bucketSessions, se.IDHash, se); err != nil {
		return fmt.Errorf("hub: put session: %w", err)
	}
	return nil
}

// Session implements ConsoleStore.
func (s *BoltStore) Session(idHash string) (Session, bool, error) {
	var se Session
	if idHash == "" {
		return se, false, nil
	}
	ok, err := s.getJSON(bucketSessions, idHash, &se)
	if err != nil {
		return Session{}, false, fmt.Errorf("hub: session: %w", err)
	}
	return se, ok, nil
}

// DeleteSession implements ConsoleStore.
func (s *BoltStore) DeleteSession(idHash string) error {
	if idHash == "" {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucketSessions)).Delete([]byte(idHash)) })
	if err != nil {
		return fmt.Errorf("hub: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions implements ConsoleStore.
func (s *BoltStore) DeleteUserSessions(user string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return deleteWhere(tx.Bucket([]byte(bucketSessions)), func(v []byte) bool {
			var se Session
			return json.Unmarshal(v, &se) != nil || se.User == user
		})
	})
	if err != nil {
		return fmt.Errorf("hub: delete sessions of %s: %w", user, err)
	}
	return nil
}

// DeleteExpiredSessions implements ConsoleStore.
func (s *BoltStore) DeleteExpiredSessions(idleBefore, createdBefore time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return deleteWhere(tx.Bucket([]byte(bucketSessions)), func(v []byte) bool {
			var se Session
			return json.Unmarshal(v, &se) != nil || se.LastSeen.Before(idleBefore) || se.Created.Before(createdBefore)
		})
	})
	if err != nil {
		return fmt.Errorf("hub: delete expired sessions: %w", err)
	}
	return nil
}

// deleteWhere deletes the entries of b whose value old says are old.
func deleteWhere(b *bolt.Bucket, old func(v []byte) bool) error {
	var del [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if old(v) {
			del = append(del, slices.Clone(k))
		}
		return nil
	})
	for _, k := range del {
		if err == nil {
			err = b.Delete(k)
		}
	}
	return err
}

// failureTimes reads a key's failed log-ins; a damaged list only loses
// old failures.
func failureTimes(v []byte) []time.Time {
	var times []time.Time
	if v != nil && json.Unmarshal(v, &times) != nil {
		return nil
	}
	return times
}

// AddLoginFailure implements ConsoleStore.
func (s *BoltStore) AddLoginFailure(key string, at time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLoginFail))
		cut := at.Add(-24 * time.Hour)
		err := deleteWhere(b, func(v []byte) bool {
			return !slices.ContainsFunc(failureTimes(v), func(t time.Time) bool { return !t.Before(cut) })
		})
		if err != nil {
			return err
		}
		times := slices.DeleteFunc(failureTimes(b.Get([]byte(key))), func(t time.Time) bool { return t.Before(cut) })
		times = append(times, at)
		if len(times) > maxFailuresKept {
			times = times[len(times)-maxFailuresKept:]
		}
		v, err := json.Marshal(times)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("hub: log-in failure: %w", err)
	}
	return nil
}

// LoginFailures implements ConsoleStore.
func (s *BoltStore) LoginFailures(key string, since time.Time) (int, time.Time, error) {
	var times []time.Time
	if _, err := s.getJSON(bucketLoginFail, key, &times); err != nil {
		return 0, time.Time{}, fmt.Errorf("hub: log-in failures: %w", err)
	}
	n, first := 0, time.Time{}
	for _, t := range times {
		if !t.Before(since) {
			if n == 0 || t.Before(first) {
				first = t
			}
			n++
		}
	}
	return n, first, nil
}

// ClearLoginFailures implements ConsoleStore.
func (s *BoltStore) ClearLoginFailures(key string) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucketLoginFail)).Delete([]byte(key)) })
	if err != nil {
		return fmt.Errorf("hub: clear log-in failures: %w", err)
	}
	return nil
}

func eventPrefix(recordID string) []byte { return append([]byte(NormalID(recordID)), 0) }

// AddMatterEvent implements ConsoleStore.
func (s *BoltStore) AddMatterEvent(e MatterEvent) error {
	e.RecordID = NormalID(e.RecordID)
	plain, err := json.Marshal(e)
	if err == nil {
		var sealed []byte
		sealed, err = s.seal.Seal(MatterEventAD(e.RecordID), plain)
		if err == nil {
			err = s.db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte(bucketEvents))
				seq, err := b.NextSequence()
				if err != nil {
					return err
				}
				return b.Put(binary.BigEndian.AppendUint64(eventPrefix(e.RecordID), seq), sealed)
			})
		}
	}
	if err != nil {
		return fmt.Errorf("hub: matter event of %s: %w", e.RecordID, err)
	}
	return nil
}

// MatterEvents implements ConsoleStore.
func (s *BoltStore) MatterEvents(recordID string) ([]MatterEvent, error) {
	var out []MatterEvent
	prefix := eventPrefix(recordID)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bucketEvents)).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			plain, err := s.seal.Open(MatterEventAD(recordID), v)
			if err != nil {
				return err
			}
			var e MatterEvent
			if err := json.Unmarshal(plain, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hub: matter events of %s: %w", recordID, err)
	}
	return out, nil
}

// AddAudit implements ConsoleStore.
func (s *BoltStore) AddAudit(e AuditEntry) error {
	v, err := json.Marshal(e)
	if err == nil {
		err = s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte(bucketAudit))
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			return b.Put(binary.BigEndian.AppendUint64(nil, seq), v)
		})
	}
	if err != nil {
		return fmt.Errorf("hub: audit: %w", err)
	}
	return nil
}

// Audit implements ConsoleStore.
func (s *BoltStore) Audit(limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bucketAudit)).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry %x: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hub: audit: %w", err)
	}
	return out, nil
}

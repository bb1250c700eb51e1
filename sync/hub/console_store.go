package hub

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// ConsoleStore keeps what the county's web console (package
// hub/console) needs besides the records: its accounts, their sessions,
// failed log-ins, each matter's history and the audit log. It is in the
// store, not in a process's memory, so that several gridhub serve
// processes on one PostgreSQL database share it.
type ConsoleStore interface {
	// PutUser creates or replaces an account.
	PutUser(u User) error
	// User returns an account by name.
	User(name string) (u User, ok bool, err error)
	// Users lists the accounts, by name.
	Users() ([]User, error)

	// PutSession creates or replaces a session, keyed by its ID's hash.
	PutSession(s Session) error
	// Session returns a session by its ID's hash.
	Session(idHash string) (s Session, ok bool, err error)
	// DeleteSession ends one session; an unknown one is not an error.
	DeleteSession(idHash string) error
	// DeleteUserSessions ends every session of an account (its password
	// reset, its account disabled).
	DeleteUserSessions(user string) error
	// DeleteExpiredSessions forgets the sessions last seen before
	// idleBefore or created before createdBefore: browsers that never
	// logged out.
	DeleteExpiredSessions(idleBefore, createdBefore time.Time) error

	// AddLoginFailure counts a failed log-in under key ("user:NAME",
	// "client:ADDR") at at, and forgets every key's failures before at
	// minus a day, so that addresses seen once do not stay for ever.
	AddLoginFailure(key string, at time.Time) error
	// LoginFailures returns how many failures key has had since since,
	// and the earliest of them.
	LoginFailures(key string, since time.Time) (n int, first time.Time, err error)
	// ClearLoginFailures forgets key's failures (a successful log-in).
	ClearLoginFailures(key string) error

	// (Record, the record the hub holds under id from whichever station,
	// which the console reads too, is RecordStore's.)
	// AddMatterEvent appends to a record's history. Its value and note
	// are sealed like the records.
	AddMatterEvent(e MatterEvent) error
	// MatterEvents returns a record's history, oldest first.
	MatterEvents(recordID string) ([]MatterEvent, error)

	// AddAudit appends to the audit log.
	AddAudit(e AuditEntry) error
	// Audit returns the newest limit entries of the audit log, newest
	// first.
	Audit(limit int) ([]AuditEntry, error)
}

// Console roles. A county admin sees and changes everything and reads the
// audit log; community staff see and handle their own community's
// records only; a viewer reads everything, personal data masked, and
// changes nothing.
const (
	RoleAdmin  = "admin"
	RoleStaff  = "staff"
	RoleViewer = "viewer"
)

// User is a console account. PassHash is argon2id in the PHC format;
// the password itself is never kept.
type User struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Community string    `json:"community,omitempty"` // 12-digit code; staff only
	PassHash  string    `json:"pass_hash"`
	Disabled  bool      `json:"disabled,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Session is a logged-in browser. Only the SHA-256 of the cookie's
// session ID is kept, so a copy of the store logs nobody in.
type Session struct {
	IDHash   string    `json:"id_hash"`
	User     string    `json:"user"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// MatterEvent is one step in a record's history at the hub: an
// assignment to a grid worker (Kind "assign", Value the worker) or a
// change of state (Kind "status", Value the state), with who did it.
type MatterEvent struct {
	RecordID string    `json:"record_id"`
	At       time.Time `json:"at"`
	User     string    `json:"user"`
	Kind     string    `json:"kind"`
	Value    string    `json:"value"`
	Note     string    `json:"note,omitempty"`
}

// AuditEntry is who did what to which record, and when: every reveal of
// personal data, every export with it, every change.
type AuditEntry struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail,omitempty"`
}

// Matter event kinds.
const (
	EventAssign = "assign"
	EventStatus = "status"
)

// ErrBadUser is wrapped by CheckUser's errors.
var ErrBadUser = errors.New("invalid console account")

// CheckUser returns why an account cannot be stored, or nil.
func CheckUser(u User) error {
	if n := utf8.RuneCountInString(u.Name); n < 2 || n > 64 {
		return fmt.Errorf("%w: a name is 2 to 64 characters, %q is %d", ErrBadUser, u.Name, n)
	}
	for _, c := range u.Name {
		if !(c == '-' || c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return fmt.Errorf("%w: a name is lower-case letters, digits, '-', '_' and '.', not %q", ErrBadUser, u.Name)
		}
	}
	switch u.Role {
	case RoleAdmin, RoleViewer:
		if u.Community != "" {
			return fmt.Errorf("%w: only community staff are bound to a community (role %s)", ErrBadUser, u.Role)
		}
	case RoleStaff:
		if len(u.Community) != 12 || !allDigits(u.Community) {
			return fmt.Errorf("%w: community staff need their community's 12-digit code, not %q", ErrBadUser, u.Community)
		}
	default:
		return fmt.Errorf("%w: role %q is not one of %s, %s, %s", ErrBadUser, u.Role, RoleAdmin, RoleStaff, RoleViewer)
	}
	if u.PassHash == "" {
		return fmt.Errorf("%w: no password hash", ErrBadUser)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// UserAD binds a sealed account to its name: its password hash is
// sealed like the staff's PIN hashes.
func UserAD(name string) string { return "console-user\x00" + name }

// MatterEventAD binds a sealed matter event to its record, so that a
// sealed value moved to another record's history does not open.
func MatterEventAD(recordID string) string { return "matter-event\x00" + NormalID(recordID) }

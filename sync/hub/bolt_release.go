package hub

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The buckets of releases. Neither is sealed: a release and who should
// run it say nothing about a resident.
const (
	bucketReleases    = "releases"    // version NUL arch → Release as JSON
	bucketAssignments = "assignments" // assignKey(Target) → Assignment as JSON
	bucketAsked       = "asked"       // station ID → Asked as JSON
)

var releaseBuckets = []string{bucketReleases, bucketAssignments, bucketAsked}

func releaseKey(version, arch string) []byte { return []byte(version + "\x00" + arch) }

// assignKey keys a station's assignment "s" NUL ID and a county's "c"
// NUL code NUL arch, so that neither can be taken for the other.
func assignKey(t Target) []byte {
	if t.Station != "" {
		return []byte("s\x00" + t.Station)
	}
	return []byte("c\x00" + t.County + "\x00" + t.Arch)
}

// PutRelease implements ReleaseStore.
func (s *BoltStore) PutRelease(r Release, replace bool) error {
	if err := CheckRelease(r); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	r.AddedAt = r.AddedAt.UTC()
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("hub: release %s/%s: %w", r.Version, r.Arch, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketReleases))
		if !replace && b.Get(releaseKey(r.Version, r.Arch)) != nil {
			return ErrReleaseExists
		}
		return b.Put(releaseKey(r.Version, r.Arch), data)
	})
	if err != nil {
		return fmt.Errorf("hub: release %s/%s: %w", r.Version, r.Arch, err)
	}
	return nil
}

// Release implements ReleaseStore.
func (s *BoltStore) Release(version, arch string) (Release, bool, error) {
	var r Release
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketReleases)).Get(releaseKey(version, arch))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return Release{}, false, fmt.Errorf("hub: release %s/%s: %w", version, arch, err)
	}
	return r, ok, nil
}

// Releases implements ReleaseStore.
func (s *BoltStore) Releases() ([]Release, error) {
	var out []Release
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketReleases)).ForEach(func(k, v []byte) error {
			var r Release
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: releases: %w", err)
	}
	SortReleases(out)
	return out, nil
}

// Assign implements ReleaseStore.
func (s *BoltStore) Assign(a Assignment) error {
	if err := CheckTarget(a.Target); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	a.At = a.At.UTC()
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("hub: assign %s: %w", a.Target, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketAssignments))
		if a.Version == "" {
			return b.Delete(assignKey(a.Target))
		}
		if !hasRelease(tx.Bucket([]byte(bucketReleases)), a.Version, a.Arch) {
			return noRelease(a)
		}
		return b.Put(assignKey(a.Target), data)
	})
	if err != nil {
		return fmt.Errorf("hub: assign %s: %w", a.Target, err)
	}
	return nil
}

// hasRelease reports whether b has version for arch, or for any arch
// when arch is "".
func hasRelease(b *bolt.Bucket, version, arch string) bool {
	if arch != "" {
		return b.Get(releaseKey(version, arch)) != nil
	}
	prefix := []byte(version + "\x00")
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// noRelease is the error of an assignment to a release the hub lacks.
func noRelease(a Assignment) error {
	if a.Arch != "" {
		return fmt.Errorf("%w %s for %s", ErrNoRelease, a.Version, a.Arch)
	}
	return fmt.Errorf("%w %s", ErrNoRelease, a.Version)
}

// Assigned implements ReleaseStore.
func (s *BoltStore) Assigned(t Target) (Assignment, bool, error) {
	var a Assignment
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketAssignments)).Get(assignKey(t))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &a)
	})
	if err != nil {
		return Assignment{}, false, fmt.Errorf("hub: assignment of %s: %w", t, err)
	}
	return a, ok, nil
}

// Assignments implements ReleaseStore.
func (s *BoltStore) Assignments() ([]Assignment, error) {
	var out []Assignment
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketAssignments)).ForEach(func(k, v []byte) error {
			var a Assignment
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: assignments: %w", err)
	}
	SortAssignments(out)
	return out, nil
}

// PutAsked implements ReleaseStore.
func (s *BoltStore) PutAsked(a Asked) error {
	if err := CheckAsked(a); err != nil {
		return fmt.Errorf("hub: update question: %w", err)
	}
	a.At = a.At.UTC()
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("hub: update question of %s: %w", a.Station, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketAsked)).Put([]byte(a.Station), data)
	})
	if err != nil {
		return fmt.Errorf("hub: update question of %s: %w", a.Station, err)
	}
	return nil
}

// Asked implements ReleaseStore.
func (s *BoltStore) Asked() ([]Asked, error) {
	var out []Asked
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketAsked)).ForEach(func(k, v []byte) error {
			var a Asked
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hub: update questions: %w", err)
	}
	return out, nil
}

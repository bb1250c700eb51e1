package update

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gridkiosk/gridkiosk/internal/hashcopy"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// spareBytes is left free on the data partition beyond the bundle: the
// outbox needs room for residents' records more than an update does.
const spareBytes = 64 << 20

// syncEvery is how much of a download is written between the syncs that
// make it durable: what a power cut can take back, to be fetched again.
const syncEvery = 8 << 20

// syncedName is the file beside a partial download that says how many of
// its bytes were synced to disk. A resume starts there, not at the file's
// size: after a power cut the file can be longer than what reached the
// disk (ext4 reads blocks whose writes never completed as zeros), and the
// update check's cuts found a resumed bundle whose SHA-256 was wrong.
func syncedName(part string) string { return part + ".synced" }

// synced is how many bytes of part a sync made durable, 0 when unknown.
func synced(part string) int64 {
	b, err := os.ReadFile(syncedName(part))
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// markSynced syncs f and records that its first n bytes are durable.
func markSynced(f *os.File, n int64) error {
	if err := f.Sync(); err != nil {
		return err
	}
	return writeDurable(syncedName(f.Name()), []byte(strconv.FormatInt(n, 10)+"\n"))
}

// removePart removes a partial download and what is known of it.
func removePart(part string) {
	os.Remove(part)
	os.Remove(syncedName(part))
}

// fetch is a download under way in its own goroutine.
type fetch struct {
	cancel context.CancelFunc
	done   chan fetchResult
}

type fetchResult struct {
	offer  wire.UpdateOffer
	path   string
	reason string // Reason* when err is not nil
	err    error
}

// startFetch downloads o's bundle in the background.
func (m *Manager) startFetch(ctx context.Context, o wire.UpdateOffer) *fetch {
	ctx, cancel := context.WithCancel(ctx)
	f := &fetch{cancel: cancel, done: make(chan fetchResult, 1)}
	m.setState(wire.UpdateDownloading, &job{version: o.Version, source: SourceHub})
	go func() {
		defer cancel()
		path, reason, err := m.download(ctx, o)
		f.done <- fetchResult{offer: o, path: path, reason: reason, err: err}
	}()
	return f
}

// downloaded takes a finished download: a bundle to install, a broken
// download to resume later, or a bundle refused.
func (m *Manager) downloaded(l *loop, r fetchResult) {
	l.dl = nil
	now := m.opt.Clock.Now()
	switch {
	case r.err == nil:
		l.offer = nil
		l.job = &job{version: r.offer.Version, path: r.path, source: SourceHub, ours: true, sha256: r.offer.SHA256}
		m.setState(wire.UpdateWaiting, l.job)
		m.log.Info("update: bundle downloaded and checked", "version", r.offer.Version, "bytes", r.offer.Size)
	case errors.Is(r.err, context.Canceled):
		// The kiosk is in use, a technician's bundle came first, or the
		// station stops: the partial file stays for the resume.
	case r.reason == ReasonDownload:
		l.retry = min(max(2*l.retry, retryMin), m.opt.CheckInterval)
		l.retryAt = now.Add(l.retry)
		m.result(ReasonDownload, "download of %s broke off (resumes later): %v", r.offer.Version, r.err)
	default:
		l.offer = nil
		m.setState(wire.UpdateFailed, nil)
		m.result(r.reason, "%s not downloaded: %v", r.offer.Version, r.err)
	}
}

// download fetches o's bundle into Dir, resuming a partial file, and
// checks its size and SHA-256. It returns the checked bundle's path.
func (m *Manager) download(ctx context.Context, o wire.UpdateOffer) (path, reason string, err error) {
	final := filepath.Join(m.opt.Dir, bundleName(o.Version, o.Arch))
	part := final + ".part"
	if err := os.MkdirAll(m.opt.Dir, 0o750); err != nil {
		return "", ReasonDownload, fmt.Errorf("update directory: %w", err)
	}
	if st, err := os.Stat(final); err == nil && st.Size() == o.Size {
		if err := checkSHA(final, o.SHA256); err != nil {
			os.Remove(final)
			return "", ReasonSHA256, err
		}
		return final, "", nil
	}
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return "", ReasonDownload, fmt.Errorf("open %s: %w", part, err)
	}
	have, reason, err := m.fill(ctx, f, o)
	if cerr := f.Close(); err == nil && cerr != nil {
		reason, err = ReasonDownload, fmt.Errorf("close %s: %w", part, cerr)
	}
	switch {
	case err != nil && (reason == ReasonDiskFull || reason == ReasonSize):
		removePart(part)
		return "", reason, err
	case err != nil:
		return "", reason, err
	case have != o.Size:
		return "", ReasonDownload, fmt.Errorf("the connection ended at byte %d of %d", have, o.Size)
	}
	if err := checkSHA(part, o.SHA256); err != nil {
		removePart(part)
		return "", ReasonSHA256, err
	}
	if err := os.Rename(part, final); err != nil {
		return "", ReasonDownload, fmt.Errorf("rename %s: %w", part, err)
	}
	if err := syncDir(m.opt.Dir); err != nil {
		return "", ReasonDownload, fmt.Errorf("sync %s: %w", m.opt.Dir, err)
	}
	os.Remove(syncedName(part))
	return final, "", nil
}

// fill appends the rest of the bundle to f, from what f holds durably (or
// from the start when the hub answers the whole bundle), and returns how
// many bytes f holds then.
func (m *Manager) fill(ctx context.Context, f *os.File, o wire.UpdateOffer) (int64, string, error) {
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, ReasonDownload, err
	}
	have = min(have, synced(f.Name()))
	if have > o.Size {
		have = 0
	}
	if have == o.Size {
		return have, "", nil
	}
	if free, err := freeBytes(m.opt.Dir); err == nil && free < o.Size-have+spareBytes {
		return have, ReasonDiskFull, fmt.Errorf("disk full: %s has %d MB free, the bundle needs %d MB more and %d MB stay free for records",
			m.opt.Dir, free>>20, (o.Size-have)>>20, spareBytes>>20)
	}
	d, err := m.opt.Hub.Bundle(ctx, o.URL, have, `"`+o.SHA256+`"`)
	if err != nil {
		return have, ReasonDownload, err
	}
	defer d.Body.Close()
	if d.Total >= 0 && d.Total != o.Size {
		return have, ReasonSize, fmt.Errorf("the hub serves %d bytes; its offer said %d", d.Total, o.Size)
	}
	if d.Offset != have {
		// The hub ignored the range (or has another bundle under the
		// same name): start over, first saying so durably, since the
		// bytes written from here are not synced yet.
		m.log.Info("update: the hub sent the whole bundle; the download starts over", "had", have)
		have = 0
		if err := markSynced(f, 0); err != nil {
			return 0, ReasonDownload, fmt.Errorf("sync %s: %w", f.Name(), err)
		}
	}
	if end, _ := f.Seek(0, io.SeekEnd); end != have {
		if err := f.Truncate(have); err != nil {
			return 0, ReasonDownload, err
		}
	}
	if _, err := f.Seek(have, io.SeekStart); err != nil {
		return 0, ReasonDownload, err
	}
	buf := make([]byte, 256<<10)
	lastSync := have
	for {
		n, rerr := d.Body.Read(buf)
		if have+int64(n) > o.Size {
			return have, ReasonSize, fmt.Errorf("the hub sent more than the %d bytes its offer said", o.Size)
		}
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				if errors.Is(err, syscall.ENOSPC) {
					return have, ReasonDiskFull, fmt.Errorf("disk full writing %s at byte %d of %d: %w", f.Name(), have, o.Size, err)
				}
				return have, ReasonDownload, fmt.Errorf("write %s: %w", f.Name(), err)
			}
			before := have * 100 / o.Size
			have += int64(n)
			if pct := have * 100 / o.Size; pct != before {
				m.update(func(s *Status) { s.Percent = int(pct) })
			}
			if have-lastSync >= syncEvery {
				if err := markSynced(f, have); err != nil {
					return have, ReasonDownload, fmt.Errorf("sync %s: %w", f.Name(), err)
				}
				lastSync = have
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			// What came is kept, durably, for the resume.
			markSynced(f, have)
			if ctx.Err() != nil {
				return have, ReasonDownload, ctx.Err()
			}
			return have, ReasonDownload, fmt.Errorf("at byte %d of %d: %w", have, o.Size, rerr)
		}
	}
	if err := f.Sync(); err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return have, ReasonDiskFull, fmt.Errorf("disk full syncing %s: %w", f.Name(), err)
		}
		return have, ReasonDownload, fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	return have, "", nil
}

func freeBytes(dir string) (int64, error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return 0, err
	}
	return int64(fs.Bavail) * int64(fs.Bsize), nil
}

// checkSHA compares a file's SHA-256 with the one the hub said.
func checkSHA(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// Read and hashed at once, as gridflash and gridhub's release add do.
	res, err := hashcopy.Copy(context.Background(), io.Discard, f)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if got := hex.EncodeToString(res.SHA256[:]); got != want {
		return fmt.Errorf("SHA-256 mismatch: the download's is %s, the hub said %s; removed, fetched again at the next check", got[:12], want[:min(12, len(want))])
	}
	return nil
}

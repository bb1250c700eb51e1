package hub

import (
	"cmp"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// DefaultBundleStall is how long a bundle's download may make no
// progress before the hub drops it: a station on a slow county link
// takes many minutes over a bundle of hundreds of MB, more than the
// server's WriteTimeout allows an answer, but one that stopped reading is
// let go (it resumes with a Range request).
const DefaultBundleStall = 2 * time.Minute

// update answers a station's update question (PROTOCOL.md, "System
// updates"): the release assigned to it or its county for its arch, or
// 204.
func (s *Server) update(w http.ResponseWriter, r *http.Request, station string) {
	if asked := r.PathValue("station"); asked != station {
		mismatch(w, station, fmt.Sprintf("token belongs to station %q, the request is for %q", station, asked))
		return
	}
	arch := r.URL.Query().Get("arch")
	if err := CheckArch(arch); err != nil {
		httpError(w, http.StatusBadRequest, "update question: "+err.Error())
		return
	}
	if s.Store == nil { // a hub of a tokens file alone keeps no releases
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// The question is the only place a station says its arch and the
	// system it runs; the console and gridhub list show them. Not
	// keeping it costs the lists, not the answer.
	// A "+" sent unescaped (by curl, by hand) arrives as a space, which
	// no version has.
	v := strings.ReplaceAll(r.URL.Query().Get("version"), " ", "+")
	asked := Asked{Station: station, Arch: arch, Version: v, At: s.Now()}
	if wire.CheckVersion(asked.Version) != nil {
		asked.Version = ""
	}
	if err := s.Store.PutAsked(asked); err != nil {
		s.Log.Warn("hub: keep update question", "station", station, "err", err)
	}
	rel, a, ok, err := AssignedRelease(s.Store, station, arch)
	if err != nil {
		s.Log.Error("hub: update question", "station", station, "err", err)
		httpError(w, http.StatusServiceUnavailable, "storage unavailable; retry later")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		if a.Version != "" {
			// Assigned, but never built for this board: say so where
			// the county's IT looks, and let the station run on.
			s.Log.Warn("hub: assigned release has no bundle for the station's arch", "station", station,
				"assigned", a.Target.String(), "version", a.Version, "arch", arch)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, wire.UpdateOffer{Version: rel.Version, Arch: rel.Arch,
		URL: fmt.Sprintf(wire.PathBundleFormat, rel.Version, rel.Arch), Size: rel.Size, SHA256: rel.SHA256})
}

// bundle serves a release's bundle to any station with a token, with
// ranges (a broken download resumes), HEAD, and the bundle's SHA-256 as
// its ETag, so that If-Range never splices two bundles together.
func (s *Server) bundle(w http.ResponseWriter, r *http.Request, station string) {
	version, arch := r.PathValue("version"), r.PathValue("arch")
	var rel Release
	var ok bool
	var err error
	if s.Store != nil {
		rel, ok, err = s.Store.Release(version, arch)
	}
	switch {
	case err != nil:
		s.Log.Error("hub: bundle", "station", station, "err", err)
		httpError(w, http.StatusServiceUnavailable, "storage unavailable; retry later")
		return
	case !ok:
		httpError(w, http.StatusNotFound, fmt.Sprintf("the hub has no release %s for %s", version, arch))
		return
	}
	f, err := os.Open(rel.Path)
	if err != nil {
		s.Log.Error("hub: bundle file", "version", version, "arch", arch, "err", err)
		httpError(w, http.StatusServiceUnavailable, "bundle unavailable; retry later")
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil && fi.Size() != rel.Size {
		err = fmt.Errorf("%s is %d bytes, the release says %d: changed behind the hub (gridhub release add --replace adds it again)", rel.Path, fi.Size(), rel.Size)
	}
	if err != nil {
		s.Log.Error("hub: bundle file", "version", version, "arch", arch, "err", err)
		httpError(w, http.StatusServiceUnavailable, "bundle unavailable; retry later")
		return
	}
	h := w.Header()
	h.Set("ETag", `"`+rel.SHA256+`"`)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Cache-Control", "no-cache")
	s.Log.Info("hub: bundle", "station", station, "version", version, "arch", arch, "range", r.Header.Get("Range"))
	stall := cmp.Or(s.BundleStall, DefaultBundleStall)
	http.ServeContent(&stallWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall}, r, "", rel.AddedAt, f)
}

// stallWriter moves the connection's write deadline on with every
// write, so that a download is cut off only when it stalls.
type stallWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (s *stallWriter) Write(b []byte) (int, error) {
	s.rc.SetWriteDeadline(time.Now().Add(s.stall))
	return s.ResponseWriter.Write(b)
}

package simui

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The hub takes batches, is down, or refuses every record, as set; only
// what it took while accepting counts as taken.
func TestHubModes(t *testing.T) {
	h := StartHub(t)
	c := &upstream.Client{BaseURL: h.URL, StationID: demo.StationID, HTTP: http.DefaultClient,
		Token: func() (string, error) {
			b, err := os.ReadFile(h.TokenFile)
			return strings.TrimSpace(string(b)), err
		}}
	rec := func(id string) []wire.Record {
		return []wire.Record{{ID: id, Kind: "matter", Seq: 1, CreatedAt: time.Now(),
			Grid: json.RawMessage(`{}`), Payload: json.RawMessage(`{}`)}}
	}

	h.Set(HubDown)
	var he *upstream.HTTPError
	if _, err := c.Send(t.Context(), rec("down")); !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable {
		t.Errorf("a hub that is down answered %v", err)
	}
	h.Set(HubReject)
	reply, err := c.Send(t.Context(), rec("refused"))
	if err != nil || len(reply.Rejected) != 1 || reply.Rejected[0].ID != "refused" || reply.Rejected[0].Reason != rejectReason {
		t.Errorf("a refusing hub answered %+v, %v", reply, err)
	}
	if got := h.Taken(); len(got) != 0 {
		t.Errorf("taken while down or refusing: %+v", got)
	}
	h.Set(HubAccept)
	if _, err := c.Send(t.Context(), rec("taken")); err != nil {
		t.Errorf("an accepting hub answered %v", err)
	}
	if got := h.Taken(); len(got) != 1 || got[0].ID != "taken" {
		t.Errorf("taken %+v, want the one record sent while accepting", got)
	}
}

// Only visible texts are on screen, and a text wrapped in lines is found
// whole.
func TestOnScreen(t *testing.T) {
	hidden := canvas.NewText("隐藏", nil)
	hidden.Hide()
	o := container.NewVBox(canvas.NewText("已送", nil), container.NewHBox(canvas.NewText("达 now", nil), hidden))
	if got, want := Texts(o), "已送\n达 now\n"; got != want {
		t.Errorf("texts %q, want %q", got, want)
	}
	for _, tc := range []struct {
		want string
		on   bool
	}{{"已送达", true}, {"已送 达now", true}, {"隐藏", false}, {"达 later", false}} {
		if got := OnScreen(o, tc.want); got != tc.on {
			t.Errorf("OnScreen(%q) = %v, want %v", tc.want, got, tc.on)
		}
	}
	WantOnScreen(t, o, "已送达", "now")
}

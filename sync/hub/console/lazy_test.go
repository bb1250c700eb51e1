package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The pages' templates are checked when the handler is made, so a broken
// one stops a hub at its start, but they are kept only once a page is
// served: a kiosk under --simulate carries the console and most often
// never serves it.
func TestPagesParsedAtFirstPage(t *testing.T) {
	c := &Console{}
	h, err := c.Handler()
	if err != nil {
		t.Fatal(err)
	}
	if c.pages != nil {
		t.Fatalf("Handler kept %d parsed pages before any was asked for", len(c.pages))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+"login", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %slogin: %d\n%s", Prefix, rec.Code, rec.Body)
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.pages) != len(names)-1 || c.pagesErr != nil {
		t.Errorf("after the first page: %d pages parsed (err %v), want %d (every template but the layout)", len(c.pages), c.pagesErr, len(names)-1)
	}
}

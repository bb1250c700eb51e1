package voiceprompt

import (
	"slices"
	"strings"
	"testing"
)

// TestCatalogue checks what packs rely on: IDs unique and usable as file
// names, and something to say in both languages for each.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		if seen[p.ID] {
			t.Errorf("prompt %q is in the catalogue twice", p.ID)
		}
		seen[p.ID] = true
		if p.ID == "" || strings.Trim(p.ID, "abcdefghijklmnopqrstuvwxyz0123456789.-RMCVX") != "" || strings.HasPrefix(p.ID, ".") {
			t.Errorf("prompt ID %q: want lower-case letters, digits, '.' and '-' (ticket letters upper case)", p.ID)
		}
		if strings.TrimSpace(p.Zh) == "" || strings.TrimSpace(p.En) == "" {
			t.Errorf("prompt %q: zh %q, en %q: both must say something", p.ID, p.Zh, p.En)
		}
		if got, ok := Lookup(p.ID); !ok || got != p {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", p.ID, got, ok, p)
		}
	}
	if ids := IDs(); len(ids) != len(seen) {
		t.Errorf("IDs() has %d, All() %d", len(ids), len(seen))
	}
	if _, ok := Lookup("screen.nowhere"); ok {
		t.Error(`Lookup("screen.nowhere") found a prompt`)
	}
	// A caller changing its copy must not change the catalogue.
	All()[0].Zh = "changed"
	if p, _ := Lookup(All()[0].ID); p.Zh == "changed" {
		t.Error("All returns the catalogue itself, not a copy")
	}
}

func TestTicket(t *testing.T) {
	for _, tc := range []struct {
		ticket string
		want   []string
		err    string
	}{
		{"R0004", []string{TicketIntro, "char.R", "char.0", "char.0", "char.0", "char.4"}, ""},
		{"M9183", []string{TicketIntro, "char.M", "char.9", "char.1", "char.8", "char.3"}, ""},
		{"X0000", []string{TicketIntro, "char.X", "char.0", "char.0", "char.0", "char.0"}, ""},
		{"", nil, "empty ticket"},
		{"r0004", nil, `cannot say 'r' at byte 0`},
		{"R00-4", nil, `cannot say '-' at byte 3`},
		{"R００4", nil, `cannot say '０'`},
	} {
		got, err := Ticket(tc.ticket)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Ticket(%q) = %v, %v; want error with %q", tc.ticket, got, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Ticket(%q) = %v, %v; want %v", tc.ticket, got, err, tc.want)
		}
		for _, id := range got {
			if _, ok := Lookup(id); !ok {
				t.Errorf("Ticket(%q) names %q, which is not in the catalogue", tc.ticket, id)
			}
		}
	}
}

func TestCountdown(t *testing.T) {
	for n := -1; n <= MaxCountdown+1; n++ {
		id, ok := Countdown(n)
		if want := n >= 1 && n <= MaxCountdown; ok != want {
			t.Errorf("Countdown(%d) ok = %v, want %v", n, ok, want)
			continue
		}
		if !ok {
			continue
		}
		p, found := Lookup(id)
		if !found {
			t.Errorf("Countdown(%d) = %q, not in the catalogue", n, id)
		}
		if n == 10 && p.Zh != "十" || n == 1 && p.Zh != "一" {
			t.Errorf("Countdown(%d) says %q", n, p.Zh)
		}
	}
}

func TestFinish(t *testing.T) {
	ticket := []string{TicketIntro, "char.R", "char.0", "char.0", "char.1", "char.2"}
	for _, tc := range []struct {
		name    string
		receipt Receipt
		card    bool
		want    []string
	}{
		{"card and printer", Printing, true, slices.Concat([]string{Done}, ticket, []string{ReceiptPrinting, TakeCard})},
		{"typed in, no printer", NoPrinter, false, slices.Concat([]string{Done}, ticket)},
		{"printer out of paper", CannotPrint, true, slices.Concat([]string{Done}, ticket, []string{ReceiptUnavailable, TakeCard})},
	} {
		got, err := Finish("R0012", tc.receipt, tc.card)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: Finish = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := Finish("R0012", Receipt(9), false); err == nil {
		t.Error("Finish took an unknown receipt state")
	}
	if _, err := Finish("", Printing, false); err == nil {
		t.Error("Finish took an empty ticket")
	}
}

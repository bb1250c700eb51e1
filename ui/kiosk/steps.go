package kiosk

import "fmt"

// steps are the screens of each flow kind in the order a resident walks
// them; the step indicator counts them. The notice comes first wherever
// a detail is read or typed.
var steps = map[string][]string{
	kindCard:   {scrConsent, scrConfirm, scrPurpose, scrPhone},
	kindManual: {scrConsent, scrManualID, scrManualName, scrConfirm, scrPurpose, scrPhone},
	kindMatter: {scrMatter, scrPhone},
}

// stepWord is the step indicator for screen in the flow shown, "第2步/共4步",
// or "" for a screen that is no step of it.
func (a *App) stepWord(screen string) string {
	for i, s := range steps[a.f.kind] {
		if s == screen {
			n := len(steps[a.f.kind])
			return a.tr(fmt.Sprintf("第%d步/共%d步", i+1, n), fmt.Sprintf("Step %d of %d", i+1, n))
		}
	}
	return ""
}

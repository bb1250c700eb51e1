package kiosk

import "github.com/gridkiosk/gridkiosk/ui/agefit"

// knownAgeFitFailures are the resident screens that do not meet the
// age-friendly rules yet, by "screen size language mode", with the rules
// each fails; TestAgeFit checks the list is exact. Every screen takes its
// type and targets from the theme's millimetres and meets the rules at
// 800×480, 1280×800 and 1920×1080 in both languages and both modes but
// these, all in the large mode on the 7-inch panel (152×91 mm), seven of
// the 252 audited:
//
//   - manual-name, both languages: the pinyin keyboard's ten keys across
//     are 15.2 mm wide and 13.9 mm high, under the large mode's 18 mm (ten
//     keys of 18 mm need 180 mm). Handwriting (手写) is the way in for a
//     resident who needs larger targets; it is being wired into this
//     screen beside the keyboard.
//   - declined and help in English: the banner (what happened and where
//     staff are) in 8 mm type takes four lines, and the five start tiles
//     left under it are too low (target) and their names too wide
//     (clipped, overlap). In Chinese the compact banner fits; the English
//     one would need the tiles paged too.
//   - progress (both states) and lookup-unknown in English: the next step
//     and the hub's refusal run to three and four lines of 8 mm English
//     beside or under what else the screen must show, and the compact
//     forms' fewer rows are still too tall (overlap, clipped). Chinese
//     fits; the English would need these answers paged.
//
// Take a line off when its screen is fixed; TestAgeFit says when.
func knownAgeFitFailures() map[string][]agefit.Rule {
	const (
		target  = agefit.RuleTarget
		clipped = agefit.RuleClipped
		overlap = agefit.RuleOverlap
	)
	return map[string][]agefit.Rule{
		"manual-name 800x480 zh large": {target},
		"manual-name 800x480 en large": {target},
		"declined 800x480 en large":    {clipped, overlap, target},
		"help 800x480 en large":        {clipped, overlap},

		"lookup-unknown 800x480 en large":   {clipped},
		"progress 800x480 en large":         {overlap},
		"progress-offline 800x480 en large": {overlap},
	}
}

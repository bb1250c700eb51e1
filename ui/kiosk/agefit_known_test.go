package kiosk

import "github.com/gridkiosk/gridkiosk/ui/agefit"

// knownAgeFitFailures are the resident screens that do not meet the
// age-friendly rules yet, by "screen size language mode", with the rules
// each fails; TestAgeFit checks the list is exact. Every screen takes its
// type and targets from the theme's millimetres and meets the rules at
// 800×480, 1280×800 and 1920×1080 in both languages and both modes but
// these, in the large mode on the 7-inch panel (152×91 mm), two of the
// 252 audited:
//
//   - manual-name, both languages: the pinyin keyboard's ten keys across
//     are 15.2 mm wide and 13.9 mm high, under the large mode's 18 mm (ten
//     keys of 18 mm need 180 mm). Handwriting (手写) is the way in for a
//     resident who needs larger targets; it is being wired into this
//     screen beside the keyboard.
//
// Take a line off when its screen is fixed; TestAgeFit says when.
func knownAgeFitFailures() map[string][]agefit.Rule {
	const target = agefit.RuleTarget
	return map[string][]agefit.Rule{
		"manual-name 800x480 zh large": {target},
		"manual-name 800x480 en large": {target},
	}
}

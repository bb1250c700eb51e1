package ui

import "strings"

// Tr picks the text for the screen's language: Chinese unless lang is
// "en". Every string a person reads goes through it, so both languages
// stay side by side in the code.
func Tr(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// Pick takes the screen's half of a message the station writes in both
// languages, "中文 / English", or the whole when it has no second half.
func Pick(lang, msg string) string {
	zh, en, ok := strings.Cut(msg, " / ")
	if !ok {
		return msg
	}
	return Tr(lang, zh, en)
}

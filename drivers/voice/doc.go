// Package voice speaks the kiosk's prompts: a voice pack of recorded
// prompts, checked when it is loaded, and a player that sends them to
// ALSA through aplay.
//
// A pack is a directory with one WAV file per prompt ID and a
// manifest.json naming, for each prompt, the text it says, its file and
// the file's SHA-256, and for the pack the voice that speaks and whether
// it is synthetic. The IDs and texts are those of ui/voiceprompt's
// catalogue; the default pack is generated from it by cmd/voicepack with
// espeak-ng's Mandarin voice, and a pack of human recordings in the same
// format replaces it.
//
// The player runs one aplay at a time, fed a WAV stream on its standard
// input: a new request (a new screen) kills the aplay of the old one at
// once, volume is applied to the samples before they reach ALSA, and
// muting stops what is playing. aplay rather than a Go binding to
// libasound: it is Debian's own ALSA client (alsa-utils), needs no cgo
// for the arm64 build, and a sound driver that hangs takes a child
// process with it, never the kiosk.
package voice

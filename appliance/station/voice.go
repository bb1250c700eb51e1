package station

// Voice is the kiosk's voice as staff see it: whether it speaks, and how
// loud. Why a kiosk is silent is the "voice" peripheral's note in Health.
type Voice struct {
	// Present is true when a voice pack is loaded and the player runs.
	Present bool `json:"present"`
	// Speaker says who or what speaks: the pack's voice, "espeak-ng …"
	// for the synthetic default.
	Speaker   string `json:"speaker,omitempty"`
	Synthetic bool   `json:"synthetic,omitempty"`
	VoiceSettings
}

// VoiceSettings are what staff set: kept across restarts.
type VoiceSettings struct {
	// Volume is in percent of the recording, MinVolume to 100.
	Volume int  `json:"volume"`
	Muted  bool `json:"muted"`
}

// MinVolume is the least volume staff can set: quieter is muting, which
// says so on the staff screen, not a volume nobody hears.
const MinVolume = 10

// DefaultVolume is the volume of a station whose staff set none.
const DefaultVolume = 100

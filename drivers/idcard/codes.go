package idcard

// Gender returns the wire name of a GB/T 2261.1 gender code as the card
// carries it: '1' male, '2' female, '0' unknown and '9' unspecified (both
// reported as unknown).
func Gender(code string) (string, bool) {
	switch code {
	case "1":
		return "male", true
	case "2":
		return "female", true
	case "0", "9":
		return "unknown", true
	}
	return "", false
}

package tech

import (
	"fmt"
	"time"

	"github.com/gridkiosk/gridkiosk/ui"
)

// age says how long ago something was, roughly: technicians want "two
// hours", not a timestamp to subtract.
func age(lang string, d time.Duration) string {
	var n int
	var zh, en string
	switch {
	case d < time.Minute:
		return ui.Tr(lang, "刚刚", "just now")
	case d < time.Hour:
		n, zh, en = int(d/time.Minute), "%d 分钟前", "%d min ago"
	case d < 48*time.Hour:
		n, zh, en = int(d/time.Hour), "%d 小时前", "%d h ago"
	default:
		n, zh, en = int(d/(24*time.Hour)), "%d 天前", "%d days ago"
	}
	return fmt.Sprintf(ui.Tr(lang, zh, en), n)
}

package printer

import (
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
)

// OpenSerial opens a printer on an RS-232 or USB-serial line. Writes are
// paced at the line's speed.
func OpenSerial(path string, baud int) (Conn, error) {
	return serialport.Open(path, baud)
}

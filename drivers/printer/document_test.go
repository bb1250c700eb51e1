package printer_test

import (
	"fmt"
	"log"

	"github.com/gridkiosk/gridkiosk/drivers/printer"
)

func ExampleEncode() {
	d := new(printer.Doc).
		Text("幸福湾", printer.Style{Align: printer.Center, Bold: true}).
		KV("No.", "42").
		Cut(false)
	out, err := printer.Encode(d, printer.Profile58())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("% X\n", out)
	// Output:
	// 1B 40 1B 61 01 1B 45 01 D0 D2 B8 A3 CD E5 0A 1B 61 00 1B 45 00 4E 6F 2E 3A 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 34 32 0A 1B 64 04 1D 56 00
}

func ExampleWrap() {
	for _, l := range printer.Wrap("幸福湾社区党群服务站，欢迎您！Welcome to the station.", 16) {
		fmt.Printf("%-2d %q\n", printer.Width(l), l)
	}
	// Output:
	// 16 "幸福湾社区党群服"
	// 14 "务站，欢迎您！"
	// 14 "Welcome to the"
	// 8  "station."
}

func ExampleASBReader() {
	var r printer.ASBReader
	// A status split between two reads, after a stray byte.
	for _, chunk := range [][]byte{{0xFF, 0x18, 0x00}, {0x0C, 0x00}} {
		for _, s := range r.Feed(chunk) {
			fmt.Println(s.Ready())
		}
	}
	// Output:
	// printer: not ready: paper out
}

func ExampleDoc() {
	// The zero Doc is empty; blocks are checked when encoded.
	var d printer.Doc
	d.Text("办事回执", printer.Style{}).QR("", 4)
	_, err := printer.Encode(&d, printer.Profile80())
	fmt.Println(err)
	// Output:
	// printer: block 2 (QR): no data
}

// Command regularchars prints, as one line on stdout, the characters the
// bundled regular screen face keeps (package subset): pyftsubset's
// --text-file. Run it from the module's root.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"

	"github.com/gridkiosk/gridkiosk/drivers/fonts/internal/subset"
)

func main() {
	set := map[rune]bool{}
	for _, r := range append(subset.Fixed(), subset.GB2312()...) {
		set[r] = true
	}
	for _, dir := range subset.Sources() {
		rs, err := subset.Literals(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "regularchars:", err)
			os.Exit(1)
		}
		for _, r := range rs {
			set[r] = true
		}
	}
	var all []rune
	for r := range set {
		all = append(all, r)
	}
	slices.Sort(all)
	w := bufio.NewWriter(os.Stdout)
	w.WriteString(string(all))
	w.WriteString("\n")
	w.Flush()
}

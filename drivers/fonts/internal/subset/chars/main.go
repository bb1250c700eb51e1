// Command chars prints, as one line on stdout, the characters a bundled
// face keeps (package subset): pyftsubset's --text-file. Without flags,
// the screens' own characters and GB 2312 level 1; with -gb2312, the
// bundled faces' (regular and bold): those and all of GB 2312. Run it
// from the module's root.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/gridkiosk/gridkiosk/drivers/fonts/internal/subset"
)

func main() {
	gb := flag.Bool("gb2312", false, "keep all of GB 2312 too (the bundled faces)")
	flag.Parse()
	set := map[rune]bool{}
	keep := subset.Fixed()
	if *gb {
		keep = append(keep, subset.GB2312()...)
	}
	for _, r := range keep {
		set[r] = true
	}
	for _, dir := range subset.Sources() {
		rs, err := subset.Literals(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "chars:", err)
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

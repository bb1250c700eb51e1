// Command minfyne is a minimal Fyne window: one label in a 1280×800
// window, nothing else. make bench (.ci/uibench.sh) measures it beside
// the kiosk in the same run, so the kiosk's idle CPU and memory are read
// against what Fyne's GL driver costs on the same machine and display.
package main

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	start := time.Now()
	a := app.New()
	w := a.NewWindow("minfyne")
	w.SetContent(widget.NewLabel("minimal Fyne window"))
	w.Resize(fyne.NewSize(1280, 800))
	a.Lifecycle().SetOnStarted(func() {
		// The same line the kiosk logs, so the bench waits for both alike.
		fmt.Printf("first frame since_start_ms=%d\n", time.Since(start).Milliseconds())
	})
	w.ShowAndRun()
}

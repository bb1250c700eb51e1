package main

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/gridkiosk/gridkiosk/ui"
)

// cmdRun is serve with the kiosk's window. Fyne owns the main goroutine;
// the station runs beside it and both stop when either does.
func cmdRun(ctx context.Context, args []string, log *slog.Logger) error {
	o, err := parseFlags("run", args)
	if err != nil {
		return err
	}
	a, err := start(o, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	fa := fyneapp.NewWithID("org.gridkiosk.kiosk")
	fa.Settings().SetTheme(ui.NewTheme())
	cfg := a.st.Config()
	w := fa.NewWindow(cfg.Station.Name)
	screen := ui.NewStatusScreen(cfg.UI.Language, time.Now)
	w.SetContent(screen.Content())
	w.Resize(fyne.NewSize(1280, 800))
	if cfg.UI.Fullscreen {
		w.SetFullScreen(true)
	}
	w.SetCloseIntercept(func() { cancel() })

	errc := make(chan error, 1)
	go func() {
		errc <- a.run(ctx)
		fyne.Do(fa.Quit)
	}()
	go screen.Run(ctx, a.st, time.Second)
	go func() {
		<-ctx.Done()
		fyne.Do(fa.Quit)
	}()
	w.ShowAndRun()
	cancel()
	return <-errc
}

package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/ui/kiosk"
)

// settle is how long a screen gets to draw before it is captured.
const settle = 700 * time.Millisecond

// tour puts up every screen in both languages and writes what the real
// window shows to DIR/<screen>-<WxH>-<lang>.png: make screenshots.
func (a *app) tour(ctx context.Context, w fyne.Window, app *kiosk.App, ro runOptions) error {
	if err := os.MkdirAll(ro.tour, 0o755); err != nil {
		return fmt.Errorf("tour: %w", err)
	}
	size := fmt.Sprintf("%.0fx%.0f", ro.size.Width, ro.size.Height)
	time.Sleep(2 * settle) // the window maps and the demo records go
	for _, lang := range []string{"zh-CN", "en"} {
		fyne.DoAndWait(func() { app.SetLang(lang) })
		// The resident screens in the normal and the large (大字) mode.
		for _, large := range []bool{false, true} {
			fyne.DoAndWait(func() { app.SetLarge(large) })
			suffix := map[bool]string{true: "-large"}[large]
			for _, name := range kiosk.Names() {
				var err error
				fyne.DoAndWait(func() { err = app.Show(name) })
				if err != nil {
					return fmt.Errorf("tour: %s: %w", name, err)
				}
				if err := capture(w, filepath.Join(ro.tour, fmt.Sprintf("%s-%s-%s%s.png", name, size, lang, suffix))); err != nil {
					return err
				}
			}
		}
		fyne.DoAndWait(func() { app.SetLarge(false) })
		// Staff mode, entered the way staff do without their code.
		if err := a.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
			return fmt.Errorf("tour: staff: %w", err)
		}
		fyne.DoAndWait(app.Sync)
		if err := capture(w, filepath.Join(ro.tour, fmt.Sprintf("staff-%s-%s.png", size, lang))); err != nil {
			return err
		}
		a.st.StaffLogout()
		fyne.DoAndWait(app.Sync)
		if a.sim != nil {
			// The technician's button, held: the log-in screen, then
			// the technician's screen for 李建国, a technician.
			a.sim.PressButton("tech", 2500*time.Millisecond)
			time.Sleep(settle)
			fyne.DoAndWait(app.Sync)
			if err := a.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
				return fmt.Errorf("tour: technician: %w", err)
			}
			fyne.DoAndWait(app.Sync)
			if err := capture(w, filepath.Join(ro.tour, fmt.Sprintf("tech-%s-%s.png", size, lang))); err != nil {
				return err
			}
			a.st.StaffLogout()
			fyne.DoAndWait(app.Sync)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// capture saves what the X display shows (ImageMagick's import reads the
// real framebuffer; the GL driver's own Capture comes back blank under a
// virtual display), or the canvas's own rendering without import.
func capture(w fyne.Window, path string) error {
	time.Sleep(settle)
	if _, err := exec.LookPath("import"); err == nil && os.Getenv("DISPLAY") != "" {
		if out, err := exec.Command("import", "-window", "root", path).CombinedOutput(); err != nil {
			return fmt.Errorf("tour: import %s: %v: %s", path, err, out)
		}
		return nil
	}
	var img image.Image
	fyne.DoAndWait(func() { img = w.Canvas().Capture() })
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("tour: %w", err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		return fmt.Errorf("tour: %s: %w", path, err)
	}
	return f.Close()
}

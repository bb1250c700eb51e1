package kiosk

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// BenchmarkTapToNextScreen measures the resident flow's step from the
// confirm screen to the purpose screen: the tap, building the next screen
// from the station's state and reference data, and drawing it at
// 1280x800 with Fyne's software painter (a real GL window draws faster).
func BenchmarkTapToNextScreen(b *testing.B) {
	data := filepath.Join(b.TempDir(), "data")
	box, err := outbox.Open(data, outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := box.PutRefData(outbox.RefData{Data: demo.RefData(), ETag: `"demo"`, FetchedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	box.Close()
	st, err := appliance.New(appliance.Options{Config: demo.Config(data, "", ""), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	defer func() { cancel(); wg.Wait(); st.Close() }()

	win := test.NewTempWindow(b, container.NewStack())
	win.Resize(fyne.NewSize(1280, 800))
	app := New(st, win, Options{Lang: "zh-CN", Pinyin: engine(), Ticks: make(chan time.Time), Do: func(f func()) { f() }})
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := app.Show(scrConfirm); err != nil {
			b.Fatal(err)
		}
		ok := findTappable(win.Content(), "确认")
		if ok == nil {
			b.Fatal("no 确认 key on the confirm screen")
		}
		b.StartTimer()
		t0 := time.Now()
		test.Tap(ok)
		win.Canvas().Capture()
		total += time.Since(t0)
		if app.Screen() != scrPurpose {
			b.Fatalf("after 确认 the screen is %q", app.Screen())
		}
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/tap")
}

func findTappable(root fyne.CanvasObject, label string) fyne.Tappable {
	var found fyne.Tappable
	walk(root, nil, func(o fyne.CanvasObject, owner fyne.Tappable) {
		if tx, ok := o.(*canvas.Text); ok && tx.Text == label && owner != nil {
			found = owner
		}
	})
	return found
}

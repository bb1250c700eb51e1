package handwriting

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/gomono"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
)

// The model is read once, in the background: Recognize does not wait for
// it (ErrLoading), however many ask at once, and answers from it once it
// is read.
func TestLazyReadsOnceInTheBackground(t *testing.T) {
	release := make(chan struct{})
	var opened atomic.Int32
	l := newLazy(func() (*Model, error) {
		opened.Add(1)
		<-release
		return readModel()
	}, nil)
	ink := Ink{Width: 100, Height: 100, Strokes: [][]Point{{{0, 50}, {50, 50}, {100, 50}}}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			l.Start()
			if _, err := l.Recognize(ink, 5); !errors.Is(err, ErrLoading) {
				t.Errorf("Recognize while the model is read: %v, want ErrLoading", err)
			}
		})
	}
	wg.Wait()
	needData(t, modelPath(), "apt-get install tegaki-zinnia-simplified-chinese")
	close(release)
	select {
	case <-l.Ready():
	case <-time.After(2 * time.Minute):
		t.Fatal("the model was not read")
	}
	cands, err := l.Recognize(ink, 5)
	if err != nil || len(cands) == 0 {
		t.Fatalf("Recognize once read: %v %v", cands, err)
	}
	if n := opened.Load(); n != 1 {
		t.Fatalf("the model was read %d times", n)
	}
}

// A model that cannot be read says why, as Open does, and is not read
// again at every stroke.
func TestLazyReportsAMissingModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "handwriting-zh_CN.model")
	l := NewLazy(path, nil)
	l.Start()
	<-l.Ready()
	_, err := l.Recognize(Ink{Width: 1, Height: 1}, 5)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Recognize with no model file: %v", err)
	}
	if _, err2 := l.Model(); err2 != err {
		t.Fatalf("asked again: %v, then %v", err, err2)
	}
}

// With a face, the model is ready (Zinnia alone) before the face's shapes
// are made, and then has them; a face that cannot be used leaves Zinnia
// answering alone and says why.
func TestLazyUsesTheFace(t *testing.T) {
	needData(t, modelPath(), "apt-get install tegaki-zinnia-simplified-chinese")
	ink := Ink{Width: 100, Height: 100, Strokes: [][]Point{{{0, 50}, {50, 50}, {100, 50}}}}
	for _, tc := range []struct {
		name, err string
		face      []byte
	}{
		{name: "the bundled face", face: fonts.CJK()},
		{name: "not a face", face: []byte("not a font"), err: "parse face"},
		{name: "a face without hanzi", face: gomono.TTF, err: "draws none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLazy(func() (*Model, error) { return Open(modelPath()) }, tc.face)
			l.Start()
			<-l.Ready()
			m, err := l.Model()
			if err != nil {
				t.Fatal(err)
			}
			<-l.Faced()
			if got := l.FaceErr(); (got == nil) != (tc.err == "") || got != nil && !strings.Contains(got.Error(), tc.err) {
				t.Fatalf("FaceErr() = %v, want %q", got, tc.err)
			}
			if has := m.shapes.Load() != nil; has != (tc.err == "") {
				t.Errorf("the model has shapes: %v", has)
			}
			if cands, err := l.Recognize(ink, 5); err != nil || len(cands) == 0 || cands[0].Char != "一" {
				t.Errorf("a line: %v, %v; want 一 first", cands, err)
			}
		})
	}
}

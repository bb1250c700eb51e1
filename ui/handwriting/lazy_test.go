package handwriting

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
	})
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
	l := NewLazy(path)
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

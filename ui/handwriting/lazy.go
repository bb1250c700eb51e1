package handwriting

import (
	"errors"
	"sync"
)

// ErrLoading is Lazy's answer while its model is still being read: the
// pad shows no candidates yet, and the next stroke asks again.
var ErrLoading = errors.New("handwriting: the model is still loading")

// Lazy is a model read once, in the background, when first wanted: the
// kiosk does not hold the model's memory, or spend its start-up reading
// it, for residents who never write a name. Start begins the read (the
// screen that offers 手写 calls it, so the model is ready by the time a
// finger has drawn a stroke); Recognize before it is ready answers
// ErrLoading rather than blocking Fyne's goroutine. Safe for concurrent
// use.
//
// With a face, once the model is ready, Lazy goes on to have it weigh the
// drawing's likeness to the face's glyphs too (Model.UseFace), which
// takes some seconds more; until then the pad has Zinnia's answers alone.
type Lazy struct {
	open func() (*Model, error)
	face []byte
	once sync.Once

	mu      sync.Mutex
	model   *Model
	err     error
	faceErr error
	done    chan struct{}
	faced   chan struct{}
}

// NewLazy returns a Lazy that reads the model file at path and, unless
// face is nil, then has it use face (Model.UseFace).
func NewLazy(path string, face []byte) *Lazy {
	return newLazy(func() (*Model, error) { return Open(path) }, face)
}

func newLazy(open func() (*Model, error), face []byte) *Lazy {
	return &Lazy{open: open, face: face, done: make(chan struct{}), faced: make(chan struct{})}
}

// Start reads the model in the background, the first time it is called.
func (l *Lazy) Start() {
	l.once.Do(func() {
		go func() {
			defer close(l.faced)
			m, err := l.open()
			l.mu.Lock()
			l.model, l.err = m, err
			l.mu.Unlock()
			close(l.done)
			if err != nil || l.face == nil {
				return
			}
			err = m.UseFace(l.face)
			l.mu.Lock()
			l.faceErr = err
			l.mu.Unlock()
		}()
	})
}

// Faced is closed once the model has its face's shapes, or could not
// have them (FaceErr says why), or has none to have.
func (l *Lazy) Faced() <-chan struct{} { return l.faced }

// FaceErr is why the model recognizes without its face's shapes, once
// Faced is closed; nil when it has them or was given no face.
func (l *Lazy) FaceErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.faceErr
}

// Ready is closed once the read has ended, well or not.
func (l *Lazy) Ready() <-chan struct{} { return l.done }

// Model returns the model, ErrLoading while it is read (starting the
// read if nobody has), or the error that ended the read.
func (l *Lazy) Model() (*Model, error) {
	l.Start()
	select {
	case <-l.done:
	default:
		return nil, ErrLoading
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.model, l.err
}

// Recognize implements the pad's Recognizer with the model, once read.
func (l *Lazy) Recognize(ink Ink, n int) ([]Candidate, error) {
	m, err := l.Model()
	if err != nil {
		return nil, err
	}
	return m.Recognize(ink, n)
}

// Package logring keeps the last lines a program logged, for the
// technician's screen: a slog.Handler that passes every record on and
// remembers a fixed number of them as text.
package logring

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
)

// Ring is the memory shared by a Handler and the handlers derived from it
// with WithAttrs and WithGroup.
type Ring struct {
	mu    sync.Mutex
	lines []string
	next  int
	full  bool
}

// New returns a ring that keeps the last n lines.
func New(n int) *Ring { return &Ring{lines: make([]string, max(n, 1))} }

// Lines returns the kept lines, oldest first.
func (r *Ring) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]string(nil), r.lines[:r.next]...)
	}
	return append(append([]string(nil), r.lines[r.next:]...), r.lines[:r.next]...)
}

func (r *Ring) add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines[r.next] = line
	r.next = (r.next + 1) % len(r.lines)
	if r.next == 0 {
		r.full = true
	}
}

// Handler passes records to next and keeps them, formatted as slog's text
// handler would, in its ring. The station never logs a full ID number or
// name, so the lines are safe to show to a technician.
type Handler struct {
	next slog.Handler
	ring *Ring
	text slog.Handler // formats into buf
	buf  *bytes.Buffer
	mu   *sync.Mutex // guards buf, shared with derived handlers
}

// NewHandler wraps next, keeping lines in ring.
func NewHandler(next slog.Handler, ring *Ring) *Handler {
	buf := &bytes.Buffer{}
	return &Handler{next: next, ring: ring, buf: buf, mu: &sync.Mutex{},
		text: slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo})}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l) || l >= slog.LevelInfo
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		h.mu.Lock()
		h.buf.Reset()
		h.text.Handle(ctx, r)
		line := strings.TrimRight(h.buf.String(), "\n")
		h.mu.Unlock()
		h.ring.add(line)
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(as), ring: h.ring, text: h.text.WithAttrs(as), buf: h.buf, mu: h.mu}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), ring: h.ring, text: h.text.WithGroup(name), buf: h.buf, mu: h.mu}
}

//go:build !cgo

package bge

import "errors"

// ONNX Runtime is a C library: a build without cgo (a cross-compile for
// another system, say) has no model, and the service falls back to the
// built-in embedder.
var errNoCgo = errors.New("this build has no ONNX Runtime (built without cgo)")

type session struct{}

func newSession(string, string, config) (session, error) { return session{}, errNoCgo }

func (session) run([]int64, []int64, int, int) ([][]float32, error) { return nil, errNoCgo }

func (session) destroy() error { return nil }

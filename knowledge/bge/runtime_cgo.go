//go:build cgo

package bge

import (
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// session is one loaded model in ONNX Runtime.
type session struct {
	s *ort.DynamicAdvancedSession
}

// ONNX Runtime's environment is one per process in onnxruntime_go: it is
// set up by the first Open that succeeds and kept for the life of the
// process, since sessions of other Embedders may still use it.
var runtimeMu sync.Mutex

func initRuntime(lib string) error {
	runtimeMu.Lock()
	defer runtimeMu.Unlock()
	if ort.IsInitialized() {
		return nil
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("load ONNX Runtime %s: %w", lib, err)
	}
	return nil
}

func newSession(lib, model string, cfg config) (session, error) {
	if err := initRuntime(lib); err != nil {
		return session{}, err
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return session{}, fmt.Errorf("session options: %w", err)
	}
	defer so.Destroy()
	if err := sessionOptions(so, cfg); err != nil {
		return session{}, fmt.Errorf("session options: %w", err)
	}
	s, err := ort.NewDynamicAdvancedSession(model,
		[]string{"input_ids", "attention_mask", "token_type_ids"}, []string{"last_hidden_state"}, so)
	if err != nil {
		return session{}, fmt.Errorf("load model %s: %w", model, err)
	}
	return session{s: s}, nil
}

func sessionOptions(so *ort.SessionOptions, cfg config) error {
	if err := so.SetIntraOpNumThreads(cfg.threads); err != nil {
		return err
	}
	// Parallelism across runs is ours (the slots); within a run the graph
	// is a chain, so inter-op threads would only idle.
	if err := so.SetInterOpNumThreads(1); err != nil {
		return err
	}
	if err := so.SetExecutionMode(ort.ExecutionModeSequential); err != nil {
		return err
	}
	// Idle intra-op threads spin by default, burning a core that other
	// runs (and other processes on a small machine) could use.
	return so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0")
}

// run feeds n rows of width token ids (and their attention mask) to the
// model and returns the hidden state of each row's first ([CLS]) token.
func (s session) run(ids, mask []int64, n, width int) ([][]float32, error) {
	shape := ort.NewShape(int64(n), int64(width))
	idsT, err := ort.NewTensor(shape, ids)
	if err != nil {
		return nil, fmt.Errorf("input tensor: %w", err)
	}
	defer idsT.Destroy()
	maskT, err := ort.NewTensor(shape, mask)
	if err != nil {
		return nil, fmt.Errorf("input tensor: %w", err)
	}
	defer maskT.Destroy()
	// One sentence per row: every token is of segment 0.
	typesT, err := ort.NewTensor(shape, make([]int64, n*width))
	if err != nil {
		return nil, fmt.Errorf("input tensor: %w", err)
	}
	defer typesT.Destroy()
	outT, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(n), int64(width), Dim))
	if err != nil {
		return nil, fmt.Errorf("output tensor: %w", err)
	}
	defer outT.Destroy()
	if err := s.s.Run([]ort.Value{idsT, maskT, typesT}, []ort.Value{outT}); err != nil {
		return nil, err
	}
	// Copies: the tensor's memory is freed on return.
	hidden := outT.GetData()
	cls := make([][]float32, n)
	for i := range cls {
		cls[i] = append([]float32(nil), hidden[i*width*Dim:i*width*Dim+Dim]...)
	}
	return cls, nil
}

func (s session) destroy() error { return s.s.Destroy() }

package bge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The files scripts/setup-model.sh keeps in the model directory.
const (
	LibraryFile         = "libonnxruntime.so.1"
	ModelFile           = "model_quantized.onnx"
	VocabFile           = "vocab.txt"
	TokenizerConfigFile = "tokenizer_config.json"
)

// DirEnv names the setting that points at the model directory.
const DirEnv = "SAFETYNET_MODEL_DIR"

// ErrModelMissing is returned (wrapped) by Open when a model file is not in
// its directory; the error names the file and how to fetch it.
var ErrModelMissing = errors.New("bge model files missing")

// DefaultDir is where scripts/setup-model.sh keeps the model:
// $SAFETYNET_MODEL_DIR, else the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache) under safetynet/model.
func DefaultDir() string {
	if d := strings.TrimSpace(os.Getenv(DirEnv)); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			// No home: a relative path that Open will report as missing,
			// with the advice to set SAFETYNET_MODEL_DIR.
			return filepath.Join(".cache", "safetynet", "model")
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "safetynet", "model")
}

// checkFiles reports the first file of the model missing from dir.
func checkFiles(dir string) error {
	var missing []string
	for _, f := range []string{LibraryFile, ModelFile, VocabFile, TokenizerConfigFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || !st.Mode().IsRegular() {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s not in %s; run `make model` (scripts/setup-model.sh) to fetch them, or set %s to the folder that holds them",
		ErrModelMissing, strings.Join(missing, ", "), dir, DirEnv)
}

// Package prompts holds the prompt and reply templates, embedded in the
// binary. Each template is one file NAME.tmpl (text/template); packages
// render them by name.
package prompts

import (
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

var (
	parseOnce sync.Once
	tmpl      *template.Template
	parseErr  error
)

// Render executes the template NAME.tmpl with data.
func Render(name string, data any) (string, error) {
	parseOnce.Do(func() {
		tmpl, parseErr = template.New("").Funcs(template.FuncMap{
			"inc": func(i int) int { return i + 1 },
		}).ParseFS(files, "*.tmpl")
	})
	if parseErr != nil {
		return "", fmt.Errorf("prompts: %w", parseErr)
	}
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, name+".tmpl", data); err != nil {
		return "", fmt.Errorf("prompt %s: %w", name, err)
	}
	return b.String(), nil
}

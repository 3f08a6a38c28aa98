package outreach

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/safetynet/safetynet/knowledge/eligibility"
	outreachprompts "github.com/safetynet/safetynet/prompts/outreach"
)

// Reminder kinds; a campaign's messages have kind "campaign".
const (
	KindReview   = "review"
	KindPhaseout = "phaseout"
	KindPledge   = "pledge"
	KindCampaign = "campaign"
)

// MessageData are the placeholders a template may use.
type MessageData struct {
	Name         string // the head of household's name (masked in previews)
	HouseholdID  string
	Program      string // the program's name as residents know it
	Region       string
	DueDate      string
	ReviewDate   string
	PhaseoutDate string
	DaysLeft     int
	Hotline      string
	PledgeText   string
	Body         string
}

var tmplCache sync.Map // template text → *template.Template

func parseTemplate(text string) (*template.Template, error) {
	if t, ok := tmplCache.Load(text); ok {
		return t.(*template.Template), nil
	}
	t, err := template.New("msg").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	tmplCache.Store(text, t)
	return t, nil
}

// TemplateText returns an embedded template by name ("review" or
// "review.tmpl").
func TemplateText(name string) (string, error) {
	name = strings.TrimSuffix(name, ".tmpl")
	if name == "" || strings.ContainsAny(name, "/\\") {
		return "", fmt.Errorf("template %q: %w", name, ErrNotFound)
	}
	b, err := fs.ReadFile(outreachprompts.FS, name+".tmpl")
	if err != nil {
		return "", fmt.Errorf("template %q: %w", name, ErrNotFound)
	}
	return string(b), nil
}

// Templates lists the embedded template names bureaus may use.
func Templates() []string {
	entries, _ := fs.ReadDir(outreachprompts.FS, ".")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".tmpl"); ok && n != "pledge_text" {
			out = append(out, n)
		}
	}
	return out
}

// PledgeText is the integrity pledge residents sign, and its version: a
// hash of the text, so a signature always names the words it agreed to.
func PledgeText() (text, version string) {
	t, err := TemplateText("pledge_text")
	if err != nil {
		panic("outreach: pledge_text.tmpl missing from prompts/outreach")
	}
	sum := sha256.Sum256([]byte(t))
	return strings.TrimSpace(t), "pledge-" + hex.EncodeToString(sum[:4])
}

// Render fills a template.
func Render(text string, d MessageData) (string, error) {
	t, err := parseTemplate(text)
	if err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	return strings.TrimSpace(b.String()), nil
}

// ValidateTemplate renders a template with sample data so a typo in a
// placeholder is caught when the campaign is created, not at send time.
func ValidateTemplate(text string) error {
	_, err := Render(text, MessageData{Name: "张**", Program: "低保", DueDate: "2026年1月1日"})
	return err
}

func cnDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func regionName(id string) string {
	if p, err := eligibility.Region(id); err == nil && p.Name != "" {
		return p.Name
	}
	return id
}

// Buttons under a message; data carries the delivery id, checked against
// the pressing chat.
func buttonsFor(kind string, deliveryID int64, withPledge bool) [][]Button {
	row := []Button{{Text: "我已知晓", Data: fmt.Sprintf("o:ack:%d", deliveryID)}}
	if kind == KindPledge || withPledge {
		row = append(row, Button{Text: "签署诚信承诺", Data: fmt.Sprintf("o:sign:%d", deliveryID)})
	}
	return [][]Button{row, {{Text: "联系工作人员", Data: fmt.Sprintf("o:help:%d", deliveryID)}}}
}

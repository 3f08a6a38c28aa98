// Package outreachprompts holds the outreach message templates: reminders,
// the integrity pledge text and campaign templates bureaus can pick.
// Placeholders are Go text/template fields: {{.Name}}, {{.Program}},
// {{.DueDate}}, {{.ReviewDate}}, {{.PhaseoutDate}}, {{.DaysLeft}},
// {{.Region}}, {{.HouseholdID}}, {{.Hotline}}.
package outreachprompts

import "embed"

// FS holds the *.tmpl files.
//
//go:embed *.tmpl
var FS embed.FS

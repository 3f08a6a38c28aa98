package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/questions"
)

// maxAnswerRunes keeps an answer inside one Telegram message (4096 UTF-16
// units) with room for the sources.
const maxAnswerRunes = 2500

// ask answers a free-text question from the knowledge base. question is
// already redacted.
func (e *Engine) ask(ctx context.Context, t *turnState, question string) error {
	if t.st.Ticket != 0 && e.desk != nil {
		// A person is handling this chat: they see what came after too.
		if _, err := e.desk.Append(ctx, t.ev.Address, handoff.AuthorResident, question); err != nil {
			t.st.Ticket = 0 // closed by staff: back to the bot alone
		}
	}
	if !e.qaEnabled(ctx) {
		t.say(e.msg(t.lang, "unavailable"))
		return nil
	}
	ans, err := e.answerer.Ask(ctx, question, knowledge.AskOptions{K: e.k, Region: e.region})
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	body, sources := e.formatAnswer(t.lang, ans)
	t.q = &questions.Entry{
		Chat: t.ev.Address, Lang: t.lang, Question: question,
		Answered: ans.Answered, Answer: ans.Text, Sources: logSources(ans.Citations),
	}
	var extra [][]Button
	if !ans.Answered {
		extra = append(extra, []Button{{Text: e.msg(t.lang, "btn_contact"), Data: "c"}})
	}
	if ans.OfferCheck && e.wizard != nil {
		// The question describes a household: the pre-check answers
		// "can we apply" better than any passage.
		body += "\n\n" + e.msg(t.lang, "offer_check")
		extra = append(extra, []Button{{Text: e.msg(t.lang, "btn_check"), Data: "k"}})
	}
	r := t.say(body, extra...)
	r.Sources = sources
	t.answerAt = len(t.out.Replies) - 1

	if ans.Answered {
		t.st.Misses = 0
		return nil
	}
	t.st.Misses++
	if t.st.Misses >= 2 && t.st.Ticket == 0 {
		// Twice in a row the bot could not help: a person should.
		return e.handoff(ctx, t, "unanswered")
	}
	return nil
}

// formatAnswer lays out an answer for a phone: the text, then the sources
// as "[1] 文件标题 · 章节", one a line, the same document and section once.
func (e *Engine) formatAnswer(lang string, ans knowledge.Answer) (string, []Source) {
	text := strings.TrimSpace(dropForeignLinks(ans.Text, ans.Citations))
	text = clip(text, maxAnswerRunes)
	var sb strings.Builder
	if note := e.chineseNote(lang); note != "" && lang != LangUyghur {
		sb.WriteString(note)
		sb.WriteString("\n\n")
	}
	sb.WriteString(text)
	var sources []Source
	if ans.Answered && len(ans.Citations) > 0 {
		seen := map[string]bool{}
		sb.WriteString("\n\n")
		sb.WriteString(e.msg(lang, "sources"))
		for i, c := range ans.Citations {
			title := strings.TrimSpace(c.Title)
			if title == "" {
				title = c.Doc
			}
			key := title + "\x00" + c.Section
			if seen[key] {
				continue
			}
			seen[key] = true
			// Numbered by rank so the [n] markers in the text match.
			s := Source{N: i + 1, Title: title, Section: strings.TrimSpace(c.Section)}
			sources = append(sources, s)
			sb.WriteString("\n[" + strconv.Itoa(s.N) + "] " + clip(s.Title, 60))
			if s.Section != "" {
				sb.WriteString(" · " + s.Section)
			}
		}
	}
	return sb.String(), sources
}

var reLink = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'）)\]】，。]+`)

// dropForeignLinks removes links that no source contains: text that tries
// to steer the model (in a question or a document) must not put a link of
// its own in front of a resident.
func dropForeignLinks(text string, cites []knowledge.Citation) string {
	if !strings.Contains(text, "http") && !strings.Contains(strings.ToLower(text), "www.") {
		return text
	}
	return reLink.ReplaceAllStringFunc(text, func(link string) string {
		for _, c := range cites {
			if strings.Contains(c.Text, link) {
				return link
			}
		}
		return "[链接已移除]"
	})
}

func logSources(cites []knowledge.Citation) []questions.Source {
	out := make([]questions.Source, 0, len(cites))
	for _, c := range cites {
		out = append(out, questions.Source{Doc: c.Doc, Title: c.Title, Section: c.Section, Score: c.Score})
	}
	return out
}

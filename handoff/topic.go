package handoff

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// topicRunes bounds a topic: a line in the queue, not the whole question.
const topicRunes = 30

// realQuestion tells whether a resident's line says what they need: not
// a command, not a placeholder the bot wrote for something it did not keep
// ("[绑定码]"), and more than a one-word answer to a wizard step or a
// request for a person ("人工", "找人").
func realQuestion(text string) bool {
	t := strings.TrimSpace(text)
	switch {
	case t == "", strings.HasPrefix(t, "/"), strings.HasPrefix(t, "["):
		return false
	}
	return utf8.RuneCountInString(t) >= 6 || strings.ContainsAny(t, "？?吗呢")
}

// topicOf is what a ticket is about: the resident's first real question,
// trimmed to a line; failing that, why it was opened.
func topicOf(reason string, residentLines []string) string {
	for _, l := range residentLines {
		if realQuestion(l) {
			l = strings.Join(strings.Fields(l), " ")
			if r := []rune(l); len(r) > topicRunes {
				l = string(r[:topicRunes]) + "…"
			}
			return l
		}
	}
	if reason == "unanswered" {
		return "机器人没能回答，转人工"
	}
	return "居民要求人工服务（没有留下问题）"
}

// fillTopics sets Topic on tickets from their residents' lines, in one
// query for the whole list.
func (d *Desk) fillTopics(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	rows, err := d.pool.Query(ctx, `
		SELECT ticket_id, text FROM handoff_messages
		WHERE ticket_id = ANY($1) AND author = 'resident' ORDER BY ticket_id, id`, ids)
	if err != nil {
		return fmt.Errorf("ticket topics: %w", err)
	}
	defer rows.Close()
	lines := map[int64][]string{}
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return fmt.Errorf("ticket topics: %w", err)
		}
		lines[id] = append(lines[id], text)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket topics: %w", err)
	}
	for i := range ts {
		ts[i].Topic = topicOf(ts[i].Reason, lines[ts[i].ID])
	}
	return nil
}

package handoff

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
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
	return shownTopic(reason, firstQuestion(residentLines))
}

// firstQuestion is the first real question among a resident's lines,
// trimmed to a line, or "" when none is. It is what the topic column keeps:
// once a ticket has one, later lines cannot change its topic.
func firstQuestion(residentLines []string) string {
	for _, l := range residentLines {
		if realQuestion(l) {
			l = strings.Join(strings.Fields(l), " ")
			if r := []rune(l); len(r) > topicRunes {
				l = string(r[:topicRunes]) + "…"
			}
			return l
		}
	}
	return ""
}

// shownTopic is the topic of a ticket whose first real question is q (""
// for none yet).
func shownTopic(reason, q string) string {
	if q != "" {
		return q
	}
	if reason == "unanswered" {
		return "机器人没能回答，转人工"
	}
	return "居民要求人工服务（没有留下问题）"
}

// fillTopics works out and stores the topic of tickets listed with none
// stored (topic NULL: opened before the column existed), and sets Topic on
// them. A migration could not backfill these, as realQuestion is Go code;
// each such ticket is read here once, the first time a list meets it, and
// from then on Open and Append keep its topic like any other.
func (d *Desk) fillTopics(ctx context.Context, ts []*Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	stored := map[int64]string{}
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		// The row locks hold off Open and Append on these tickets until the
		// topic is stored: a line added between reading the lines and
		// storing what they say would otherwise be missed for good. A list
		// running at the same time waits here too, then finds the topic set.
		rows, err := tx.Query(ctx, `SELECT id, topic FROM handoff_tickets WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		var unset []int64
		for rows.Next() {
			var id int64
			var q *string
			if err := rows.Scan(&id, &q); err != nil {
				return err
			}
			if q == nil {
				unset = append(unset, id)
			} else {
				stored[id] = *q
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(unset) == 0 {
			return nil
		}
		msgs, err := tx.Query(ctx, `
			SELECT ticket_id, text FROM handoff_messages
			WHERE ticket_id = ANY($1) AND author = 'resident' ORDER BY ticket_id, id`, unset)
		if err != nil {
			return err
		}
		defer msgs.Close()
		lines := map[int64][]string{}
		for msgs.Next() {
			var id int64
			var text string
			if err := msgs.Scan(&id, &text); err != nil {
				return err
			}
			lines[id] = append(lines[id], text)
		}
		if err := msgs.Err(); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, id := range unset {
			stored[id] = firstQuestion(lines[id])
			b.Queue(`UPDATE handoff_tickets SET topic = $2 WHERE id = $1`, id, stored[id])
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("ticket topics: %w", err)
	}
	for _, t := range ts {
		t.Topic = shownTopic(t.Reason, stored[t.ID])
	}
	return nil
}

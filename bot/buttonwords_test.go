package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// TestPressedButtonWordsComeFromTheButtonsShown: the history gets the
// words of a pressed wizard button, or of a choice typed by its number,
// from what was kept when the buttons were shown. The wizard here reads
// its regions from the database at every use, so working its question out
// again would show as one more round trip: a press costs the update's two
// and the step's one. A conversation saved before the words were kept has
// its question worked out again, and the history reads the same.
func TestPressedButtonWordsComeFromTheButtonsShown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, rt := tracedPool(t)
	eng, err := bot.New(bot.Config{Pool: pool, Answerer: knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{}),
		Hotline: "12345", RateBurst: 100,
		Wizard: bot.EligibilityWizard{W: &eligibility.Wizard{Hotline: "12345"}, Regions: eligibility.NewStore(pool), TZ: time.UTC}})
	require.NoError(t, err)

	// lastHeard is the resident's latest line in the stored history.
	lastHeard := func(id string) string {
		t.Helper()
		var raw []byte
		require.NoError(t, pool.QueryRow(ctx, `SELECT history FROM bot_conversations WHERE channel = 'web' AND chat_id = $1`, id).Scan(&raw))
		var lines []struct{ A, T string }
		require.NoError(t, json.Unmarshal(raw, &lines))
		for i := len(lines) - 1; i >= 0; i-- {
			if lines[i].A == "r" {
				return lines[i].T
			}
		}
		t.Fatalf("no resident line in %s", raw)
		return ""
	}
	// handle runs ev and returns its reply and the round trips it cost.
	handle := func(ev bot.Event) (bot.Result, int64) {
		t.Helper()
		before := rt.n.Load()
		res, err := eng.Handle(ctx, ev)
		require.NoError(t, err)
		require.NotEmpty(t, res.Replies, "%+v", ev)
		return res, rt.n.Load() - before
	}
	// shown is the words and the number of the button whose data is data.
	shown := func(r bot.Reply, data string) (words, number string) {
		t.Helper()
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Data == data {
					number, _, _ = strings.Cut(b.Text, ".")
					return choiceWords(b.Text), number
				}
			}
		}
		t.Fatalf("no button %q in %+v", data, r.Buttons)
		return "", ""
	}

	res, _ := handle(text(70, "/check"))
	region, _ := shown(res.Replies[0], "w:guizhou-2020")
	res, trips := handle(press(70, "w:guizhou-2020"))
	require.Equal(t, region, lastHeard("70"))
	require.Equal(t, int64(3), trips, "the question was worked out again to find the button's words")
	require.Contains(t, res.Replies[0].Text, "城镇还是农村")
	rural, number := shown(res.Replies[0], "w:rural")
	_, trips = handle(text(70, number))
	require.Equal(t, rural, lastHeard("70"), "a choice typed by its number")
	require.Equal(t, int64(3), trips)

	// The same question in a conversation saved by a version that kept no
	// words: the state is stored as that version wrote it.
	handle(text(71, "/check"))
	var kept bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT state ? 'labels' FROM bot_conversations WHERE channel = 'web' AND chat_id = '71'`).Scan(&kept))
	require.True(t, kept, "the words are stored with the choices")
	_, err = pool.Exec(ctx, `UPDATE bot_conversations SET state = state - 'labels' WHERE channel = 'web' AND chat_id = '71'`)
	require.NoError(t, err)
	res, trips = handle(press(71, "w:guizhou-2020"))
	require.Equal(t, region, lastHeard("71"))
	require.Equal(t, int64(4), trips, "without kept words the question is worked out again")
	require.Contains(t, res.Replies[0].Text, "城镇还是农村")
	// The state written now keeps the words again.
	_, trips = handle(press(71, "w:rural"))
	require.Equal(t, rural, lastHeard("71"))
	require.Equal(t, int64(3), trips)
}

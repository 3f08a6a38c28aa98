package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/outreach"
)

// TestOutreachDispatchSurvivesKill9 runs `safetynet outreach dispatch` as a
// child process, kills it with SIGKILL in the middle of a campaign, starts
// it again and checks the Bot API server's record: every household got its
// message, and duplicates are at most the messages in flight at the kill.
func TestOutreachDispatchSurvivesKill9(t *testing.T) {
	t.Parallel()
	const households = 400
	bin := filepath.Join(t.TempDir(), "safetynet")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	dbName := testdb.NewDatabase(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, testdb.URL(dbName))
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	// Latency keeps messages on the wire long enough that the kill catches
	// some in flight.
	tg := telegramtest.New(telegramtest.WithGlobalRate(1000), telegramtest.WithPerChatRate(0, 1),
		telegramtest.WithLatency(30*time.Millisecond))
	t.Cleanup(tg.Close)

	key := bytes.Repeat([]byte{9}, 32)
	svc, err := outreach.New(pool, outreach.Config{DataKey: key, Rate: 100})
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n")
	for i := 0; i < households; i++ {
		first := fmt.Sprintf("52010219700101%03d", i)
		fmt.Fprintf(&csv, "K%04d,刘%d,%s,,guizhou-2020,rural,dibao,%s\n", i, i, first+string(pii.NationalIDCheckChar(first)), quietDates)
	}
	_, err = svc.Import(ctx, strings.NewReader(csv.String()), false)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `
		WITH h AS (UPDATE outreach_households SET chat_channel = 'telegram', chat_id = (5000 + substr(household_id, 2)::bigint)::text
			RETURNING household_id, chat_id)
		INSERT INTO outreach_bindings (channel, chat_id, household_id) SELECT 'telegram', chat_id, household_id FROM h`)
	require.NoError(t, err)
	c, err := svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "kill test", Template: "review_notice",
		Window: "00:00-23:59", Rate: 100, PauseAfter: -1})
	require.NoError(t, err)
	_, err = svc.StartCampaign(ctx, c.ID, true)
	require.NoError(t, err)

	env := append(os.Environ(),
		"DATABASE_URL="+testdb.URL(dbName),
		"SAFETYNET_DATA_KEY="+base64.StdEncoding.EncodeToString(key),
		"TELEGRAM_BOT_TOKEN="+tg.Token(),
		"TELEGRAM_API_URL="+tg.URL(),
		"OUTREACH_RATE=100",
		"SAFETYNET_LOG_LEVEL=error",
	)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "outreach", "dispatch", "--workers", "32", "--rescue-after", "3s", "--job-timeout", "3s")
		cmd.Env = env
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		return cmd
	}
	first := start()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, tg.WaitFor(wctx, func() bool { return len(tg.Sent()) >= households/3 }))
	require.NoError(t, first.Process.Kill()) // SIGKILL: no clean-up runs
	_ = first.Wait()
	var inFlight int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM outreach_deliveries WHERE status = 'sending'`).Scan(&inFlight))
	sentAtKill := len(tg.Sent())
	require.Less(t, sentAtKill, households, "the kill came mid-campaign")

	second := start()
	t.Cleanup(func() {
		_ = second.Process.Signal(os.Interrupt)
		_ = second.Wait()
	})
	wctx2, cancel2 := context.WithTimeout(ctx, 150*time.Second)
	defer cancel2()
	require.NoError(t, tg.WaitFor(wctx2, func() bool {
		seen := map[int64]bool{}
		for _, m := range tg.Sent() {
			seen[m.ChatID] = true
		}
		return len(seen) == households
	}), "every household gets its message after the restart")
	// Let stragglers land before counting duplicates.
	require.Eventually(t, func() bool {
		var open int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM outreach_deliveries WHERE status IN ('queued', 'sending')`).Scan(&open)
		return open == 0
	}, 60*time.Second, 100*time.Millisecond)

	sent := tg.Sent()
	dups := len(sent) - households
	t.Logf("households %d, sent at kill %d, in flight at kill %d, duplicates %d", households, sentAtKill, inFlight, dups)
	require.LessOrEqual(t, dups, inFlight, "duplicates only from messages in flight at the kill")

	var out bytes.Buffer
	rep := exec.Command(bin, "outreach", "report", "--campaign", fmt.Sprint(c.ID), "--json")
	rep.Env, rep.Stdout, rep.Stderr = env, &out, os.Stderr
	require.NoError(t, rep.Run())
	var r outreach.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	require.Equal(t, households, r.Counts.Sent)
	require.Zero(t, r.Counts.Queued)
}

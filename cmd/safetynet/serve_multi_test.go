package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/outreach"
)

// TestThreeServeProcesses runs three `safetynet serve` on one database in
// Telegram webhook mode and spreads 2,000 updates of 100 residents over
// them at random, as a load balancer would, with some delivered twice (as
// Telegram redelivers) and one process killed with SIGKILL midway (its
// requests are retried elsewhere). Every update is handled once, in each
// resident's order.
func TestThreeServeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers")
	}
	t.Parallel()
	const residents, perResident, secret = 100, 20, "multi-process-secret"
	bin := filepath.Join(t.TempDir(), "safetynet")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	dbName := testdb.NewDatabase(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, testdb.URL(dbName))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	tg := telegramtest.New(telegramtest.WithoutLimits())
	t.Cleanup(tg.Close)

	// A campaign to 300 bound households, started before the servers:
	// their dispatchers share it.
	const households = 300
	key := bytes.Repeat([]byte{9}, 32)
	svc, err := outreach.New(pool, outreach.Config{DataKey: key, Rate: 100})
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n")
	for i := range households {
		first := fmt.Sprintf("52010219700101%03d", i)
		fmt.Fprintf(&csv, "M%04d,刘%d,%s,,guizhou-2020,rural,dibao,%s\n", i, i, first+string(pii.NationalIDCheckChar(first)), quietDates)
	}
	_, err = svc.Import(ctx, strings.NewReader(csv.String()), false)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `
		WITH h AS (UPDATE outreach_households SET chat_channel = 'telegram', chat_id = (700000 + substr(household_id, 2)::bigint)::text
			RETURNING household_id, chat_id)
		INSERT INTO outreach_bindings (channel, chat_id, household_id) SELECT 'telegram', chat_id, household_id FROM h`)
	require.NoError(t, err)
	campaign, err := svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "three servers", Template: "review_notice",
		Window: "00:00-23:59", Rate: 100, PauseAfter: -1})
	require.NoError(t, err)
	_, err = svc.StartCampaign(ctx, campaign.ID, true)
	require.NoError(t, err)

	// Three processes share the test server with every other test: small pools.
	u, err := url.Parse(testdb.URL(dbName))
	require.NoError(t, err)
	q := u.Query()
	q.Set("pool_max_conns", "6")
	u.RawQuery = q.Encode()
	dbURL := u.String()
	type proc struct {
		cmd      *exec.Cmd
		base     string
		dead     atomic.Bool
		inFlight atomic.Int64
	}
	var procs []*proc
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		_ = ln.Close()
		cmd := exec.Command(bin, "serve", "--addr", addr)
		cmd.Env = append(os.Environ(),
			"DATABASE_URL="+dbURL,
			"TELEGRAM_BOT_TOKEN="+tg.Token(),
			"TELEGRAM_API_URL="+tg.URL(),
			"TELEGRAM_WEBHOOK_URL=http://"+addr+"/tg/hook",
			"TELEGRAM_WEBHOOK_SECRET="+secret,
			"SAFETYNET_MODEL_DIR="+t.TempDir(), // no model: the built-in embedder
			"SAFETYNET_DATA_KEY="+base64.StdEncoding.EncodeToString(key),
			"OUTREACH_RATE=100",
			"SAFETYNET_LOG_LEVEL=error",
		)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		p := &proc{cmd: cmd, base: "http://" + addr}
		procs = append(procs, p)
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
		})
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	for _, p := range procs {
		require.Eventually(t, func() bool {
			// Ready, not only healthy: wired and taking residents.
			resp, err := hc.Get(p.base + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 120*time.Second, 200*time.Millisecond, "serve did not become ready")
	}

	// The campaign: every household once, sent by more than one server.
	wctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	require.NoError(t, tg.WaitFor(wctx, func() bool {
		n := 0
		for _, m := range tg.Sent() {
			if m.ChatID >= 700000 && m.ChatID < 700000+households {
				n++
			}
		}
		return n >= households
	}), "the campaign reached every household")
	campaignSent := map[int64]int{}
	for _, m := range tg.Sent() {
		if m.ChatID >= 700000 && m.ChatID < 700000+households {
			campaignSent[m.ChatID]++
		}
	}
	var senders int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(DISTINCT who) FROM river_job, unnest(attempted_by) AS who
		WHERE kind = 'outreach_send' AND state = 'completed'`).Scan(&senders))
	t.Logf("campaign: %d households, %d messages, sent by %d of 3 servers", households, len(tg.Sent()), senders)
	require.Len(t, campaignSent, households)
	for chat, n := range campaignSent {
		require.Equal(t, 1, n, "chat %d got the campaign message %d times", chat, n)
	}
	require.GreaterOrEqual(t, senders, 2, "dispatch is shared")

	deliver := func(p *proc, body []byte) bool {
		p.inFlight.Add(1)
		defer p.inFlight.Add(-1)
		req, _ := http.NewRequest("POST", p.base+"/tg/hook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(telegram.SecretHeader, secret)
		resp, err := hc.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	var handled, redelivered atomic.Int64
	var killOnce sync.Once
	var inFlightAtKill int64
	start := time.Now()
	var wg sync.WaitGroup
	for r := range residents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			chat := int64(800000 + r)
			for k := 1; k <= perResident; k++ {
				upd := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"R"},"text":"火星上的补贴第%d问"}}`,
					r*1000+k, k, time.Now().Unix(), chat, chat, k)
				// A load balancer: a random live process, another one when it fails.
				for tries := 0; ; tries++ {
					require.Less(t, tries, 10, "no process took update %d of chat %d", k, chat)
					p := procs[rng.IntN(len(procs))]
					if p.dead.Load() || !deliver(p, []byte(upd)) {
						continue
					}
					break
				}
				if rng.IntN(10) == 0 { // Telegram delivering it again
					for _, p := range procs {
						if !p.dead.Load() && deliver(p, []byte(upd)) {
							redelivered.Add(1)
							break
						}
					}
				}
				if handled.Add(1) == residents*perResident/2 {
					killOnce.Do(func() {
						procs[0].dead.Store(true)
						inFlightAtKill = procs[0].inFlight.Load()
						_ = procs[0].cmd.Process.Kill()
					})
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	// The question log has one row per update: count, duplicates, order.
	rows, err := pool.Query(ctx, `SELECT chat_id::bigint, question FROM questions WHERE channel = 'telegram' ORDER BY id`)
	require.NoError(t, err)
	next := map[int64]int{}
	seen := map[string]bool{}
	var total, dups, outOfOrder int
	for rows.Next() {
		var chat int64
		var q string
		require.NoError(t, rows.Scan(&chat, &q))
		total++
		key := fmt.Sprint(chat, q)
		if seen[key] {
			dups++
			continue
		}
		seen[key] = true
		var k int
		_, _ = fmt.Sscanf(q, "火星上的补贴第%d问", &k)
		if k <= next[chat] {
			outOfOrder++
		}
		next[chat] = k
	}
	require.NoError(t, rows.Err())
	lost := residents*perResident - len(seen)
	t.Logf("3 processes, one killed midway: %d updates (+%d redelivered) in %s, %.0f updates/s; duplicates %d, out of order %d, lost %d (in flight at the kill %d)",
		residents*perResident, redelivered.Load(), elapsed.Round(time.Millisecond), float64(residents*perResident)/elapsed.Seconds(), dups, outOfOrder, lost, inFlightAtKill)
	require.Zero(t, outOfOrder)
	require.Zero(t, lost, "a turn the kill cut off is done again where it is retried")
	// An update is marked handled just after its turn is stored: a kill
	// between the two statements is the one way to a duplicate.
	require.LessOrEqual(t, dups, 1)
}

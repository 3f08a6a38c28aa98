package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/outreach"
)

func init() {
	registerBench(benchmark{name: "outreach",
		usage: "derive reminders for N households; dispatch through a loopback Bot API at its ceiling and at Telegram's limit",
		run:   runBenchOutreach})
}

// benchOutreachResult is what `bench outreach --json` prints.
type benchOutreachResult struct {
	Households     int            `json:"households"`
	ImportSeconds  float64        `json:"import_seconds"`
	DeriveSeconds  float64        `json:"derive_seconds"`
	Derived        int            `json:"derived"`
	DerivePerSec   float64        `json:"derived_per_sec"`
	DeriveMillionS float64        `json:"derive_1m_seconds_extrapolated"`
	RemindAgainS   float64        `json:"remind_again_seconds"`
	RemindAgainNew int            `json:"remind_again_new"`
	Phases         []benchDispPhs `json:"dispatch"`
}

type benchDispPhs struct {
	Name        string  `json:"name"`
	ServerLimit float64 `json:"server_limit_per_sec"`
	OurRate     float64 `json:"outreach_rate"`
	Messages    int     `json:"messages"`
	Delivered   int     `json:"delivered"`
	Seconds     float64 `json:"seconds"`
	Rate        float64 `json:"achieved_per_sec"`
	OfAllowed   float64 `json:"fraction_of_allowed"`
	Got429      int     `json:"got_429"`
	Duplicates  int     `json:"duplicates"`
	Lost        int     `json:"lost"`
	Failed      int     `json:"failed"`
}

func runBenchOutreach(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("bench outreach", env)
	n := fs.Int("households", 100000, "households to enrol and derive reminders for")
	ceilMsgs := fs.Int("ceiling-messages", 20000, "messages dispatched with the Bot API limit raised (0 skips)")
	ceilLimit := fs.Float64("ceiling-limit", 1000, "Bot API global limit and OUTREACH_RATE for the ceiling run")
	realMsgs := fs.Int("real-messages", 1500, "messages dispatched at Telegram's real limit (0 skips)")
	realRate := fs.Float64("real-rate", 30, "OUTREACH_RATE for the real-limit run (the Bot API allows 30/s)")
	workers := fs.Int("workers", 256, "dispatch workers")
	keep := fs.Bool("keep", false, "keep the benchmark database")
	conns := fs.Int("conns", 40, "database connections (pool_max_conns)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if _, err := parseFlags(fs, args, "keep", "json"); err != nil {
		return outreachErr(err)
	}
	if *n <= 0 || *ceilMsgs > *n || *realMsgs > *n {
		return badInput("--households: must be positive and at least --ceiling-messages and --real-messages")
	}

	// A database of its own, so the benchmark never touches real households.
	name := "sn_bench_outreach_" + outreachBenchSuffix(4)
	admin, err := pgx.Connect(ctx, outreachDSN(env.Cfg.DatabaseURL, "postgres", 0))
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("bench database: %w", err)
	}
	if !*keep {
		defer admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") //nolint:errcheck
	}
	// Enough connections for the workers; pgxpool's default is the CPU count.
	pool, err := db.Open(ctx, outreachDSN(env.Cfg.DatabaseURL, name, *conns))
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	key := env.Cfg.DataKey
	if key == nil {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	// Noon in the service's zone: inside every sending window.
	day := time.Date(2026, 3, 2, 12, 0, 0, 0, env.Cfg.TZ)
	now := func() time.Time { return day }
	base := outreach.Config{DataKey: key, TZ: env.Cfg.TZ, Hotline: env.Cfg.Hotline, Workers: *workers,
		PollInterval: 50 * time.Millisecond, Now: now, Logger: env.Log}
	svc, err := outreach.New(pool, base)
	if err != nil {
		return err
	}
	res := benchOutreachResult{Households: *n}
	fmt.Fprintf(env.Stderr, "enrolling %d households…\n", *n)
	t0 := time.Now()
	recs := make([]outreach.HouseholdRecord, *n)
	review := day.AddDate(0, 0, 14)
	review = time.Date(review.Year(), review.Month(), review.Day(), 0, 0, 0, 0, time.UTC)
	signed := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range recs {
		birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
		first := "520102" + birth.Format("20060102") + fmt.Sprintf("%03d", i%1000)
		recs[i] = outreach.HouseholdRecord{HouseholdID: fmt.Sprintf("B%07d", i), HeadName: "王小" + fmt.Sprint(i%97),
			NationalID: first + string(pii.NationalIDCheckChar(first)), Region: "guizhou-2020", Area: "rural",
			Program: "dibao", EnrolledOn: signed, NextReviewOn: review, PledgeSignedOn: &signed}
	}
	if _, err := svc.ImportRecords(ctx, recs, false); err != nil {
		return err
	}
	// Bound chats are set directly: binding 100k codes by hand is not
	// what is measured here.
	if _, err := pool.Exec(ctx, `
		WITH h AS (UPDATE outreach_households SET chat_channel = 'telegram',
			chat_id = (10000000 + substr(household_id, 2)::bigint)::text, bound_at = now() RETURNING household_id, chat_id)
		INSERT INTO outreach_bindings (channel, chat_id, household_id) SELECT 'telegram', chat_id, household_id FROM h`); err != nil {
		return err
	}
	res.ImportSeconds = time.Since(t0).Seconds()

	fmt.Fprintf(env.Stderr, "deriving reminders…\n")
	t0 = time.Now()
	rr, err := svc.Remind(ctx, day, false)
	if err != nil {
		return err
	}
	res.DeriveSeconds = time.Since(t0).Seconds()
	res.Derived = rr.New()
	res.DerivePerSec = float64(res.Derived) / res.DeriveSeconds
	res.DeriveMillionS = 1e6 / res.DerivePerSec
	t0 = time.Now()
	again, err := svc.Remind(ctx, day, false)
	if err != nil {
		return err
	}
	res.RemindAgainS, res.RemindAgainNew = time.Since(t0).Seconds(), again.New()
	// The derivation run's messages are not dispatched: dispatch is
	// measured on fresh sets below.
	if _, err := pool.Exec(ctx, `DELETE FROM river_job WHERE kind = 'outreach_send'`); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `UPDATE outreach_deliveries SET status = 'cancelled' WHERE status = 'queued'`); err != nil {
		return err
	}

	phase := func(name string, msgs int, serverLimit, rate float64, offset int, tgOpts ...telegramtest.Option) error {
		if msgs == 0 {
			return nil
		}
		fmt.Fprintf(env.Stderr, "dispatch %s: %d messages, Bot API limit %.0f/s, OUTREACH_RATE %.0f/s…\n", name, msgs, serverLimit, rate)
		// The next set: households offset..offset+msgs get a review due
		// on a fresh day, so remind queues exactly them.
		d := day.AddDate(0, 0, len(res.Phases)+1)
		due := time.Date(d.Year(), d.Month(), d.Day()+14, 0, 0, 0, 0, time.UTC)
		if _, err := pool.Exec(ctx, `UPDATE outreach_households SET next_review_on = $1
			WHERE household_id >= $2 AND household_id < $3`, due, fmt.Sprintf("B%07d", offset), fmt.Sprintf("B%07d", offset+msgs)); err != nil {
			return err
		}
		tg := telegramtest.New(tgOpts...)
		defer tg.Close()
		snd, err := telegram.NewSender(tg.Token(), tg.URL())
		if err != nil {
			return err
		}
		cfg := base
		cfg.Sender, cfg.Rate, cfg.Now = snd, rate, func() time.Time { return d }
		s, err := outreach.New(pool, cfg)
		if err != nil {
			return err
		}
		if _, err := s.Remind(ctx, d, false); err != nil {
			return err
		}
		if _, err := pool.Exec(ctx, `DELETE FROM outreach_pace WHERE key <> 'global'`); err != nil {
			return err
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- s.Run(rctx) }()
		period := d.Format(time.DateOnly)
		deadline := time.Now().Add(time.Duration(float64(msgs)/min(rate, serverLimit)*3+60) * time.Second)
		for {
			var open int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM outreach_deliveries WHERE period = $1
				AND status IN ('queued', 'held', 'sending')`, period).Scan(&open); err != nil {
				cancel()
				return err
			}
			if open == 0 || time.Now().After(deadline) || ctx.Err() != nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			return err
		}
		sent := tg.Sent()
		ph := benchDispPhs{Name: name, ServerLimit: serverLimit, OurRate: rate, Messages: msgs, Got429: tg.Count429()}
		chats := map[int64]int{}
		var first, last time.Time
		for i, m := range sent {
			chats[m.ChatID]++
			if i == 0 || m.At.Before(first) {
				first = m.At
			}
			if m.At.After(last) {
				last = m.At
			}
		}
		ph.Delivered = len(chats)
		ph.Duplicates = len(sent) - len(chats)
		ph.Lost = msgs - len(chats)
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM outreach_deliveries WHERE period = $1 AND status = 'failed'`, period).Scan(&ph.Failed); err != nil {
			return err
		}
		if len(sent) > 1 {
			ph.Seconds = last.Sub(first).Seconds()
			ph.Rate = float64(len(sent)-1) / ph.Seconds
			ph.OfAllowed = ph.Rate / min(rate, serverLimit)
		}
		res.Phases = append(res.Phases, ph)
		return nil
	}
	if err := phase("ceiling", *ceilMsgs, *ceilLimit, *ceilLimit, 0,
		telegramtest.WithGlobalRate(*ceilLimit), telegramtest.WithPerChatRate(0, 1)); err != nil {
		return err
	}
	if err := phase("telegram-limit", *realMsgs, 30, *realRate, *ceilMsgs); err != nil {
		return err
	}

	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "households          %d (enrolled in %.1f s)\n", res.Households, res.ImportSeconds)
	fmt.Fprintf(env.Stdout, "derive              %d reminders in %.2f s = %.0f/s (1M households ≈ %.0f s)\n",
		res.Derived, res.DeriveSeconds, res.DerivePerSec, res.DeriveMillionS)
	fmt.Fprintf(env.Stdout, "derive again        %d new in %.2f s\n", res.RemindAgainNew, res.RemindAgainS)
	for _, p := range res.Phases {
		fmt.Fprintf(env.Stdout, "dispatch %-14s %d msgs, limit %.0f/s, rate %.0f/s: %.1f/s achieved (%.1f%% of allowed) in %.1f s; 429s %d, duplicates %d, lost %d, failed %d\n",
			p.Name, p.Messages, p.ServerLimit, p.OurRate, p.Rate, p.OfAllowed*100, p.Seconds, p.Got429, p.Duplicates, p.Lost, p.Failed)
	}
	return nil
}

// outreachDSN points a database URL at another database, with n pool
// connections (pgxpool's default is the CPU count, too few for dispatch).
func outreachDSN(dsn, name string, n int) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	if n > 0 {
		q := u.Query()
		q.Set("pool_max_conns", fmt.Sprint(n))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func outreachBenchSuffix(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
